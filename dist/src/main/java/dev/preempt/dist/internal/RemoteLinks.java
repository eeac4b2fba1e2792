package dev.preempt.dist.internal;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.dist.Atom;
import dev.preempt.dist.Tuple;
import dev.preempt.internal.sched.ApiAccess;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Links between local processes and processes of other nodes. The runtime's links are local, so a
 * link across nodes lives here: a table entry (local, remote) and a watcher process that monitors the
 * local process and, when it ends, sends EXIT with its reason to the remote side. An EXIT from the
 * remote side reaches the local process as an exit signal from the remote pid (it dies, or gets
 * {@code Exit(remotePid, reason)} if it traps exits; {@code normal} is ignored unless it traps). A
 * connection that goes down is an exit signal {@code noconnection} for every link through it.
 * Unlink sends UNLINK_ID (OTP 23+). Thread-safe.
 */
final class RemoteLinks {

    private record Key(Pid local, Pid remote) {}

    private record Link(Connection connection, Pid watcher) {}

    /** Tells a watcher its link was removed. */
    private static final Atom STOP = Atom.of("$preempt_dist_unlinked");
    /** Tells a watcher its link is in the table: it may start watching. */
    private static final Atom GO = Atom.of("$preempt_dist_linked");
    private static final AtomicLong UNLINK_IDS = new AtomicLong(1);

    private final NodeEngine node;
    private final ConcurrentHashMap<Key, Link> links = new ConcurrentHashMap<>();

    RemoteLinks(NodeEngine node) {
        this.node = node;
    }

    /** The local process {@code local} links to {@code remote}; sends LINK. */
    void link(Pid local, Pid remote) {
        WirePid w = (WirePid) ApiAccess.addressOf(remote);
        if (node.identity().isLocal(w)) { // a pid of ours whose process is gone
            ApiAccess.procOf(local).remoteExitSignal(remote, ExitReason.NOPROC);
            return;
        }
        Connection c = node.connectionTo(w.node());
        if (add(local, remote, c)) {
            c.enqueue(Frames.frame(node.identity(), Tuple.of((long) Frames.LINK, local, remote), null));
        }
    }

    /** LINK from the peer: {@code remote} links to the live local process {@code local}. */
    void linked(Connection c, Pid remote, Pid local) {
        add(local, remote, c);
    }

    private boolean add(Pid local, Pid remote, Connection c) {
        Key k = new Key(local, remote);
        if (links.containsKey(k)) return false;
        // Monitoring from the start (Watchers): the link is in place for whatever the peer sends next.
        Pid watcher = Watchers.spawnMonitoring(local, m -> {
            if (Preempt.receive(x -> x == GO || x == STOP) == STOP) {
                Preempt.demonitor(m);
                return;
            }
            Object msg = Preempt.receive(x -> x instanceof Down d && d.ref().equals(m) || x == STOP);
            if (msg instanceof Down d) {
                Link l = links.get(k);
                if (l != null && l.watcher().equals(Preempt.self()) && links.remove(k, l)) {
                    c.enqueue(Frames.frame(node.identity(), Tuple.of((long) Frames.EXIT, local, remote,
                            Reasons.toTerm(d.reason())), null));
                }
            } else {
                Preempt.demonitor(m);
            }
        });
        if (links.putIfAbsent(k, new Link(c, watcher)) != null) {
            Preempt.send(watcher, STOP);
            return false;
        }
        Preempt.send(watcher, GO);
        if (!c.isUp() && c.downReason() != null) connectionClosed(c); // closed before we were in the table
        return true;
    }

    /** The local process {@code local} unlinks {@code remote}; sends UNLINK_ID. */
    void unlink(Pid local, Pid remote) {
        Link l = links.remove(new Key(local, remote));
        if (l == null) return;
        Preempt.send(l.watcher(), STOP);
        l.connection().enqueue(Frames.frame(node.identity(),
                Tuple.of((long) Frames.UNLINK_ID, UNLINK_IDS.getAndIncrement(), local, remote), null));
    }

    /** UNLINK_ID from the peer (the caller acknowledges it). */
    void unlinked(Pid remote, Pid local) {
        Link l = links.remove(new Key(local, remote));
        if (l != null) Preempt.send(l.watcher(), STOP);
    }

    /** EXIT from the peer: the linked remote process ended. */
    void exited(Pid remote, Pid local, Object reason) {
        Link l = links.remove(new Key(local, remote));
        if (l == null) return; // not linked (any more): no effect, as after an unlink
        Preempt.send(l.watcher(), STOP);
        ApiAccess.procOf(local).remoteExitSignal(remote, Reasons.fromTerm(reason));
    }

    /** The remote processes {@code local} is linked to (a racy snapshot, for the process listing). */
    java.util.List<Pid> remotesOf(Pid local) {
        return links.keySet().stream().filter(k -> k.local().equals(local)).map(Key::remote).toList();
    }

    /** Whether {@code pid} is the watcher process of one of the links. */
    boolean isWatcher(Pid pid) {
        return links.values().stream().anyMatch(l -> l.watcher().equals(pid));
    }

    /** The connection went down: each link through it is an exit signal noconnection. */
    void connectionClosed(Connection c) {
        links.forEach((k, l) -> {
            if (l.connection() == c && links.remove(k, l)) {
                Preempt.send(l.watcher(), STOP);
                ApiAccess.procOf(k.local()).remoteExitSignal(k.remote(), RemoteMonitors.NOCONNECTION);
            }
        });
    }
}
