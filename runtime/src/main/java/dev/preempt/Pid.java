package dev.preempt;

import dev.preempt.internal.sched.ApiAccess;
import dev.preempt.internal.sched.Proc;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process identifier: a small value that names one process for the life of the JVM and is never
 * reused. A local pid prints like Erlang's, {@code <0.42.0>}. Equal pids name the same process; a pid may
 * outlive its process (sends to it are then dropped).
 *
 * <p><b>Remote pids.</b> With the distribution module ({@code preempt-dist}) a pid may name a process of
 * another node (a BEAM node or another Preempt JVM). Such a pid prints as Erlang prints one,
 * {@code <N.42.0>}, where {@code N} is a small number this JVM gave that node (the same for every pid
 * of the node), and {@link #node()} names the node. {@link Preempt#send}, {@link Preempt#link},
 * {@link Preempt#unlink}, {@link Preempt#monitor}, {@link Preempt#demonitor}, {@link Preempt#exit(Pid,
 * ExitReason)} and {@link Preempt#call(Pid, Object, java.time.Duration)} and {@link Preempt#cast(Pid, Object)} reach a
 * remote pid through the connection to its node; {@link Preempt#isAlive}, {@link Preempt#register} and
 * {@link Preempt#processInfo} are local only and throw {@link UnsupportedOperationException} for a
 * remote pid. Pids are values: safe to share between threads.
 *
 * <pre>{@code
 * Pid worker = Preempt.spawn(() -> System.out.println("hello from " + Preempt.self()));
 * }</pre>
 */
public final class Pid implements Comparable<Pid> {

    /** Node name to the number printed in remote pids, given in order of first sight (1, 2, ...). */
    private static final ConcurrentHashMap<String, Integer> NODE_NUMBERS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT_NODE_NUMBER = new AtomicInteger(1);

    static {
        ApiAccess.register(new ApiAccess.PidFactory() {
            @Override
            public Pid newPid(long id, Proc proc) {
                return new Pid(id, proc);
            }

            @Override
            public Proc procOf(Pid pid) {
                return pid.proc();
            }

            @Override
            public Pid newRemotePid(String node, long id, long serial, Object address) {
                return new Pid(node, id, serial, address);
            }

            @Override
            public Object addressOf(Pid pid) {
                return pid.remote == null ? null : pid.remote.address;
            }
        });
    }

    private final long id;
    /** The process; null for a remote pid. */
    private final transient Proc proc;
    /**
     * Null for a pid of this JVM. In one object of their own, these make a local pid 32 bytes instead of 40
     * (one is made with every process).
     */
    private final Remote remote;

    /**
     * A remote pid's parts.
     *
     * @param node the node's name
     * @param serial the serial part
     * @param address the distribution layer's own form of the pid
     */
    private record Remote(String node, long serial, Object address) {}

    Pid(long id, Proc proc) {
        this.id = id;
        this.proc = proc;
        this.remote = null;
    }

    private Pid(String node, long id, long serial, Object address) {
        this.id = id;
        this.proc = null;
        this.remote = new Remote(Objects.requireNonNull(node, "node"), serial, Objects.requireNonNull(address, "address"));
    }

    /**
     * The process's serial number, unique in this JVM (for a remote pid: the number its node gave it).
     *
     * @return the number, the middle part of {@code <0.42.0>}
     */
    public long id() {
        return id;
    }

    /**
     * Whether this pid names a process of another node.
     *
     * @return true for a remote pid
     */
    public boolean isRemote() {
        return remote != null;
    }

    /**
     * The node of a remote pid, such as {@code "erl1@host"}.
     *
     * @return the node's name, or empty for a pid of this JVM
     */
    public Optional<String> node() {
        return remote == null ? Optional.empty() : Optional.of(remote.node);
    }

    Proc proc() {
        if (proc == null) {
            throw new UnsupportedOperationException(this + " is a process of node " + remote.node
                    + ": send, link, unlink, monitor, exit and call reach remote processes; this operation is local only");
        }
        return proc;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Pid p)) return false;
        if (remote == null) return p.remote == null && p.id == id;
        return p.remote != null && p.remote.address.equals(remote.address);
    }

    @Override
    public int hashCode() {
        return remote == null ? Long.hashCode(id) : remote.address.hashCode();
    }

    /** Local pids first, by number; then remote pids by node, number and serial. */
    @Override
    public int compareTo(Pid o) {
        if (remote == null || o.remote == null) {
            if ((remote == null) != (o.remote == null)) return remote == null ? -1 : 1;
            return Long.compare(id, o.id);
        }
        int c = remote.node.compareTo(o.remote.node);
        if (c != 0) return c;
        c = Long.compare(id, o.id);
        return c != 0 ? c : Long.compare(remote.serial, o.remote.serial);
    }

    @Override
    public String toString() {
        if (remote == null) return "<0." + id + ".0>";
        int n = NODE_NUMBERS.computeIfAbsent(remote.node, k -> NEXT_NODE_NUMBER.getAndIncrement());
        return "<" + n + "." + id + "." + remote.serial + ">";
    }
}
