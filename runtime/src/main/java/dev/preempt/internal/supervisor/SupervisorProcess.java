package dev.preempt.internal.supervisor;

import dev.preempt.Call;
import dev.preempt.Down;
import dev.preempt.Exit;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Ref;
import dev.preempt.Supervisor;
import dev.preempt.Supervisor.Child;
import dev.preempt.Supervisor.ChildSpec;
import dev.preempt.Supervisor.Counts;
import dev.preempt.Supervisor.Flags;
import dev.preempt.Supervisor.Restart;
import dev.preempt.Supervisor.Strategy;
import dev.preempt.internal.sched.Proc;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The supervisor's process: starts children in order, traps exits, restarts by strategy, counts
 * restarts against intensity/period, and answers the {@link Supervisor} requests. Everything here runs in
 * the supervisor process, so its state needs no locking.
 */
public final class SupervisorProcess {

    private static final System.Logger LOG = System.getLogger("dev.preempt.supervisor");

    // ---- requests (internal messages; they bypass the send policy: they hold start functions) ----
    /**
     * {@link Supervisor#startChild}.
     *
     * @param spec the new child's spec
     */
    public record StartChild(ChildSpec spec) {}

    /**
     * {@link Supervisor#terminateChild}: by id, or (pid not null) by pid.
     *
     * @param id the child's spec id, or null
     * @param pid the child's pid, or null
     */
    public record TerminateChild(String id, Pid pid) {}

    /**
     * {@link Supervisor#restartChild}.
     *
     * @param id the child's spec id
     */
    public record RestartChild(String id) {}

    /**
     * {@link Supervisor#deleteChild}.
     *
     * @param id the child's spec id
     */
    public record DeleteChild(String id) {}

    private record Stop() {}

    private record Failure(String message) {}

    /** The request of {@link Supervisor#whichChildren}. */
    public static final Object WHICH_CHILDREN = new Object();
    /** The request of {@link Supervisor#countChildren}. */
    public static final Object COUNT_CHILDREN = new Object();
    private static final Object STOP = new Stop();

    /** A child as the supervisor tracks it. */
    private static final class ChildState {
        final ChildSpec spec;
        Pid pid;

        ChildState(ChildSpec spec) {
            this.spec = spec;
        }
    }

    private final Flags flags;
    private final boolean dynamic;
    private final List<ChildSpec> initial;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final List<ChildState> children = new ArrayList<>();
    private final Map<Pid, ChildState> byPid = new HashMap<>();
    private final ArrayDeque<Long> recentRestarts = new ArrayDeque<>();
    private long restarts;
    private Pid parent;
    private Proc self;

    private SupervisorProcess(Flags flags, List<ChildSpec> initial, boolean dynamic) {
        this.flags = flags;
        this.initial = initial;
        this.dynamic = dynamic;
    }

    // =====================================================================================
    // Client side
    // =====================================================================================

    /**
     * Starts a supervisor and its children, and waits until they are all started.
     *
     * @param flags strategy and restart limit
     * @param children the children's specs, in start order
     * @param link whether to link the supervisor to the calling process
     * @param dynamic whether it is a dynamic supervisor (ids need not be unique; stopped in parallel)
     * @return the supervisor's pid
     * @throws IllegalStateException if a child fails to start (or, with {@code link}, the caller is not a process)
     */
    public static Pid start(Flags flags, List<ChildSpec> children, boolean link, boolean dynamic) {
        SupervisorProcess sp = new SupervisorProcess(flags, children, dynamic);
        Pid pid;
        Runnable body = new dev.preempt.internal.sched.Entry("supervisor (" + flags.strategy().name().toLowerCase(java.util.Locale.ROOT)
                + ", " + children.size() + " children" + (dynamic ? ", dynamic" : "") + ")", sp::run);
        if (link) {
            sp.parent = Preempt.self();
            pid = Preempt.spawnLink(body);
        } else {
            pid = Preempt.spawn(body);
        }
        try {
            sp.started.join(); // in a process this parks the process, not its carrier
        } catch (CompletionException e) {
            throw new IllegalStateException("supervisor failed to start: " + e.getCause().getMessage(), e.getCause());
        }
        return pid;
    }

