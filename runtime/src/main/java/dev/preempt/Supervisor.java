package dev.preempt;

import dev.preempt.internal.sched.Entry;
import dev.preempt.internal.sched.Proc;
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
        Proc self = Proc.require("starting a worker");
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
    public enum Type {
        /** A process that does work ({@link ChildSpec#worker} stops it with a 5 s timeout). */
        WORKER,
        /** A supervisor with children of its own ({@link ChildSpec#supervisor} waits for it as long as it takes). */
        SUPERVISOR
    }

    /**
     * How a child is stopped: {@link #brutalKill()} (kill at once), {@link #timeout} (exit signal
     * {@code shutdown}, then kill if it is not gone in time) or {@link #infinity()} (wait as long as it takes).
     *
     * @param brutal kill at once
     * @param timeout how long to wait after {@code shutdown} before killing; null: forever
     */
    public record Shutdown(boolean brutal, Duration timeout) {
        /**
         * Kill the child at once ({@link ExitReason#KILL}): it cannot clean up.
         *
         * @return the shutdown
         */
        public static Shutdown brutalKill() {
            return new Shutdown(true, Duration.ZERO);
        }

        /**
         * Send the child the exit signal {@code shutdown} and kill it if it has not ended after {@code d}.
         *
         * @param d how long the child has to end; not null
         * @return the shutdown
         */
        public static Shutdown timeout(Duration d) {
            return new Shutdown(false, Objects.requireNonNull(d, "timeout"));
        }

        /**
         * Send the child the exit signal {@code shutdown} and wait as long as it takes to end: the
         * default for child supervisors.
         *
         * @return the shutdown
         */
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
        /**
         * Checks the flags.
         *
         * @param strategy restart strategy; not null
         * @param intensity the most restarts allowed within {@code period}; not negative
         * @param period the window for {@code intensity}; positive
         * @throws IllegalArgumentException if {@code intensity} is negative or {@code period} is not positive
         */
        public Flags {
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(period, "period");
            if (intensity < 0) throw new IllegalArgumentException("intensity must not be negative");
            if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be positive");
        }

        /**
         * {@link Strategy#ONE_FOR_ONE}, at most 1 restart in 5 s (OTP's defaults).
         *
         * <pre>{@code
         * Supervisor.Flags.oneForOne().intensity(10, Duration.ofMinutes(1))
         * }</pre>
         *
         * @return the flags
         */
        public static Flags oneForOne() {
            return new Flags(Strategy.ONE_FOR_ONE, 1, Duration.ofSeconds(5));
        }

        /**
         * {@link Strategy#ONE_FOR_ALL}, at most 1 restart in 5 s.
         *
         * @return the flags
         */
        public static Flags oneForAll() {
            return new Flags(Strategy.ONE_FOR_ALL, 1, Duration.ofSeconds(5));
        }

        /**
         * {@link Strategy#REST_FOR_ONE}, at most 1 restart in 5 s.
         *
         * @return the flags
         */
        public static Flags restForOne() {
            return new Flags(Strategy.REST_FOR_ONE, 1, Duration.ofSeconds(5));
        }

        /**
         * The same strategy with another restart limit.
         *
         * @param restarts the most restarts allowed within {@code within}; not negative
         * @param within the window; positive
         * @return new flags
         */
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
        /**
         * Checks that no part is null.
         *
         * @param id unique among the supervisor's children
         * @param start runs in the supervisor process; returns a new process linked to it
         * @param restart when to restart it
         * @param shutdown how to stop it
         * @param type worker or supervisor
         */
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
         *
         * <pre>{@code
         * Supervisor.ChildSpec.worker("poller", () -> {
         *     while (true) { poll(); Preempt.sleep(1000); }
         * }).restart(Supervisor.Restart.TRANSIENT)
         * }</pre>
         *
         * @param id the child's id
         * @param body what the worker runs, each time it is started
         * @return the spec
         */
        public static ChildSpec worker(String id, Runnable body) {
            Objects.requireNonNull(body, "body");
            return new ChildSpec(id, () -> startLinkedWorker(id, body), Restart.PERMANENT,
                    Shutdown.timeout(Duration.ofSeconds(5)), Type.WORKER);
        }

        /**
         * A permanent worker running a {@link Server}, started (its {@code init} done) before the next child.
         *
         * @param id the child's id
         * @param server makes the server's callbacks, once for each start
         * @return the spec
         */
        public static ChildSpec server(String id, Supplier<? extends Server<?>> server) {
            Objects.requireNonNull(server, "server");
            return new ChildSpec(id, () -> Server.startLink(server.get()), Restart.PERMANENT,
                    Shutdown.timeout(Duration.ofSeconds(5)), Type.WORKER);
        }

        /**
         * {@link #server(String, Supplier)} registered as {@code name} before each start's {@code init}
         * (every restart registers it again), so that clients can always reach it by name.
         *
         * <pre>{@code
         * Supervisor.ChildSpec.server("counter", "counter", Counter::new)
         * }</pre>
         *
         * @param id the child's id
         * @param name the name to register the server as
         * @param server makes the server's callbacks, once for each start
         * @return the spec
         */
        public static ChildSpec server(String id, String name, Supplier<? extends Server<?>> server) {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(name, "name");
            return new ChildSpec(id, () -> Server.startLink(name, server.get()), Restart.PERMANENT,
                    Shutdown.timeout(Duration.ofSeconds(5)), Type.WORKER);
        }

        /**
         * A permanent child supervisor with its own children; waited for as long as it takes to stop.
         *
         * @param id the child's id
         * @param flags the child supervisor's flags
         * @param children its children's specs, in start order
         * @return the spec
         */
        public static ChildSpec supervisor(String id, Flags flags, List<ChildSpec> children) {
            List<ChildSpec> copy = List.copyOf(children);
            return new ChildSpec(id, () -> startLink(flags, copy), Restart.PERMANENT, Shutdown.infinity(), Type.SUPERVISOR);
        }

        /**
         * This spec with another restart type.
         *
         * @param r when to restart the child
         * @return a new spec
         */
        public ChildSpec restart(Restart r) {
            return new ChildSpec(id, start, r, shutdown, type);
        }

        /**
         * This spec with another way to stop the child.
         *
         * @param s how to stop it
         * @return a new spec
         */
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
     *
     * @param flags strategy and restart limit
     * @param children the children's specs, in start order; ids must be unique
     * @return the supervisor's pid
     * @throws IllegalStateException if a child fails to start or two children have the same id
     */
    public static Pid start(Flags flags, List<ChildSpec> children) {
        return SupervisorServer.of(flags, children).start(null);
    }

    /**
     * Like {@link #start} but linked to the calling process, which must be one (OTP's {@code start_link}).
     *
     * @param flags strategy and restart limit
     * @param children the children's specs, in start order; ids must be unique
     * @return the supervisor's pid
     * @throws IllegalStateException if the caller is not a process, a child fails to start, or two
     *         children have the same id
     */
    public static Pid startLink(Flags flags, List<ChildSpec> children) {
        return SupervisorServer.of(flags, children).start(Proc.require("Supervisor.startLink"));
    }

    /**
     * Starts a dynamic supervisor: one for one, no children at first, children added at run time with
     * {@link #startChild} (ids need not be unique), stopped in parallel when it stops.
     *
     * <pre>{@code
     * Pid pool = Supervisor.startDynamic(5, Duration.ofSeconds(10));
     * Pid conn = Supervisor.startChild(pool, Supervisor.ChildSpec.worker("conn", () -> serve(socket))
     *         .restart(Supervisor.Restart.TEMPORARY));
     * }</pre>
     *
     * @param intensity the most restarts allowed within {@code period}; not negative
     * @param period the window for {@code intensity}; positive
     * @return the supervisor's pid
     * @throws IllegalArgumentException if {@code intensity} is negative or {@code period} is not positive
     */
    public static Pid startDynamic(int intensity, Duration period) {
        return SupervisorServer.dynamic(intensity, period).start(null);
    }

    /**
     * Adds and starts a child; returns its pid. IllegalStateException if the id is taken or the start fails.
     *
     * @param supervisor the supervisor
     * @param spec the new child's spec
     * @return the child's pid
     * @throws IllegalStateException if the id is taken (not for a dynamic supervisor) or the start fails
     * @throws NoProcessException if the supervisor is not there
     */
    public static Pid startChild(Pid supervisor, ChildSpec spec) {
        return SupervisorServer.request(supervisor, new SupervisorServer.StartChild(spec));
    }

    /**
     * Stops a child (by its spec's id) but keeps its spec; a dynamic supervisor's child goes away entirely.
     * A temporary child's spec goes too.
     *
     * @param supervisor the supervisor
     * @param id the child's id
     * @throws IllegalStateException if the supervisor has no child {@code id}
     * @throws NoProcessException if the supervisor is not there
     */
    public static void terminateChild(Pid supervisor, String id) {
        SupervisorServer.request(supervisor, new SupervisorServer.TerminateById(id));
    }

    /**
     * Stops a child of a dynamic supervisor by pid.
     *
     * @param supervisor the supervisor
     * @param child the child's pid
     * @throws IllegalStateException if {@code child} is not a running child of the supervisor
     * @throws NoProcessException if the supervisor is not there
     */
    public static void terminateChild(Pid supervisor, Pid child) {
        SupervisorServer.request(supervisor, new SupervisorServer.TerminateByPid(child));
    }

    /**
     * Starts again a child that was stopped with {@link #terminateChild(Pid, String)}.
     *
     * @param supervisor the supervisor
     * @param id the child's id
     * @return the child's new pid
     * @throws IllegalStateException if there is no child {@code id}, it is running, or its start fails
     * @throws NoProcessException if the supervisor is not there
     */
    public static Pid restartChild(Pid supervisor, String id) {
        return SupervisorServer.request(supervisor, new SupervisorServer.RestartChild(id));
    }

    /**
     * Removes the spec of a stopped child.
     *
     * @param supervisor the supervisor
     * @param id the child's id
     * @throws IllegalStateException if there is no child {@code id} or it is running
     * @throws NoProcessException if the supervisor is not there
     */
    public static void deleteChild(Pid supervisor, String id) {
        SupervisorServer.request(supervisor, new SupervisorServer.DeleteChild(id));
    }

    /**
     * The children, in start order.
     *
     * @param supervisor the supervisor
     * @return each child's id, pid (if running), type and restart type
     * @throws NoProcessException if the supervisor is not there
     */
    public static List<Child> whichChildren(Pid supervisor) {
        return SupervisorServer.request(supervisor, new SupervisorServer.WhichChildren());
    }

    /**
     * Counts the children, like OTP's {@code count_children}, and the restarts so far.
     *
     * @param supervisor the supervisor
     * @return the counts
     * @throws NoProcessException if the supervisor is not there
     */
    public static Counts countChildren(Pid supervisor) {
        return SupervisorServer.request(supervisor, new SupervisorServer.CountChildren());
    }

    /**
     * Stops the supervisor: its children in reverse order (a dynamic one's in parallel), then itself (reason shutdown). Waits.
     *
     * @param supervisor the supervisor
     * @throws NoProcessException if the supervisor is not there
     */
    public static void stop(Pid supervisor) {
        SupervisorServer.request(supervisor, new SupervisorServer.Stop());
    }
}
