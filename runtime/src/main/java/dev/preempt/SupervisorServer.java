package dev.preempt;

import dev.preempt.Supervisor.Child;
import dev.preempt.Supervisor.ChildSpec;
import dev.preempt.Supervisor.Counts;
import dev.preempt.Supervisor.Flags;
import dev.preempt.Supervisor.Restart;
import dev.preempt.Supervisor.Strategy;
import dev.preempt.internal.sched.Entry;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.SchedulerCore;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The supervisor behaviour built on the {@link Server} behaviour, as OTP builds {@code supervisor} on
 * {@code gen_server}: {@link #init} starts the children in order (trapping exits), {@link #handleCall}
 * answers the {@link Request}s behind {@link Supervisor}'s functions, {@link #handleInfo} hears the
 * children's exits and restarts them by strategy, counting restarts against intensity and period, and
 * {@link #terminate} stops the children in reverse order. An exit from the process that started it
 * with {@code startLink} ends it through {@link ServerLoop}, as it ends any linked server.
 *
 * <p><b>Thread contract.</b> Everything but {@link #start} and {@link #request} runs in the supervisor's
 * own process: its child table needs no locking. {@link #start} and {@link #request} run in the caller
 * (a process or a plain thread).
 *
 * <p>Requests and replies bypass the send policy: a {@link ChildSpec} holds a start function, and a
 * refused request's reply holds the exception (its cause is kept for the caller).
 */
final class SupervisorServer implements Server<SupervisorServer> {

    private static final System.Logger LOG = System.getLogger("dev.preempt.supervisor");

    // ---- requests: one record each, typed by what the supervisor replies ----

    /** A request to a supervisor; {@code R} is what it replies. */
    sealed interface Request<R> {}

    /** {@link Supervisor#startChild}: replies the new child's pid. */
    record StartChild(ChildSpec spec) implements Request<Pid> {}

    /** {@link Supervisor#terminateChild(Pid, String)}. */
    record TerminateById(String id) implements Request<Boolean> {}

    /** {@link Supervisor#terminateChild(Pid, Pid)}. */
    record TerminateByPid(Pid pid) implements Request<Boolean> {}

    /** {@link Supervisor#restartChild}: replies the restarted child's pid. */
    record RestartChild(String id) implements Request<Pid> {}

    /** {@link Supervisor#deleteChild}. */
    record DeleteChild(String id) implements Request<Boolean> {}

    /** {@link Supervisor#whichChildren}. */
    record WhichChildren() implements Request<List<Child>> {}

    /** {@link Supervisor#countChildren}. */
    record CountChildren() implements Request<Counts> {}

    /** {@link Supervisor#stop}: the children are stopped before the reply. */
    record Stop() implements Request<Boolean> {}

    /** The reply to a request the supervisor refused: the caller rethrows with {@code cause} kept. */
    private record Refused(RuntimeException cause) {}

    /** A child as the supervisor tracks it. */
    private static final class ChildState {
        final ChildSpec spec;
        Pid pid;

        ChildState(ChildSpec spec) {
            this.spec = spec;
        }
    }

    private final Flags flags;
    /** A dynamic supervisor: ids need not be unique, children are stopped in parallel and forgotten when they end. */
    private final boolean dynamic;
    private final List<ChildSpec> initial;
    private final List<ChildState> children = new ArrayList<>();
    private final Map<Pid, ChildState> byPid = new HashMap<>();
    private final ArrayDeque<Long> recentRestarts = new ArrayDeque<>();
    private long restarts;
    private Proc self;
    /** The process that started this one with startLink, or null; written before the process starts. */
    private Pid parent;
    /** Written by the supervisor's process when a child failed to start in {@link #init}; read by the starter after the exit. */
    private volatile RuntimeException startFailure;

    private SupervisorServer(Flags flags, List<ChildSpec> initial, boolean dynamic) {
        this.flags = flags;
        this.initial = List.copyOf(initial);
        this.dynamic = dynamic;
    }

    /** A supervisor of {@code children}, started in order. */
    static SupervisorServer of(Flags flags, List<ChildSpec> children) {
        return new SupervisorServer(flags, children, false);
    }

    /** A dynamic supervisor: no children at first, one-for-one. */
    static SupervisorServer dynamic(int intensity, Duration period) {
        return new SupervisorServer(new Flags(Strategy.ONE_FOR_ONE, intensity, period), List.of(), true);
    }

    // =====================================================================================
    // Client side
    // =====================================================================================

    /**
     * Starts this supervisor and its children and returns once they are all started.
     *
     * @param linkTo the calling process to link to (startLink), or null
     * @return the supervisor's pid
     * @throws IllegalStateException if a child fails to start (its exception is the cause)
     */
    Pid start(Proc linkTo) {
        SchedulerCore core = linkTo != null ? linkTo.scheduler() : Preempt.core();
        String entry = "supervisor (" + flags.strategy().name().toLowerCase(Locale.ROOT) + ", " + initial.size()
                + " children" + (dynamic ? ", dynamic" : "") + ")";
        parent = linkTo != null ? linkTo.pid() : null;
        try {
            return core.spawnAndAwaitReady(linkTo, ready -> new Entry(entry, () -> ServerLoop.run(this, null, parent, ready))).pid();
        } catch (IllegalStateException e) {
            RuntimeException why = startFailure;
            if (why == null) throw e;
            throw new IllegalStateException("supervisor failed to start: " + why.getMessage(), why.getCause());
        }
    }

    /**
     * Sends {@code request} and waits for the reply (from a process or a plain thread).
     *
     * @throws IllegalStateException if the supervisor refused the request (the cause is its exception)
     * @throws CallException if the supervisor is not there or died first
     */
    @SuppressWarnings("unchecked") // handleCall replies to a Request<R> with an R, or with Refused
    static <R> R request(Pid supervisor, Request<R> request) {
        Object answer = Proc.callFromAnywhere(supervisor, request, -1);
        if (answer instanceof Refused r) throw new IllegalStateException(r.cause().getMessage(), r.cause());
        return (R) answer;
    }

    // =====================================================================================
    // The supervisor process: Server callbacks
    // =====================================================================================

    @Override
    public boolean trapExits() {
        return true;
    }

    @Override
    public SupervisorServer init() {
        self = Proc.current();
        Pid me = self.pid();
        self.scheduler().supervisorStarted(self, () -> request(me, new WhichChildren()));
        String starting = null;
        try {
            for (ChildSpec spec : initial) {
                if (!dynamic && find(spec.id()) != null) throw new IllegalArgumentException("duplicate child id '" + spec.id() + "'");
                starting = spec.id();
                ChildState c = new ChildState(spec);
                children.add(c);
                startOne(c);
            }
        } catch (RuntimeException e) {
            terminateAll();
            // The starter hears of the failure from start itself (with this exception as the cause), not
            // through the link: a shutdown reason, so no crash report either (the child's own was made).
            // OTP's {shutdown, {failed_to_start_child, Id, Reason}} and its start_error report name the child.
            String child = starting == null ? "" : "child '" + starting + "': ";
            LOG.log(Level.ERROR, () -> "supervisor " + self.pid() + " failed to start " + child + e.getMessage(), e);
            if (parent != null) Preempt.unlink(parent);
            startFailure = new IllegalStateException(child + e.getMessage(), e);
            Preempt.exit(ExitReason.shutdown("failed_to_start_child: " + child + e.getMessage()));
        }
        return this;
    }

    @Override
    public Result<SupervisorServer> handleCall(Object request, Call from, SupervisorServer state) {
        Object answer;
        try {
            answer = handle((Request<?>) request);
        } catch (RuntimeException e) {
            answer = new Refused(e);
        }
        Proc.replyTo(from, answer); // past the send policy (see the class comment)
        return request instanceof Stop ? Result.stop(ExitReason.SHUTDOWN, this) : Result.noReply(this);
    }

    @Override
    public Result<SupervisorServer> handleInfo(Object message, SupervisorServer state) {
        if (message instanceof Exit e) {
            ChildState c = byPid.get(e.from());
            if (c != null && !childExited(c, e.reason())) return Result.stop(ExitReason.SHUTDOWN, this);
        }
        return Result.noReply(this); // anything else is not for a supervisor: dropped
    }

    @Override
    public void terminate(ExitReason reason, SupervisorServer state) {
        terminateAll();
        self.scheduler().supervisorEnded(self);
    }

    private Object handle(Request<?> request) {
        return switch (request) {
            case StartChild sc -> {
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
                yield c.pid;
            }
            case TerminateById t -> terminateChild(find(t.id()), "'" + t.id() + "'");
            case TerminateByPid t -> terminateChild(byPid.get(t.pid()), String.valueOf(t.pid()));
            case RestartChild rc -> {
                ChildState c = existing(rc.id());
                if (c.pid != null) throw new IllegalStateException("child '" + rc.id() + "' is running");
                startOne(c);
                yield c.pid;
            }
            case DeleteChild dc -> {
                ChildState c = existing(dc.id());
                if (c.pid != null) throw new IllegalStateException("child '" + dc.id() + "' is running; terminate it first");
                children.remove(c);
                yield Boolean.TRUE;
            }
            case WhichChildren w -> {
                List<Child> out = new ArrayList<>();
                for (ChildState c : children) {
                    out.add(new Child(c.spec.id(), Optional.ofNullable(c.pid), c.spec.type(), c.spec.restart()));
                }
                yield List.copyOf(out);
            }
            case CountChildren cc -> {
                int active = 0, sups = 0;
                for (ChildState c : children) {
                    if (c.pid != null) active++;
                    if (c.spec.type() == Supervisor.Type.SUPERVISOR) sups++;
                }
                yield new Counts(children.size(), active, sups, children.size() - sups, restarts);
            }
            case Stop s -> {
                terminateAll();
                yield Boolean.TRUE;
            }
        };
    }

    private Boolean terminateChild(ChildState c, String which) {
        if (c == null) throw new IllegalStateException("no child " + which);
        terminate(c);
        if (dynamic || c.spec.restart() == Restart.TEMPORARY) children.remove(c);
        return Boolean.TRUE;
    }

    private ChildState existing(String id) {
        ChildState c = find(id);
        if (c == null) throw new IllegalStateException("no child '" + id + "'");
        return c;
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

    /** A child ended: restart what its strategy says. False if the restart intensity is exceeded (then stop). */
    private boolean childExited(ChildState c, ExitReason reason) {
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
            return true;
        }
        if (!countRestart()) {
            LOG.log(Level.ERROR, () -> "supervisor " + self.pid() + " reached its restart intensity (" + flags.intensity()
                    + " in " + flags.period() + ") when child '" + c.spec.id() + "' " + old + " exited with " + reason
                    + "; shutting down", reason.exceptionCause().orElse(null));
            return false;
        }
        int at = children.indexOf(c);
        List<ChildState> again = switch (flags.strategy()) {
            case ONE_FOR_ONE -> new ArrayList<>(List.of(c));
            case ONE_FOR_ALL -> new ArrayList<>(children);
            case REST_FOR_ONE -> new ArrayList<>(children.subList(at, children.size()));
        };
        for (int i = again.size() - 1; i >= 0; i--) { // the others stop in reverse start order
            ChildState o = again.get(i);
            if (o == c) continue;
            terminate(o);
            if (o.spec.restart() == Restart.TEMPORARY) {
                children.remove(o);
                again.remove(i);
            }
        }
        for (ChildState o : again) {
            if (!(o == c ? restartOne(c, old, reason) : restartOne(o, null, ExitReason.SHUTDOWN))) return false;
        }
        return true;
    }

    /** Starts {@code c} again; a start that fails counts as another restart. False if that exceeds the intensity. */
    private boolean restartOne(ChildState c, Pid old, ExitReason why) {
        while (true) {
            try {
                startOne(c);
                restarts++;
                Pid now = c.pid;
                self.scheduler().supervisorRestart(self.pid(), c.spec.id(), old, now, why);
                LOG.log(Level.INFO, () -> "supervisor " + self.pid() + ": restarted child '" + c.spec.id() + "' as " + now
                        + (old == null ? "" : " (was " + old + ", " + why + ")"));
                return true;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, () -> "supervisor " + self.pid() + ": restarting child '" + c.spec.id() + "' failed", e);
                if (!countRestart()) return false;
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

    /** All children, in reverse start order (a dynamic supervisor's in parallel, and forgotten). */
    private void terminateAll() {
        if (dynamic) {
            terminate(children);
            children.clear();
            return;
        }
        for (int i = children.size() - 1; i >= 0; i--) terminate(children.get(i));
    }

    /** Stops one child by its shutdown spec. */
    private void terminate(ChildState c) {
        terminate(List.of(c));
    }

    /**
     * Stops {@code cs} as OTP does, all at once: monitor each, unlink (an exit it sent already is
     * flushed), send the exit signal (kill for brutal_kill), and wait for the Downs; a child still there
     * after its shutdown timeout is killed. One child at a time gives reverse start order; a dynamic
     * supervisor passes all of them and they stop in parallel.
     */
    private void terminate(List<ChildState> cs) {
        Map<Ref, Pid> waiting = new HashMap<>();
        Duration longest = Duration.ZERO;
        boolean forever = false; // an infinity shutdown: wait for the Down as long as it takes
        for (ChildState c : cs) {
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
        if (waiting.isEmpty()) return;
        long deadline = Preempt.nanoTime() + longest.toNanos();
        while (!waiting.isEmpty()) {
            Optional<Object> d = forever
                    ? Optional.of(Preempt.receive(m -> m instanceof Down dn && waiting.containsKey(dn.ref())))
                    : Preempt.receive(m -> m instanceof Down dn && waiting.containsKey(dn.ref()),
                            Duration.ofNanos(Math.max(0, deadline - Preempt.nanoTime())));
            if (d.isEmpty()) break;
            waiting.remove(((Down) d.get()).ref());
        }
        for (Pid pid : waiting.values()) Preempt.exit(pid, ExitReason.KILL); // past their shutdown timeout
        boolean warned = false;
        while (!waiting.isEmpty()) {
            Optional<Object> d = Preempt.receive(m -> m instanceof Down dn && waiting.containsKey(dn.ref()), KILLED_BY);
            if (d.isPresent()) {
                waiting.remove(((Down) d.get()).ref());
            } else if (!warned) {
                warned = true;
                for (Pid pid : waiting.values()) warnNotEnded(pid);
            }
        }
    }

    /** How long a killed child may take to end before the supervisor says where it waits (it waits on). */
    private static final Duration KILLED_BY = Duration.ofSeconds(5);

    /**
     * A child killed {@link #KILLED_BY} ago is still there: it waits in a call that ignores interrupts
     * ({@code synchronized} entry, a file or pipe read, a {@code lock()} or {@code join()} in code the
     * agent did not rewrite), where a kill lands only once the call is over; or it waits inside a library's
     * code, which a kill interrupts only 5 s after it came ({@code Proc.interruptParked}), or runs there
     * (stopped at a tick 5 s of its own time later, {@code ExitSites}). The supervisor goes on waiting, as OTP's
     * does (a child is gone before anything else happens), but not silently.
     */
    private void warnNotEnded(Pid pid) {
        String stack = Preempt.processInfo(pid).map(i -> i.stack().stream().limit(12).map(e -> "\n\tat " + e)
                .collect(java.util.stream.Collectors.joining())).orElse("");
        LOG.log(Level.WARNING, () -> "supervisor " + self.pid() + ": child " + pid + " has not ended " + KILLED_BY.toSeconds()
                + " s after it was killed; it waits in a call that ignores interrupts (synchronized entry, a file or pipe"
                + " read, or a lock() or join() in code the agent did not rewrite), or waits or runs inside a library's code,"
                + " where a kill lands only after 5 s more; the supervisor waits for it" + stack);
    }
}