    /**
     * Sends a request and waits for the answer (from a process or a plain thread).
     *
     * @param supervisor the supervisor
     * @param request one of the request records or objects above
     * @return the answer
     * @throws IllegalStateException if the supervisor refused the request (its message says why)
     * @throws dev.preempt.CallException if the supervisor is not there or died first
     */
    public static Object request(Pid supervisor, Object request) {
        Object answer = Proc.callFromAnywhere(supervisor, request, -1);
        if (answer instanceof Failure f) throw new IllegalStateException(f.message());
        return answer;
    }

    /**
     * Stops the supervisor (children first) and waits for it to answer.
     *
     * @param supervisor the supervisor
     */
    public static void stop(Pid supervisor) {
        request(supervisor, STOP);
    }

    // =====================================================================================
    // The supervisor process
    // =====================================================================================

    /** Live supervisors, for tools (the JMX view's supervision tree). */
    private static final java.util.Set<Proc> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The live supervisors of {@code sched}, by pid.
     *
     * @param sched the scheduler
     * @return their pids, sorted
     */
    public static List<Pid> live(dev.preempt.internal.sched.SchedulerCore sched) {
        return LIVE.stream().filter(p -> p.scheduler() == sched && p.isAlive()).map(Proc::pid).sorted().toList();
    }

    private void run() {
        self = Proc.current();
        LIVE.add(self);
        try {
            supervise();
        } finally {
            LIVE.remove(self);
        }
    }

    private void supervise() {
        Preempt.trapExits(true);
        try {
            for (ChildSpec spec : initial) {
                if (!dynamic && find(spec.id()) != null) throw new IllegalArgumentException("duplicate child id '" + spec.id() + "'");
                ChildState c = new ChildState(spec);
                children.add(c);
                startOne(c);
            }
        } catch (RuntimeException e) {
            terminateAll();
            if (parent != null) Preempt.unlink(parent); // the caller hears the failure from start itself
            started.completeExceptionally(e);
            Preempt.exit(ExitReason.shutdown("failed_to_start_child: " + e.getMessage()));
        }
        started.complete(null);
        while (true) {
            Object m = Preempt.receive();
            if (m instanceof Exit e) {
                if (e.from() != null && e.from().equals(parent)) {
                    terminateAll();
                    Preempt.exit(e.reason());
                }
                ChildState c = byPid.get(e.from());
                if (c != null) childExited(c, e.reason());
            } else if (m instanceof Call call) {
                Object answer;
                try {
                    answer = handle(call.request());
                } catch (RuntimeException ex) {
                    answer = new Failure(ex.getMessage());
                }
                Proc.replyTo(call, answer);
                if (call.request() == STOP) {
                    Preempt.exit(ExitReason.SHUTDOWN);
                }
            }
            // anything else is not for a supervisor: dropped
        }
    }

    private Object handle(Object request) {
        if (request instanceof StartChild sc) {
            ChildSpec spec = sc.spec();
            if (!dynamic && find(spec.id()) != null) {
                throw new IllegalStateException("a child with id '" + spec.id() + "' is already present");
            }
            ChildState c = new ChildState(spec);
            children.add(c);
            try {
                startOne(c);
            } catch (RuntimeException e) {
                children.remove(c);
                throw new IllegalStateException("child '" + spec.id() + "' failed to start: " + e, e);
            }
            return c.pid;
        }
        if (request instanceof TerminateChild tc) {
            ChildState c = tc.pid() != null ? byPid.get(tc.pid()) : find(tc.id());
            if (c == null) throw new IllegalStateException("no child " + (tc.pid() != null ? tc.pid() : "'" + tc.id() + "'"));
            terminate(c);
            if (dynamic || c.spec.restart() == Restart.TEMPORARY) children.remove(c);
            return Boolean.TRUE;
        }
        if (request instanceof RestartChild rc) {
            ChildState c = find(rc.id());
            if (c == null) throw new IllegalStateException("no child '" + rc.id() + "'");
            if (c.pid != null) throw new IllegalStateException("child '" + rc.id() + "' is running");
            startOne(c);
            return c.pid;
        }
        if (request instanceof DeleteChild dc) {
            ChildState c = find(dc.id());
            if (c == null) throw new IllegalStateException("no child '" + dc.id() + "'");
            if (c.pid != null) throw new IllegalStateException("child '" + dc.id() + "' is running; terminate it first");
            children.remove(c);
            return Boolean.TRUE;
        }
        if (request == WHICH_CHILDREN) {
            List<Child> out = new ArrayList<>();
            for (ChildState c : children) {
                out.add(new Child(c.spec.id(), Optional.ofNullable(c.pid), c.spec.type(), c.spec.restart()));
            }
            return List.copyOf(out);
        }
        if (request == COUNT_CHILDREN) {
            int active = 0, sups = 0;
            for (ChildState c : children) {
                if (c.pid != null) active++;
                if (c.spec.type() == Supervisor.Type.SUPERVISOR) sups++;
            }
            return new Counts(children.size(), active, sups, children.size() - sups, restarts);
        }
        if (request == STOP) {
            terminateAll();
            return Boolean.TRUE;
        }
        throw new IllegalStateException("unknown supervisor request " + request);
    }

