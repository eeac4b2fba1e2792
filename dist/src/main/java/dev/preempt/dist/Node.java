package dev.preempt.dist;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import dev.preempt.dist.internal.Connection;
import dev.preempt.dist.internal.Identity;
import dev.preempt.dist.internal.NodeEngine;
import dev.preempt.internal.policy.Policies;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * This JVM as a node of an Erlang cluster: registered with epmd under {@code alive@host}, reachable by
 * BEAM nodes (and other Preempt nodes) with the same cookie, and connecting to them on first use. Once
 * started, {@link Preempt#send(Pid, Object)}, {@code link}, {@code unlink}, {@code monitor},
 * {@code demonitor}, {@code exit}, {@code call} and {@code cast} reach remote pids; messages from other
 * nodes reach local processes (by pid, or by the name {@link Preempt#register registered} in the node's
 * scheduler); gen_server calls from Erlang reach a {@link dev.preempt.Server}; and {@code net_adm:ping}
 * from Erlang answers {@code pong}. One node per JVM.
 *
 * <pre>{@code
 * try (Node node = Node.start(Node.options("java").cookie("secret"))) {
 *     node.send("shell", "erl@host", Tuple.of(Atom.of("hello"), "from Java"));
 * }
 * }</pre>
 *
 * <p>Thread contract: every method may be called from any thread; {@link #call} and {@link #ping} wait
 * (inside a process without holding a carrier). Connections are processes of the node's
 * scheduler over blocking socket I/O, which the JDK parks on its NIO pollers: a reader and a writer per
 * connection, one for its set-up, plus one accepting; none holds a platform thread.
 */
public final class Node implements AutoCloseable {

    private static final Object LOCK = new Object();
    private static volatile Node current;

    private final NodeEngine engine;

    private Node(NodeEngine engine) {
        this.engine = engine;
    }

    /**
     * Options for {@link #start}, with the defaults: cookie from {@code ~/.erlang.cookie}, the default
     * scheduler, a tick time of 60 s (OTP's {@code net_ticktime}), a set-up time of 7 s (OTP's
     * {@code net_setuptime}), epmd on port 4369 (or {@code $ERL_EPMD_PORT}), a visible node.
     *
     * @param name the node's name: {@code alive@host}, or just {@code alive} (the host is then this
     *        machine's short host name, as {@code erl -sname} does)
     * @return the options
     */
    public static Options options(String name) {
        return new Options(name);
    }

    /** What {@link #start} needs. Not thread-safe: fill it in on one thread. */
    public static final class Options {
        private final String name;
        private String cookie;
        private Scheduler scheduler;
        private Duration tickTime = Duration.ofSeconds(60);
        private Duration setupTime = Duration.ofSeconds(7);
        private int epmdPort = envPort();
        private boolean hidden;

        private Options(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * The cookie (otherwise the first line of {@code ~/.erlang.cookie}).
         *
         * @param cookie the cookie
         * @return these options
         */
        public Options cookie(String cookie) {
            this.cookie = Objects.requireNonNull(cookie, "cookie");
            return this;
        }

        /**
         * The scheduler whose registered names other nodes send to, and where the node's helper processes run.
         *
         * @param scheduler the scheduler (default: the default scheduler)
         * @return these options
         */
        public Options scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * OTP's {@code net_ticktime}: a peer silent this long is taken as down; when this node has sent
         * nothing for a quarter of it, it sends a tick. Set the same on every node of the cluster
         * ({@code erl -kernel net_ticktime 60}).
         *
         * @param d the tick time, at least 100 ms
         * @return these options
         */
        public Options tickTime(Duration d) {
            if (d.toMillis() < 100) throw new IllegalArgumentException("tick time below 100 ms: " + d);
            this.tickTime = d;
            return this;
        }

        /**
         * How long each step of setting up a connection (epmd look-up, TCP connect, each handshake
         * message) may take; a connection not up after its steps is dropped with its queued messages.
         *
         * @param d the set-up time
         * @return these options
         */
        public Options setupTime(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("set-up time must be positive: " + d);
            this.setupTime = d;
            return this;
        }

        /**
         * epmd's port (default 4369, or {@code $ERL_EPMD_PORT}).
         *
         * @param port the port
         * @return these options
         */
        public Options epmdPort(int port) {
            this.epmdPort = port;
            return this;
        }

        /**
         * Register as a hidden node (not listed by other nodes' {@code nodes()}, as C nodes are).
         *
         * @param on whether hidden
         * @return these options
         */
        public Options hidden(boolean on) {
            this.hidden = on;
            return this;
        }

        private static int envPort() {
            String p = System.getenv("ERL_EPMD_PORT");
            return p == null || p.isBlank() ? 4369 : Integer.parseInt(p.trim());
        }
    }

    /**
     * Starts the node: listens on a free port, registers with epmd, and routes remote sends.
     *
     * @param options the options
     * @return the running node
     * @throws IOException if epmd cannot be reached or refuses the name, or there is no cookie
     * @throws IllegalStateException if a node already runs in this JVM
     */
    public static Node start(Options options) throws IOException {
        String name = options.name.contains("@") ? options.name : options.name + "@" + shortHostName();
        if (name.indexOf('@') == 0 || name.endsWith("@")) throw new IllegalArgumentException("not a node name: " + name);
        String cookie = options.cookie != null ? options.cookie : cookieFile();
        synchronized (LOCK) {
            if (current != null) throw new IllegalStateException("a node already runs in this JVM: " + current.name());
            NodeEngine e = new NodeEngine(name, cookie,
                    options.scheduler != null ? options.scheduler : Scheduler.defaultScheduler(),
                    options.tickTime, options.setupTime, options.epmdPort, options.hidden);
            Node n = new Node(e);
            current = n;
            return n;
        }
    }

    /**
     * The node running in this JVM.
     *
     * @return it, or null if none runs
     */
    public static Node current() {
        return current;
    }

    /**
     * The node's full name.
     *
     * @return {@code alive@host}
     */
    public String name() {
        return engine.identity().name();
    }

    /**
     * The creation epmd gave this incarnation of the node.
     *
     * @return the creation
     */
    public int creation() {
        return engine.identity().creation();
    }

    /**
     * The port other nodes connect to (epmd tells them).
     *
     * @return the port
     */
    public int port() {
        return engine.port();
    }

    /**
     * The nodes this one is connected to now.
     *
     * @return their names, sorted (a snapshot)
     */
    public List<String> connectedNodes() {
        return engine.connectedNodes();
    }

    /**
     * Adds a listener told {@code (node, reason)} whenever a connection that was up goes down (reason as
     * OTP says it: {@code connection_closed}, {@code net_tick_timeout}, ...).
     *
     * @param listener called in the process that saw the connection end (its reader, or the one that
     *        closed it); must not block
     */
    public void onNodeDown(BiConsumer<String, String> listener) {
        engine.onNodeDown(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Erlang's {@code monitor_node(Node, true)}: the calling process gets one {@link NodeDown} message
     * when the connection to {@code node} goes down, or at once if it cannot be made. Connects if
     * needed. Each call adds one monitor; each fires once.
     *
     * <pre>{@code
     * node.monitorNode("erl@host");
     * NodeDown down = Preempt.receive(NodeDown.class);
     * }</pre>
     *
     * @param node the node to watch
     * @throws IllegalStateException if the caller is not a process
     */
    public void monitorNode(String node) {
        engine.monitorNode(node);
    }

    /**
     * Erlang's {@code monitor_node(Node, false)}: removes one of the caller's monitors of {@code node}
     * (a {@link NodeDown} already delivered stays in the mailbox).
     *
     * @param node the node
     * @return true if the caller had one
     * @throws IllegalStateException if the caller is not a process
     */
    public boolean demonitorNode(String node) {
        return engine.demonitorNode(node);
    }

    /**
     * Sends {@code message} to the process registered as {@code name} on {@code node}: Erlang's
     * {@code {Name, Node} ! Message}. Never blocks (the connection is made in the background if needed;
     * a message that cannot go is dropped, as Erlang's). The send policy applies, then the message is
     * encoded on the caller's thread. A {@code node} that is this one sends locally.
     *
     * @param name the registered name there
     * @param node the node
     * @param message the message
     * @throws UnmappableTermException if a part of the message has no Erlang term
     * @throws dev.preempt.MessageNotSharableException if the send policy refuses it
     */
    public void send(String name, String node, Object message) {
        Object m = Policies.admit(message);
        if (node.equals(name())) {
            engine.scheduler().whereis(name).ifPresent(p -> Preempt.send(p, m));
            return;
        }
        engine.sendNamed(name, node, m);
    }

    /**
     * A fresh reference of this node, which Erlang nodes can hold and send back.
     *
     * @return the reference
     */
    public ErlRef makeRef() {
        return engine.makeRef();
    }

    /**
     * {@code gen_server:call({Name, Node}, Request, Timeout)}: monitors the server, sends
     * {@code {'$gen_call', {Self, Ref}, Request}} and waits for {@code {Ref, Reply}}. From a plain
     * thread a helper process makes the call. (To call a remote pid, {@link Preempt#call(Pid, Object,
     * Duration)} does the same.)
     *
     * @param name the server's registered name on {@code node}
     * @param node the node
     * @param request the request
     * @param timeout how long to wait for the reply
     * @return the reply
     * @throws dev.preempt.NoProcessException if no process has that name there
     * @throws dev.preempt.CallException on timeout, if the server exits first (its reason), or if its
     *         node cannot be reached or goes away ({@code noconnection})
     * @throws UnmappableTermException if a part of the request has no Erlang term
     */
    public Object call(String name, String node, Object request, Duration timeout) {
        if (node.equals(name())) return Preempt.call(name, request, timeout);
        Object r = Policies.admit(request);
        return engine.inProcess(() -> engine.genCall(null, name, node, r, timeout.toNanos()));
    }

    /**
     * {@code net_adm:ping(Node)}: connects if needed and asks the node's {@code net_kernel}.
     *
     * @param node the node
     * @param timeout how long to wait
     * @return true for pong: the node is up and has this node's cookie
     */
    public boolean ping(String node, Duration timeout) {
        if (node.equals(name())) return true;
        try {
            Connection c = engine.connectionTo(node);
            if (!c.awaitUp(timeout)) return false;
            return Atom.of("yes").equals(call("net_kernel", node, Tuple.of(Atom.of("is_auth"), Atom.of(name())), timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (dev.preempt.CallException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Who this node is for the term codec. */
    Identity identity() {
        return engine.identity();
    }

    /** Stops the node: it leaves epmd, its connections close, remote sends are dropped from now on. */
    @Override
    public void close() {
        synchronized (LOCK) {
            if (current == this) current = null;
        }
        engine.close();
    }

    @Override
    public String toString() {
        return "Node[" + name() + ", port " + port() + ", connected to " + connectedNodes() + "]";
    }

    private static String shortHostName() throws IOException {
        String h = InetAddress.getLocalHost().getHostName();
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }

    private static String cookieFile() throws IOException {
        Path p = Path.of(System.getProperty("user.home"), ".erlang.cookie");
        if (!Files.isReadable(p)) {
            throw new IOException("no cookie: give Node.options(...).cookie(...) or create " + p + " (erl creates one on its first distributed start)");
        }
        String c = Files.readString(p).trim();
        if (c.isEmpty()) throw new IOException(p + " is empty");
        return c;
    }
}
