package dev.preempt.dist.internal;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Ref;
import dev.preempt.dist.ErlRef;
import dev.preempt.dist.Tuple;
import dev.preempt.internal.sched.ApiAccess;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Monitors that local processes hold on processes of other nodes. A monitor is a MONITOR_P to the
 * peer, tagged with a fresh reference of this node; the peer's MONITOR_P_EXIT becomes a {@link Down}
 * (with the {@link Ref} the caller got) in the watcher's mailbox, and a connection that goes down (or
 * never comes up) gives {@code Down(ref, pid, noconnection)} for each monitor through it. Thread-safe.
 */
final class RemoteMonitors {

    /** Reason of a Down whose node went away: Erlang's {@code noconnection}. */
    static final ExitReason NOCONNECTION = ExitReason.of("noconnection");

    /** A monitor; {@code target} is a remote pid, or the {@link dev.preempt.dist.Atom} of a name on the peer. */
    private record Monitor(Ref ref, ErlRef wire, Pid watcher, Object target, Connection connection) {}

    private final NodeEngine node;
    private final ConcurrentHashMap<ErlRef, Monitor> byWire = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Ref, Monitor> byRef = new ConcurrentHashMap<>();

    RemoteMonitors(NodeEngine node) {
        this.node = node;
    }

    /** {@code watcher} (local) monitors {@code target} (remote). */
    Ref monitor(Pid watcher, Pid target) {
        WirePid w = (WirePid) ApiAccess.addressOf(target);
        Ref ref = Ref.make();
        if (node.identity().isLocal(w)) { // a pid of ours whose process is gone
            ApiAccess.procOf(watcher).deliver(new Down(ref, target, ExitReason.NOPROC));
            return ref;
        }
        return start(ref, watcher, target, node.connectionTo(w.node()));
    }

    /**
     * {@code watcher} monitors the process registered as {@code name} on {@code peer}; its Down has a
     * null pid (Erlang's says {@code {Name, Node}}).
     */
    Ref monitorName(Pid watcher, String name, String peer) {
        return start(Ref.make(), watcher, dev.preempt.dist.Atom.of(name), node.connectionTo(peer));
    }

    private Ref start(Ref ref, Pid watcher, Object target, Connection c) {
        Monitor m = new Monitor(ref, node.makeRef(), watcher, target, c);
        byWire.put(m.wire(), m);
        byRef.put(ref, m);
        c.enqueue(Frames.frame(node.identity(), Tuple.of((long) Frames.MONITOR_P, watcher, target, m.wire()), null));
        if (!c.isUp() && c.downReason() != null) down(m, NOCONNECTION); // closed before we were in the table
        return ref;
    }

    /** The remote processes {@code watcher} monitors by pid (a racy snapshot, for the process listing). */
    java.util.List<Pid> targetsOf(Pid watcher) {
        return byRef.values().stream().filter(m -> m.watcher().equals(watcher) && m.target() instanceof Pid)
                .map(m -> (Pid) m.target()).toList();
    }

    /** Removes the monitor; true if it was active. */
    boolean demonitor(Ref ref) {
        Monitor m = byRef.remove(ref);
        if (m == null || byWire.remove(m.wire()) == null) return false;
        m.connection().enqueue(Frames.frame(node.identity(),
                Tuple.of((long) Frames.DEMONITOR_P, m.watcher(), m.target(), m.wire()), null));
        return true;
    }

    /** MONITOR_P_EXIT from the peer. */
    void exited(ErlRef wire, Object reason) {
        Monitor m = byWire.get(wire);
        if (m != null) down(m, Reasons.fromTerm(reason));
    }

    /** The connection went down: every monitor through it fires with noconnection. */
    void connectionClosed(Connection c) {
        for (Monitor m : byWire.values()) if (m.connection() == c) down(m, NOCONNECTION);
    }

    private void down(Monitor m, ExitReason reason) {
        if (byWire.remove(m.wire(), m)) {
            byRef.remove(m.ref(), m);
            ApiAccess.procOf(m.watcher()).deliver(new Down(m.ref(), m.target() instanceof Pid p ? p : null, reason));
        }
    }
}