    private ChildState find(String id) {
        for (ChildState c : children) {
            if (c.spec.id().equals(id)) return c;
        }
        return null;
    }

    private void startOne(ChildState c) {
        Pid pid = c.spec.start().get();
        if (pid == null) throw new IllegalStateException("the start function of '" + c.spec.id() + "' returned no pid");
        c.pid = pid;
        byPid.put(pid, c);
    }

    // ---- exits and restarts ----

    private void childExited(ChildState c, ExitReason reason) {
        byPid.remove(c.pid);
        Pid old = c.pid;
        c.pid = null;
        if (!reason.isNormal() && !reason.isShutdown()) {
            // OTP's supervisor report: every child crash, with its stack (the child's own crash report is
            // not made: a supervisor links to it, see CrashReports)
            LOG.log(Level.ERROR, () -> "supervisor " + self.pid() + ": child '" + c.spec.id() + "' " + old
                    + " exited with " + reason, reason.exceptionCause().orElse(null));
        }
        boolean restart = switch (c.spec.restart()) {
            case PERMANENT -> true;
            case TRANSIENT -> !(reason.isNormal() || reason.isShutdown());
            case TEMPORARY -> false;
        };
        if (!restart) {
            if (dynamic || c.spec.restart() == Restart.TEMPORARY) children.remove(c);
            return;
        }
        if (!countRestart()) {
            LOG.log(Level.ERROR, () -> "supervisor " + self.pid() + " reached its restart intensity (" + flags.intensity()
                    + " in " + flags.period() + ") when child '" + c.spec.id() + "' " + old + " exited with " + reason
                    + "; shutting down", reason.exceptionCause().orElse(null));
            terminateAll();
            Preempt.exit(ExitReason.SHUTDOWN);
        }
        int at = children.indexOf(c);
        List<ChildState> again = switch (flags.strategy()) {
            case ONE_FOR_ONE -> List.of(c);
            case ONE_FOR_ALL -> new ArrayList<>(children);
            case REST_FOR_ONE -> new ArrayList<>(children.subList(at, children.size()));
        };
        if (flags.strategy() != Strategy.ONE_FOR_ONE) {
            for (int i = again.size() - 1; i >= 0; i--) {
                ChildState o = again.get(i);
                if (o == c) continue;
                terminate(o);
                if (o.spec.restart() == Restart.TEMPORARY) {
                    children.remove(o);
                    again.remove(i);
                }
            }
        }
        for (ChildState o : again) {
            if (o == c) {
                restartOne(c, old, reason);
            } else {
                restartOne(o, null, ExitReason.SHUTDOWN);
            }
        }
    }

