package dev.preempt.dist.internal;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.dist.Atom;
import dev.preempt.dist.ErlRef;
import dev.preempt.dist.Tuple;
import dev.preempt.dist.UnmappableTermException;
import dev.preempt.internal.sched.ApiAccess;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Acts on the frames a connection reads, on the connection's reader thread, in the order they came:
 * messages (SEND, SEND_SENDER, REG_SEND and their trace-token forms) go into local mailboxes; a
 * REG_SEND to {@code net_kernel} answers {@code net_adm:ping}'s {@code is_auth} call; a remote monitor
 * of a local process (MONITOR_P) is kept by a small watcher process that sends MONITOR_P_EXIT when the
 * process ends; EXIT2 (a remote {@code exit(Pid, Reason)}) is an exit signal; LINK, EXIT and UNLINK_ID
 * go to {@link RemoteLinks} (a LINK to a process that is gone answers {@code noproc}), MONITOR_P_EXIT to
 * {@link RemoteMonitors}. A message with no Java form (a fun...) is dropped
 * and logged; the connection stays up. Thread-safe (one reader per connection; the watcher table is
 * concurrent).
 */
final class Inbound {

    private static final System.Logger LOG = System.getLogger("dev.preempt.dist");

    private final NodeEngine node;
    private final RemoteMonitors monitors;
    private final RemoteLinks links;
    /** Remote monitors of local processes: monitor ref -> the watcher process and the connection it reports to. */
    private final ConcurrentHashMap<ErlRef, Watcher> watchers = new ConcurrentHashMap<>();

    /** A remote process ({@code remote}) monitoring {@code local}, through a watcher process {@code pid}. */
    private record Watcher(Pid pid, Connection connection, Pid remote, Pid local) {}

    Inbound(NodeEngine node, RemoteMonitors monitors, RemoteLinks links) {
        this.node = node;
        this.monitors = monitors;
        this.links = links;
    }

    void dispatch(Connection c, byte[] f) {
        if ((f[0] & 0xFF) != 112) throw new IllegalStateException("frame starts with " + (f[0] & 0xFF) + ", not 'p' (112)");
        Identity self = node.identity();
        TermDecoder d = new TermDecoder(self, f, 1, f.length).placeholders(true); // an exit reason may hold a fun
        Tuple control = (Tuple) d.readTerm();
        d.placeholders(false); // a message is dropped instead (see the catch below)
        int op = (int) (long) (Long) control.get(0);
        try {
            switch (op) {
                case Frames.SEND, Frames.SEND_TT, Frames.SEND_SENDER, Frames.SEND_SENDER_TT ->
                        deliver((Pid) control.get(2), d.readTerm());
                case Frames.REG_SEND, Frames.REG_SEND_TT ->
                        deliverNamed(c, (Pid) control.get(1), ((Atom) control.get(3)).name(), d.readTerm());
                case Frames.EXIT2, Frames.EXIT2_TT -> exitSignal((Pid) control.get(1), (Pid) control.get(2), control.get(control.arity() - 1));
                case Frames.LINK -> linkRequest(c, (Pid) control.get(1), (Pid) control.get(2));
                case Frames.EXIT, Frames.EXIT_TT -> links.exited((Pid) control.get(1), (Pid) control.get(2), control.get(control.arity() - 1));
                case Frames.UNLINK_ID -> {
                    links.unlinked((Pid) control.get(2), (Pid) control.get(3));
                    c.enqueue(Frames.frame(self,
                            Tuple.of((long) Frames.UNLINK_ID_ACK, control.get(1), control.get(3), control.get(2)), null));
                }
                case Frames.UNLINK_ID_ACK -> { } // our unlink took effect here at once; nothing waits for the ack
                case Frames.MONITOR_P_EXIT -> monitors.exited((ErlRef) control.get(3), control.get(4));
                case Frames.MONITOR_P -> monitor(c, (Pid) control.get(1), control.get(2), (ErlRef) control.get(3));
                case Frames.DEMONITOR_P -> demonitor((ErlRef) control.get(3));
                default -> LOG.log(System.Logger.Level.DEBUG, "ignored control message " + control + " from " + c.peer());
            }
        } catch (UnmappableTermException e) {
            LOG.log(System.Logger.Level.WARNING, "dropped a message from " + c.peer() + ": " + e.getMessage());
        } catch (StackOverflowError e) {
            // Decoding recurses per level of nesting: a term nested deeper than the carrier's stack allows (an
            // iolist 20,000 levels deep) is dropped, not the connection with every link and monitor over it.
            LOG.log(System.Logger.Level.WARNING, "dropped a message from " + c.peer() + ": nested too deep to decode here");
        }
    }

    private void deliver(Pid to, Object message) {
        if (!to.isRemote()) ApiAccess.procOf(to).deliver(local(message)); // a gone pid of ours is remote-looking: dropped
    }

