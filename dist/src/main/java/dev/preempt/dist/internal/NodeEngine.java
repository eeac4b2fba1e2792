package dev.preempt.dist.internal;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Scheduler;
import dev.preempt.dist.Atom;
import dev.preempt.dist.Tuple;
import dev.preempt.internal.RemoteRouting;
import dev.preempt.internal.sched.ApiAccess;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The running node: its epmd registration, its listening socket (an accept loop in a process),
 * its connections by peer name (made lazily on first send, as BEAM does), and the router that
 * {@link Preempt#send(Pid, Object)} uses for remote pids. Thread-safe.
 */
public final class NodeEngine implements RemoteRouting.Router {

    private final Identity identity;
    private final Scheduler scheduler;
    private final Duration tickTime;
    private final Duration setupTime;
    private final int epmdPort;
    private final long flags;
    private final Handshake handshake;
    private final ServerSocket server;
    private final Epmd.Registration registration;
    private final Inbound inbound;
    private final RemoteMonitors monitors;
    private final RemoteLinks links;
    private final GenCalls genCalls = new GenCalls();
    private final java.util.concurrent.atomic.AtomicLong refs = new java.util.concurrent.atomic.AtomicLong(1);
    private final ConcurrentHashMap<String, Connection> connections = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<BiConsumer<String, String>> downListeners = new CopyOnWriteArrayList<>();
    /** Processes that asked for a NodeDown, by node; each entry is one monitor, used up when it fires. */
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<Pid>> nodeMonitors = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final Runnable unhookJfr;

    /**
     * Starts a node: listens, registers with epmd, and installs the router.
     *
     * @param name the full node name, {@code alive@host}
     * @param cookie the cookie
     * @param scheduler where registered names are looked up and helper processes run
     * @param tickTime the net_ticktime: a peer silent this long is down; ticks go out every quarter of it
     * @param setupTime how long a connection's set-up (epmd look-up, TCP connect, handshake) may take
     * @param epmdPort epmd's port
     * @param hidden whether to register as a hidden node
     * @throws IOException if the socket cannot be opened or epmd refuses
     */
    public NodeEngine(String name, String cookie, Scheduler scheduler, Duration tickTime, Duration setupTime,
                      int epmdPort, boolean hidden) throws IOException {
        this.scheduler = scheduler;
        this.tickTime = tickTime;
        this.setupTime = setupTime;
        this.epmdPort = epmdPort;
        this.flags = DistFlags.OFFERED | (hidden ? 0 : DistFlags.PUBLISHED);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(0));
        try {
            this.registration = Epmd.register(epmdPort, alive(name), server.getLocalPort(), hidden, millis(setupTime));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        this.identity = new Identity(name, registration.creation());
        this.handshake = new Handshake(name, flags, registration.creation(), cookie);
        this.monitors = new RemoteMonitors(this);
        this.links = new RemoteLinks(this);
        this.inbound = new Inbound(this, monitors, links);
        try {
            RemoteRouting.install(this);
        } catch (IllegalStateException e) {
            registration.close();
            server.close();
            throw e;
        }
        this.unhookJfr = dev.preempt.dist.internal.jfr.DistJfr.registerSampler(
                () -> connections.values().stream().filter(Connection::isUp).toList());
        scheduler.spawn(this::acceptLoop); // a process: its accept is where the JDK's socket pollers start, on the carriers
    }

    /**
     * This node's identity (name, creation, exported pids).
     *
     * @return the identity
     */
    public Identity identity() {
        return identity;
    }

    /**
     * The scheduler registered names are looked up in.
     *
     * @return the scheduler
     */
    public Scheduler scheduler() {
        return scheduler;
    }

    Duration tickTime() {
        return tickTime;
    }

    Inbound inbound() {
        return inbound;
    }

    /**
     * The port this node accepts connections on.
     *
     * @return the port
     */
    public int port() {
        return server.getLocalPort();
    }

    /**
     * The peers with an up connection.
     *
     * @return their names (a snapshot)
     */
    public List<String> connectedNodes() {
        return connections.values().stream().filter(Connection::isUp).map(Connection::peer).sorted().toList();
    }

    /**
     * Adds a listener told (peer, reason) each time a connection that was up goes down.
     *
     * @param listener called in the process that saw the connection end; must not block
     */
    public void onNodeDown(BiConsumer<String, String> listener) {
        downListeners.add(listener);
    }

    /**
     * The connection to {@code peer}, made (and its set-up started) if there is none.
     *
     * @param peer the node name
     * @return the connection, maybe still connecting
     */
    public Connection connectionTo(String peer) {
        if (closed) throw new IllegalStateException("the node " + identity.name() + " is stopped");
        if (peer.equals(identity.name())) throw new IllegalArgumentException("a node does not connect to itself: " + peer);
        if (peer.indexOf('@') <= 0) throw new IllegalArgumentException("not a node name (alive@host): " + peer);
        Connection[] made = new Connection[1];
        Connection c = connections.computeIfAbsent(peer, p -> made[0] = new Connection(this, p));
        if (made[0] != null) scheduler.spawn(() -> connect(made[0])); // a process, as every thread of a connection
        return c;
    }

    private void connect(Connection c) {
        String peer = c.peer();
        String alive = alive(peer);
        String host = peer.substring(peer.indexOf('@') + 1);
        Socket s = new Socket();
        try {
            int port = Epmd.portOf(host, epmdPort, alive, millis(setupTime));
            s.connect(new InetSocketAddress(host, port), millis(setupTime));
            s.setTcpNoDelay(true);
            s.setSoTimeout(millis(setupTime));
            DataInputStream in = Connection.input(s);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            Handshake.Peer p = handshake.initiate(in, out, peer);
            if (p == null) { // the peer connects to us at the same time, and its attempt wins
                s.close();
                Thread.sleep(setupTime.toMillis());
                if (!c.isUp()) c.close("setup_timeout");
                return;
            }
            if (!p.name().equals(peer)) throw new IOException("connected to " + peer + " but it says it is " + p.name());
            if (!c.attach(s, in, p.flags(), true)) s.close();
        } catch (IOException e) {
            closeQuietly(s);
            System.getLogger("dev.preempt.dist").log(System.Logger.Level.DEBUG, "cannot connect to " + peer, e);
            c.close("cannot connect: " + e.getMessage());
        } catch (InterruptedException e) {
            closeQuietly(s);
            c.close("interrupted");
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            scheduler.spawn(() -> accepted(s));
        }
    }

    private void accepted(Socket s) {
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(millis(setupTime));
            DataInputStream in = Connection.input(s);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            Handshake.Peer p = handshake.accept(in, out, new Handshake.Arbiter() {
                @Override
                public String statusFor(String peer) {
                    Connection c = connections.get(peer);
                    if (c == null) return "ok";
                    if (c.isUp()) return "alive";
                    // Both sides are connecting: the greater name's attempt goes on (OTP's rule).
                    return identity.name().compareTo(peer) > 0 ? "nok" : "ok_simultaneous";
                }

                @Override
                public void replaceOld(String peer) {
                    Connection old = connections.get(peer);
                    if (old != null) old.close("replaced");
                }
            });
            if (p == null || closed) {
                s.close();
                return;
            }
            Connection c = connections.computeIfAbsent(p.name(), n -> new Connection(this, n));
            if (!c.attach(s, in, p.flags(), false)) s.close();
        } catch (IOException e) {
            System.getLogger("dev.preempt.dist").log(System.Logger.Level.DEBUG, "refused a connection", e);
            closeQuietly(s);
        }
    }

    void nodeUp(Connection c) {
        dev.preempt.dist.internal.jfr.DistJfr.nodeUp(c.peer(), c.initiated());
    }

    void connectionClosed(Connection c, String reason) {
        connections.remove(c.peer(), c);
        boolean wasUp = c.wasUp();
        inbound.connectionClosed(c);
        monitors.connectionClosed(c);
        links.connectionClosed(c);
        if (wasUp) dev.preempt.dist.internal.jfr.DistJfr.nodeDown(c, reason);
        fireNodeMonitors(c.peer(), reason);
        if (wasUp) for (BiConsumer<String, String> l : downListeners) l.accept(c.peer(), reason);
    }

    /**
     * Erlang's {@code monitor_node(Node, true)} for the calling process: it gets one
     * {@link dev.preempt.dist.NodeDown} when the connection to {@code peer} goes down, or at once if it
     * cannot be made (a connection is started if there is none).
     *
     * @param peer the node
     */
    public void monitorNode(String peer) {
        Pid self = Preempt.self();
        Connection c = connectionTo(peer);
        nodeMonitors.computeIfAbsent(peer, p -> new CopyOnWriteArrayList<>()).add(self);
        if (c.downReason() != null) fireNodeMonitors(peer, c.downReason()); // closed before we were in the table
    }

    /**
     * Removes one of the calling process's monitors of {@code peer}.
     *
     * @param peer the node
     * @return true if there was one
     */
    public boolean demonitorNode(String peer) {
        Pid self = Preempt.self();
        CopyOnWriteArrayList<Pid> l = nodeMonitors.get(peer);
        return l != null && l.remove(self);
    }

    private void fireNodeMonitors(String peer, String reason) {
        CopyOnWriteArrayList<Pid> l = nodeMonitors.remove(peer);
        if (l == null) return;
        for (Pid p : l) ApiAccess.procOf(p).deliver(new dev.preempt.dist.NodeDown(peer, reason));
    }

    // ------------------------------------------------------------------ sending

    /** {@link RemoteRouting.Router}: a send to a remote pid, from the sender's thread. */
    @Override
    public void send(Pid to, Object message) {
        WirePid w = (WirePid) ApiAccess.addressOf(to);
        if (identity.isLocal(w) || closed) return; // a pid of ours whose process is gone, or we are stopped
        Connection c = connectionTo(w.node());
        if (message instanceof dev.preempt.Cast cast) message = Tuple.of(Atom.of("$gen_cast"), cast.message());
        Pid from = Preempt.inProcess() ? Preempt.self() : null;
        Tuple control = from != null // every peer has SEND_SENDER: the handshake requires it
                ? Tuple.of((long) Frames.SEND_SENDER, from, to)
                : Tuple.of((long) Frames.SEND, Atom.of(""), to);
        c.enqueue(Frames.frame(identity, control, message));
    }

    /** {@link RemoteRouting.Router}: the reply to a gen_server call from another node. */
    @Override
    public void reply(dev.preempt.Call call, Object value) {
        GenCalls.Caller caller = genCalls.take(call.tag());
        if (caller == null || closed) return;
        WirePid w = (WirePid) ApiAccess.addressOf(caller.from());
        if (identity.isLocal(w)) return;
        Object from = Preempt.inProcess() ? Preempt.self() : noPid();
        connectionTo(w.node()).enqueue(Frames.frame(identity, Tuple.of((long) Frames.SEND_SENDER, from, caller.from()),
                Tuple.of(caller.tag(), value == null ? Atom.of("undefined") : value)));
    }

    GenCalls genCalls() {
        return genCalls;
    }

    /**
     * A send to the process registered as {@code name} on {@code node} (REG_SEND), from the sender's thread.
     *
     * @param name the registered name there
     * @param node the node
     * @param message the message, already admitted by the send policy
     */
    public void sendNamed(String name, String node, Object message) {
        Connection c = connectionTo(node);
        Object from = Preempt.inProcess() ? Preempt.self() : noPid();
        c.enqueue(Frames.frame(identity, Tuple.of((long) Frames.REG_SEND, from, Atom.of(""), Atom.of(name)), message));
    }

    /**
     * A fresh reference of this node.
     *
     * @return the reference: three words, a counter's two halves and a time stamp's low bits
     */
    public dev.preempt.dist.ErlRef makeRef() {
        long n = refs.getAndIncrement();
        return new dev.preempt.dist.ErlRef(identity.name(), identity.creation(), List.of((int) n, (int) (n >>> 32), (int) System.nanoTime()));
    }

    /** {@link RemoteRouting.Router}: for the process listing. */
    @Override
    public java.util.List<Pid> remoteLinks(Pid local) {
        return links.remotesOf(local);
    }

    /** {@link RemoteRouting.Router}: for the process listing. */
    @Override
    public java.util.List<Pid> remoteMonitors(Pid local) {
        return monitors.targetsOf(local);
    }

    /** {@link RemoteRouting.Router}: for the process listing. */
    @Override
    public java.util.List<Pid> remoteMonitoredBy(Pid local) {
        return inbound.monitorsOf(local);
    }

    /** {@link RemoteRouting.Router}: the watcher processes behind remote links and monitors. */
    @Override
    public boolean isHelper(Pid local) {
        return links.isWatcher(local) || inbound.isWatcher(local);
    }

    /** {@link RemoteRouting.Router}: the calling process monitors the remote process {@code target}. */
    @Override
    public dev.preempt.Ref monitor(Pid target) {
        return monitors.monitor(Preempt.self(), target);
    }

    /** {@link RemoteRouting.Router}: removes a remote monitor; false if {@code ref} is not one (or fired). */
    @Override
    public boolean demonitor(dev.preempt.Ref ref) {
        return monitors.demonitor(ref);
    }

    /** {@link RemoteRouting.Router}: the calling process links to the remote process {@code remote}. */
    @Override
    public void link(Pid remote) {
        links.link(Preempt.self(), remote);
    }

    /** {@link RemoteRouting.Router}: the calling process unlinks the remote process {@code remote}. */
    @Override
    public void unlink(Pid remote) {
        links.unlink(Preempt.self(), remote);
    }

    /** {@link RemoteRouting.Router}: {@code exit(Pid, Reason)} to a remote process (EXIT2). */
    @Override
    public void exit(Pid to, dev.preempt.ExitReason reason) {
        WirePid w = (WirePid) ApiAccess.addressOf(to);
        if (identity.isLocal(w) || closed) return;
        Object from = Preempt.inProcess() ? Preempt.self() : noPid();
        connectionTo(w.node()).enqueue(Frames.frame(identity, Tuple.of((long) Frames.EXIT2, from, to, Reasons.toTerm(reason)), null));
    }

    /** {@link RemoteRouting.Router}: {@code gen_server:call(Pid, Request)} to a remote process. */
    @Override
    public Object call(Pid to, Object request, long timeoutNanos) {
        return inProcess(() -> genCall(to, null, null, request, timeoutNanos));
    }

    /**
     * Runs {@code body} in the calling process, or, from a plain thread, in a helper process of the
     * node's scheduler while the thread waits (what the runtime's call does too).
     *
     * @param <T> what it returns
     * @param body the work
     * @return what it returned; what it threw is rethrown
     */
    public <T> T inProcess(java.util.function.Supplier<T> body) {
        return dev.preempt.internal.sched.SchedulerCore.inProcess(scheduler::spawn, body);
    }

    /**
     * OTP's gen_server call, from inside a process: monitors the server (a pid, or {@code name} on
     * {@code peer}), sends {@code {'$gen_call', {Self, Tag}, Request}}, and waits for {@code {Tag,
     * Reply}}, the server's Down, or the timeout; the monitor is removed (and its Down flushed) after.
     *
     * @param pid the server, or null to call by name
     * @param name the registered name on {@code peer} (when {@code pid} is null)
     * @param peer the node (when {@code pid} is null)
     * @param request the request
     * @param timeoutNanos how long to wait (negative: forever)
     * @return the reply
     * @throws dev.preempt.NoProcessException if the server is not there
     * @throws dev.preempt.CallException on timeout, if the server exits first, or if its node goes ({@code noconnection})
     */
    public Object genCall(Pid pid, String name, String peer, Object request, long timeoutNanos) {
        Pid self = Preempt.self();
        String what = pid != null ? pid.toString() : "{" + name + ", " + peer + "}";
        dev.preempt.dist.ErlRef tag = makeRef();
        dev.preempt.Ref mon = pid != null ? monitors.monitor(self, pid) : monitors.monitorName(self, name, peer);
        try {
            Tuple msg = Tuple.of(Atom.of("$gen_call"), Tuple.of(self, tag), request);
            if (pid != null) send(pid, msg);
            else sendNamed(name, peer, msg);
            java.time.Duration wait = timeoutNanos < 0 ? java.time.Duration.ofDays(365 * 100) : java.time.Duration.ofNanos(timeoutNanos);
            Object m = Preempt.receive(x -> x instanceof Tuple t && t.arity() == 2 && tag.equals(t.get(0))
                    || x instanceof dev.preempt.Down d && d.ref().equals(mon), wait).orElse(null);
            if (m instanceof Tuple t) return t.get(1);
            if (m == null) {
                throw new dev.preempt.CallException(pid, dev.preempt.ExitReason.of("timeout"), "call to " + what
                        + " timed out after " + (timeoutNanos / 1_000_000) + " ms (request " + request + ")");
            }
            dev.preempt.ExitReason r = ((dev.preempt.Down) m).reason();
            if (r == dev.preempt.ExitReason.NOPROC) throw new dev.preempt.NoProcessException(pid, "call to " + what + ": no such process");
            throw new dev.preempt.CallException(pid, r, "call to " + what + ": the server exited with " + r);
        } finally {
            if (monitors.demonitor(mon)) {
                // still active: no Down for it is coming
            } else {
                Preempt.receive(x -> x instanceof dev.preempt.Down d && d.ref().equals(mon), java.time.Duration.ZERO);
            }
        }
    }

    /** The pid a REG_SEND from a plain thread carries: {@code <0.0.0>} of this node, which is no process. */
    Pid noPid() {
        return identity.fromWire(new WirePid(identity.name(), 0, 0, identity.creation()));
    }

    /**
     * Stops the node: unregisters from epmd, closes every connection, removes the router.
     */
    public void close() {
        closed = true;
        RemoteRouting.uninstall(this);
        if (unhookJfr != null) unhookJfr.run();
        closeQuietly(server);
        try {
            registration.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Connection c : connections.values()) c.close("node_stopped");
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    static String alive(String name) {
        int at = name.indexOf('@');
        return at < 0 ? name : name.substring(0, at);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

}