    /** Starts {@code c} again; a start that fails counts as another restart (and may end the supervisor). */
    private void restartOne(ChildState c, Pid old, ExitReason why) {
        while (true) {
            try {
                startOne(c);
                restarts++;
                Pid now = c.pid;
                self.scheduler().supervisorRestart(self.pid(), c.spec.id(), old, now, why);
                LOG.log(Level.INFO, () -> "supervisor " + self.pid() + ": restarted child '" + c.spec.id() + "' as " + now
                        + (old == null ? "" : " (was " + old + ", " + why + ")"));
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, () -> "supervisor " + self.pid() + ": restarting child '" + c.spec.id() + "' failed", e);
                if (!countRestart()) {
                    terminateAll();
                    Preempt.exit(ExitReason.SHUTDOWN);
                }
            }
        }
    }

    /** Records a restart; false if that makes more than intensity restarts within the period. */
    private boolean countRestart() {
        long now = Preempt.nanoTime();
        long window = flags.period().toNanos();
        recentRestarts.addLast(now);
        while (!recentRestarts.isEmpty() && now - recentRestarts.peekFirst() > window) recentRestarts.pollFirst();
        return recentRestarts.size() <= flags.intensity();
    }

    // ---- stopping children ----

    /** All children, in reverse start order (a dynamic supervisor's in parallel). */
    private void terminateAll() {
        if (dynamic) {
            terminateInParallel();
            return;
        }
        for (int i = children.size() - 1; i >= 0; i--) terminate(children.get(i));
    }

    /**
     * Stops one child by its shutdown spec. Like OTP: monitor it, unlink (an exit it sent already is
     * flushed), send the exit signal, wait for its Down; kill it if the timeout passes.
     */
    private void terminate(ChildState c) {
        Pid pid = c.pid;
        if (pid == null) return;
        byPid.remove(pid);
        c.pid = null;
        Ref ref = Preempt.monitor(pid);
        Preempt.unlink(pid);
        Preempt.receive(m -> m instanceof Exit e && pid.equals(e.from()), Duration.ZERO);
        Supervisor.Shutdown s = c.spec.shutdown();
        if (s.brutal()) {
            Preempt.exit(pid, ExitReason.KILL);
            awaitDown(ref, null);
            return;
        }
        Preempt.exit(pid, ExitReason.SHUTDOWN);
        if (!awaitDown(ref, s.timeout())) {
            Preempt.exit(pid, ExitReason.KILL);
            awaitDown(ref, null);
        }
    }

    private void terminateInParallel() {
        Map<Ref, Pid> waiting = new HashMap<>();
        Duration longest = Duration.ZERO;
        boolean forever = false;
        for (ChildState c : children) {
            Pid pid = c.pid;
            if (pid == null) continue;
            byPid.remove(pid);
            c.pid = null;
            Ref ref = Preempt.monitor(pid);
            Preempt.unlink(pid);
            Preempt.receive(m -> m instanceof Exit e && pid.equals(e.from()), Duration.ZERO);
            Supervisor.Shutdown s = c.spec.shutdown();
            Preempt.exit(pid, s.brutal() ? ExitReason.KILL : ExitReason.SHUTDOWN);
            waiting.put(ref, pid);
            if (s.timeout() == null) forever = true;
            else if (s.timeout().compareTo(longest) > 0) longest = s.timeout();
        }
        long deadline = Preempt.nanoTime() + longest.toNanos();
        while (!waiting.isEmpty()) {
            Optional<Object> d;
            if (forever) {
                d = Optional.of(Preempt.receive(m -> m instanceof Down dn && waiting.containsKey(dn.ref())));
            } else {
                long left = Math.max(0, deadline - Preempt.nanoTime());
                d = Preempt.receive(m -> m instanceof Down dn && waiting.containsKey(dn.ref()), Duration.ofNanos(left));
            }
            if (d.isEmpty()) break;
            waiting.remove(((Down) d.get()).ref());
        }
        for (Pid pid : waiting.values()) Preempt.exit(pid, ExitReason.KILL); // past their shutdown timeout
        while (!waiting.isEmpty()) {
            Down d = (Down) Preempt.receive(m -> m instanceof Down dn && waiting.containsKey(dn.ref()));
            waiting.remove(d.ref());
        }
        children.clear();
    }

    /** Waits for the Down of {@code ref}; false on timeout (null: no timeout). */
    private static boolean awaitDown(Ref ref, Duration timeout) {
        if (timeout == null) {
            Preempt.receive(m -> m instanceof Down d && d.ref().equals(ref));
            return true;
        }
        return Preempt.receive(m -> m instanceof Down d && d.ref().equals(ref), timeout).isPresent();
    }
}