    /**
     * OTP's gen_server protocol in the runtime's terms: {@code {'$gen_call', {From, Tag}, Request}}
     * becomes a {@link dev.preempt.Call} (its reply goes back as {@code {Tag, Reply}}), and
     * {@code {'$gen_cast', Request}} a {@link dev.preempt.Cast}; so a Preempt {@link dev.preempt.Server}
     * serves Erlang callers as it serves local ones.
     */
    private Object local(Object message) {
        if (message instanceof Tuple t && t.arity() == 3 && GEN_CALL.equals(t.get(0))
                && t.get(1) instanceof Tuple from && from.arity() == 2 && from.get(0) instanceof Pid caller && caller.isRemote()) {
            return new dev.preempt.Call(node.genCalls().put(caller, from.get(1)), caller, t.get(2));
        }
        if (message instanceof Tuple t && t.arity() == 2 && GEN_CAST.equals(t.get(0))) return new dev.preempt.Cast(t.get(1));
        return message;
    }

    private static final Atom GEN_CALL = Atom.of("$gen_call");
    private static final Atom GEN_CAST = Atom.of("$gen_cast");

    private void deliverNamed(Connection c, Pid from, String name, Object message) {
        if (name.equals("net_kernel")) {
            netKernel(c, message);
            return;
        }
        Optional<Pid> to = node.scheduler().whereis(name);
        to.ifPresent(p -> ApiAccess.procOf(p).deliver(local(message))); // an unknown name: dropped, as OTP does
    }

    /** {@code {'$gen_call', {From, Tag}, {is_auth, Node}}} → {@code {Tag, yes}}: what net_adm:ping asks. */
    private void netKernel(Connection c, Object message) {
        if (message instanceof Tuple t && t.arity() == 3 && t.get(0).equals(Atom.of("$gen_call"))
                && t.get(1) instanceof Tuple from && from.arity() == 2 && from.get(0) instanceof Pid caller
                && t.get(2) instanceof Tuple req && req.arity() == 2 && req.get(0).equals(Atom.of("is_auth"))) {
            c.enqueue(Frames.frame(node.identity(), Tuple.of((long) Frames.SEND_SENDER, node.noPid(), caller),
                    Tuple.of(from.get(1), Atom.of("yes"))));
        } else {
            LOG.log(System.Logger.Level.DEBUG, "ignored a net_kernel request from " + c.peer() + ": " + message);
        }
    }

    private void exitSignal(Pid from, Pid to, Object reason) {
        if (!to.isRemote()) ApiAccess.procOf(to).remoteExitSignal(from, Reasons.fromTerm(reason));
    }

    private void linkRequest(Connection c, Pid from, Pid to) {
        if (to.isRemote() || !Preempt.isAlive(to)) {
            c.enqueue(Frames.frame(node.identity(), Tuple.of((long) Frames.EXIT, to, from, Atom.of("noproc")), null));
        } else {
            links.linked(c, from, to);
        }
    }

    /**
     * A remote process monitors a local one (by pid or registered name). A watcher process on the node's
     * scheduler monitors it locally and passes its Down on as MONITOR_P_EXIT; a target that is not
     * there gets {@code noproc} at once.
     */
    private void monitor(Connection c, Pid watcher, Object target, ErlRef ref) {
        Identity self = node.identity();
        Pid local = null;
        if (target instanceof Pid p && !p.isRemote()) local = p;
        else if (target instanceof Atom a && !a.name().equals("net_kernel")) local = node.scheduler().whereis(a.name()).orElse(null);
        else if (target instanceof Atom) return; // net_kernel lives as long as the node: no Down ever
        if (local == null || !Preempt.isAlive(local)) {
            c.enqueue(Frames.frame(self, Tuple.of((long) Frames.MONITOR_P_EXIT, target, watcher, ref, Atom.of("noproc")), null));
            return;
        }
        Pid watched = local;
        Pid w = Watchers.spawnMonitoring(watched, m -> { // monitoring from the start: see Watchers
            Object msg = Preempt.receive(x -> x instanceof Down dn && dn.ref().equals(m) || x == STOP);
            if (msg instanceof Down dn) {
                watchers.remove(ref);
                c.enqueue(Frames.frame(self, Tuple.of((long) Frames.MONITOR_P_EXIT, target, watcher, ref,
                        Reasons.toTerm(dn.reason())), null));
            }
        });
        watchers.put(ref, new Watcher(w, c, watcher, watched));
    }

    /** The remote processes that monitor {@code local} (a racy snapshot, for the process listing). */
    java.util.List<Pid> monitorsOf(Pid local) {
        return watchers.values().stream().filter(w -> w.local().equals(local)).map(Watcher::remote).toList();
    }

    /** Whether {@code pid} is the watcher process of a remote monitor. */
    boolean isWatcher(Pid pid) {
        return watchers.values().stream().anyMatch(w -> w.pid().equals(pid));
    }

    private void demonitor(ErlRef ref) {
        Watcher w = watchers.remove(ref);
        if (w != null) Preempt.send(w.pid(), STOP);
    }

    /** The connection went down: its watchers have no one to tell any more, and end. */
    void connectionClosed(Connection c) {
        watchers.forEach((ref, w) -> {
            if (w.connection() == c && watchers.remove(ref, w)) Preempt.send(w.pid(), STOP);
        });
    }

    /** Tells a watcher its monitor was removed. */
    private static final Atom STOP = Atom.of("$preempt_dist_demonitor");
}
