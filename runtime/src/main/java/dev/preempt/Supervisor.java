package dev.preempt;

import dev.preempt.internal.sched.Entry;

import dev.preempt.internal.supervisor.SupervisorProcess;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * OTP supervisors: a process that starts children from {@link ChildSpec child specs}, traps their
 * exits, and restarts them by its {@link Strategy strategy} and each child's {@link Restart restart}
 * type. More than {@code intensity} restarts within {@code period} and it stops all children (in
 * reverse start order) and then itself, with reason {@code shutdown}, so the failure escalates to its own
 * supervisor. Supervisors nest into trees.
 *
 * <pre>{@code
 * Pid sup = Supervisor.start(Supervisor.Flags.oneForOne(),
 *         List.of(Supervisor.ChildSpec.worker("db", Db::loop),
 *                 Supervisor.ChildSpec.worker("cache", Cache::loop).restart(Supervisor.Restart.TRANSIENT),
 *                 Supervisor.ChildSpec.supervisor("workers", Supervisor.Flags.oneForAll(), workerSpecs)));
 * }</pre>
 *
 * <p>Differences from OTP, all forced by Java having callers that are not processes: every function here
 * may also be called from a plain thread (it then waits for the answer on that thread); and a child's
 * start function is a {@code Supplier<Pid>} that must return a process linked to the supervisor
 * ({@link ChildSpec#worker} and {@link ChildSpec#supervisor} do this for you).
 */
public final class Supervisor {

    private Supervisor() {}

    private static Pid startLinkedWorker(String id, Runnable body) {
        dev.preempt.internal.sched.Proc self = dev.preempt.internal.sched.Proc.require("starting a worker");
        String entry = "worker '" + id + "' of supervisor " + self.pid() + ": " + Entry.describe(body);
        return self.scheduler().spawnAndAwaitReady(self, ready -> new Entry(entry, () -> {
            ready.run();
            body.run();
        })).pid();
    }

    /** How the death of one child affects the others. */
    public enum Strategy {
        /** Restart only the child that died. */
        ONE_FOR_ONE,
        /** Stop all the others (in reverse order) and restart them all (in order). */
        ONE_FOR_ALL,
        /** Stop the children started after it (in reverse order) and restart it and them (in order). */
        REST_FOR_ONE
    }

    /** When a child is restarted. */
    public enum Restart {
        /** Always. */
        PERMANENT,
        /** Only after an abnormal exit: not after {@code normal}, {@code shutdown} or {@code {shutdown, _}}. */
        TRANSIENT,
        /** Never; its spec is removed when it ends. */
        TEMPORARY
    }

    /** Whether a child is a worker or a supervisor (it changes the default shutdown). */
    public enum Type { WORKER, SUPERVISOR }

    /**
     * How a child is stopped: {@link #brutalKill()} (kill at once), {@link #timeout} (exit signal
     * {@code shutdown}, then kill if it is not gone in time) or {@link #infinity()} (wait as long as it takes).
     *
     * @param brutal kill at once
     * @param timeout how long to wait after {@code shutdown} before killing; null: forever
     */
    public record Shutdown(boolean brutal, Duration timeout) {
        public static Shutdown brutalKill() {
            return new Shutdown(true, Duration.ZERO);
        }

        public static Shutdown timeout(Duration d) {
            return new Shutdown(false, Objects.requireNonNull(d, "timeout"));
        }

        public static Shutdown infinity() {
            return new Shutdown(false, null);
        }
    }

    /**
     * A supervisor's flags.
     *
     * @param strategy restart strategy
     * @param intensity the most restarts allowed within {@code period} (default 1)
     * @param period the window for {@code intensity} (default 5 s)
     */
    public record Flags(Strategy strategy, int intensity, Duration period) {
        public Flags {
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(period, "period");
            if (intensity < 0) throw new IllegalArgumentException("intensity must not be negative");
            if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be positive");
        }

        public static Flags oneForOne() {
            return new Flags(Strategy.ONE_FOR_ONE, 1, Duration.ofSeconds(5));
        }

        public static Flags oneForAll() {
            return new Flags(Strategy.ONE_FOR_ALL, 1, Duration.ofSeconds(5));
        }

        public static Flags restForOne() {
            return new Flags(Strategy.REST_FOR_ONE, 1, Duration.ofSeconds(5));
        }

        /** The same strategy with another restart limit. */
        public Flags intensity(int restarts, Duration within) {
            return new Flags(strategy, restarts, within);
        }
    }

    /**
     * How to start and supervise one child.
     *
     * @param id unique among the supervisor's children
     * @param start runs in the supervisor process; returns a new process linked to it
     * @param restart when to restart it
     * @param shutdown how to stop it
     * @param type worker or supervisor
     */
    public record ChildSpec(String id, Supplier<Pid> start, Restart restart, Shutdown shutdown, Type type) {
        public ChildSpec {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(restart, "restart");
            Objects.requireNonNull(shutdown, "shutdown");
            Objects.requireNonNull(type, "type");
        }

        /**
         * A permanent worker that runs {@code body}, stopped with a 5 s timeout. It counts as started
         * once its body has begun, so children start in order.
         */
        public static ChildSpec worker(String id, Runnable body) {
            Objects.requireNonNull(body, "body");
            return new ChildSpec(id, () -> startLinkedWorker(id, body), Restart.PERMANENT,
                    Shutdown.timeout(Duration.ofSeconds(5)), Type.WORKER);
        }

        /** A permanent worker running a {@link Server}, started (its {@code init} done) before the next child. */
        public static ChildSpec server(String id, Supplier<? extends Server<?>> server) {
            Objects.requireNonNull(server, "server");
            return new ChildSpec(id, () -> Server.startLink(server.get()), Restart.PERMANENT,
                    Shutdown.timeout(Duration.ofSeconds(5)), Type.WORKER);
        }

        /**
         * {@link #server(String, Supplier)} registered as {@code name} before each start's {@code init}
         * (every restart registers it again), so that clients can always reach it by name.
         */
        public static ChildSpec server(String id, String name, Supplier<? extends Server<?>> server) {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(name, "name");
            return new ChildSpec(id, () -> Server.startLink(name, server.get()), Restart.PERMANENT,
                    Shutdown.timeout(Duration.ofSeconds(5)), Type.WORKER);
        }

        /** A permanent child supervisor with its own children; waited for as long as it takes to stop. */
        public static ChildSpec supervisor(String id, Flags flags, List<ChildSpec> children) {
            List<ChildSpec> copy = List.copyOf(children);
            return new ChildSpec(id, () -> startLink(flags, copy), Restart.PERMANENT, Shutdown.infinity(), Type.SUPERVISOR);
        }

        public ChildSpec restart(Restart r) {
            return new ChildSpec(id, start, r, shutdown, type);
        }

        public ChildSpec shutdown(Shutdown s) {
            return new ChildSpec(id, start, restart, s, type);
        }
    }

    /**
     * A child as {@link #whichChildren} reports it.
     *
     * @param id its spec's id
     * @param pid its process, empty while it is not running (a transient child that ended normally, say)
     * @param type worker or supervisor
     * @param restart its restart type
     */
    public record Child(String id, Optional<Pid> pid, Type type, Restart restart) {}

    /**
     * Counts, like OTP's {@code count_children}, plus the restarts so far.
     *
     * @param specs child specs
     * @param active children running
     * @param supervisors child specs of type supervisor
     * @param workers child specs of type worker
     * @param restarts restarts made since the supervisor started
     */
    public record Counts(int specs, int active, int supervisors, int workers, long restarts) {}

    /**
     * Starts a supervisor (not linked to the caller) and its children, in order. Returns once they are
     * all started; if one fails to start, those already started are stopped and this throws.
     */
    public static Pid start(Flags flags, List<ChildSpec> children) {
        return SupervisorProcess.start(flags, List.copyOf(children), false, false);
    }

    /** Like {@link #start} but linked to the calling process, which must be one (OTP's {@code start_link}). */
    public static Pid startLink(Flags flags, List<ChildSpec> children) {
        return SupervisorProcess.start(flags, List.copyOf(children), true, false);
    }

    /**
     * Starts a dynamic supervisor: one for one, no children at first, children added at run time with
     * {@link #startChild} (ids need not be unique), stopped in parallel when it stops.
     */
    public static Pid startDynamic(int intensity, Duration period) {
        return SupervisorProcess.start(new Flags(Strategy.ONE_FOR_ONE, intensity, period), List.of(), false, true);
    }

    /** Adds and starts a child; returns its pid. IllegalStateException if the id is taken or the start fails. */
    public static Pid startChild(Pid supervisor, ChildSpec spec) {
        return (Pid) SupervisorProcess.request(supervisor, new SupervisorProcess.StartChild(spec));
    }

    /** Stops a child (by its spec's id) but keeps its spec; a dynamic supervisor's child goes away entirely. */
    public static void terminateChild(Pid supervisor, String id) {
        SupervisorProcess.request(supervisor, new SupervisorProcess.TerminateChild(id, null));
    }

    /** Stops a child of a dynamic supervisor by pid. */
    public static void terminateChild(Pid supervisor, Pid child) {
        SupervisorProcess.request(supervisor, new SupervisorProcess.TerminateChild(null, child));
    }

    /** Starts again a child that was stopped with {@link #terminateChild(Pid, String)}. */
    public static Pid restartChild(Pid supervisor, String id) {
        return (Pid) SupervisorProcess.request(supervisor, new SupervisorProcess.RestartChild(id));
    }

    /** Removes the spec of a stopped child. */
    public static void deleteChild(Pid supervisor, String id) {
        SupervisorProcess.request(supervisor, new SupervisorProcess.DeleteChild(id));
    }

    /** The children, in start order. */
    @SuppressWarnings("unchecked")
    public static List<Child> whichChildren(Pid supervisor) {
        return (List<Child>) SupervisorProcess.request(supervisor, SupervisorProcess.WHICH_CHILDREN);
    }

    public static Counts countChildren(Pid supervisor) {
        return (Counts) SupervisorProcess.request(supervisor, SupervisorProcess.COUNT_CHILDREN);
    }

    /** Stops the supervisor: its children in reverse order (a dynamic one's in parallel), then itself (reason shutdown). Waits. */
    public static void stop(Pid supervisor) {
        SupervisorProcess.stop(supervisor);
    }
}
