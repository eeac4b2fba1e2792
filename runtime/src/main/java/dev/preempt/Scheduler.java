package dev.preempt;

import dev.preempt.internal.boot.Bootstrap;
import dev.preempt.internal.sched.DeterministicCore;
import dev.preempt.internal.sched.Proc;
import dev.preempt.internal.sched.SchedulerCore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A set of carrier threads (one per core by default) that run processes. Most programs use the default
 * scheduler through {@link Preempt}; build one yourself to choose its size or to keep it apart.
 *
 * <pre>{@code
 * try (Scheduler s = Scheduler.builder().carriers(2).budget(4000).build()) {
 *     ExitReason r = s.run(() -> System.out.println("in a process: " + Preempt.self()));
 * }
 * }</pre>
 *
 * <p>Defaults come from system properties (the agent sets them from its options):
 * {@code preempt.carriers} (available processors), {@code preempt.budget} (4000 reductions a slice),
 * {@code preempt.engine} ({@code vm}), {@code preempt.stealing} (true), {@code preempt.stackSize}
 * (carrier stack in bytes, 0 = the JVM's default), {@code preempt.maxStack} (bytes a process's stack
 * may take, 16 MB; 0 = no bound), {@code preempt.timeslice} and {@code preempt.handoff} (nanoseconds,
 * 2 ms and 10 ms), {@code preempt.spares} (256).
 */
public final class Scheduler implements AutoCloseable {

    private static final Object LOCK = new Object();
    private static volatile Scheduler defaultScheduler;

    /**
     * The reductions a slice starts with unless {@code budget} says otherwise: 4000, BEAM's figure
     * (the agent's {@code budget=} option and {@code -Dpreempt.budget} default to it too).
     */
    public static final int DEFAULT_BUDGET = 4000;

    final SchedulerCore core;

    private Scheduler(SchedulerCore core) {
        this.core = core;
    }

    /**
     * The JVM's default scheduler, started on first use with the system-property configuration.
     *
     * @return the default scheduler, whose carriers are named {@code preempt}
     */
    public static Scheduler defaultScheduler() {
        Scheduler s = defaultScheduler;
        if (s == null) {
            synchronized (LOCK) {
                s = defaultScheduler;
                if (s == null) {
                    s = builder().name("preempt").build();
                    defaultScheduler = s;
                }
            }
        }
        return s;
    }

    /**
     * A deterministic scheduler that follows a random walk from {@code seed}: one carrier, every
     * choice (which runnable process runs next, how long each slice is) drawn from the seed, and a
     * virtual clock that jumps to the next deadline when no process can run. The same seed runs the same
     * program the same way, in this JVM or another; {@link #trace()} records how.
     *
     * <pre>{@code
     * try (Scheduler s = Scheduler.deterministic(42)) {
     *     s.run(() -> { Preempt.sleep(Duration.ofHours(1)); });   // returns at once: virtual time
     *     System.out.println(s.trace());
     * }
     * }</pre>
     *
     * @param seed the seed
     * @return a new deterministic scheduler; close it when done
     */
    public static Scheduler deterministic(long seed) {
        return builder().deterministic(Schedule.random(seed)).build();
    }

    /**
     * A builder with the system-property defaults.
     *
     * @return a new builder; each call gives a fresh one
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts {@code body} as a new process; callable from any thread.
     *
     * @param body what the process runs
     * @return the new process's pid
     * @throws IllegalStateException if this scheduler is closed
     */
    public Pid spawn(Runnable body) {
        return core.spawn(body).pid();
    }

    /**
     * Starts {@code root} as a process and waits for it to end, returning its exit reason (an exception
     * that escaped it is in {@link ExitReason#exceptionCause()}). Call it from a plain thread, such as
     * {@code main}; other processes keep running after it returns.
     *
     * @param root what the root process runs
     * @return the reason the root process ended with
     * @throws IllegalStateException if called inside a process, or if this scheduler is closed
     */
    public ExitReason run(Runnable root) {
        if (Proc.current() != null) {
            throw new IllegalStateException("run waits for a process and must not be called inside one; use spawn");
        }
        CompletableFuture<ExitReason> done = new CompletableFuture<>();
        Proc p = core.create(root);
        p.onExit(done::complete);
        core.start(p);
        return done.join();
    }

    /**
     * Like {@link #run}, but an abnormal end is thrown rather than returned, so that a caller that only
     * looks for exceptions sees it: a JUnit test fails with the assertion that failed inside the process.
     * The exception that ended the root is rethrown as it was (a RuntimeException or an Error); any
     * other abnormal reason ({@code Preempt.exit(reason)}, a kill, a linked process's crash, a checked
     * exception) comes as a {@link ProcessFailedException} carrying the reason.
     *
     * <pre>{@code
     * @Test
     * void ping() {
     *     Scheduler.defaultScheduler().runOrThrow(() -> assertEquals("pong", Preempt.call(server, "ping")));
     * }
     * }</pre>
     *
     * @param root what the root process runs
     * @throws ProcessFailedException if the root ends abnormally with a reason that is not an unchecked
     *         exception
     * @throws IllegalStateException if called inside a process, or if this scheduler is closed
     */
    public void runOrThrow(Runnable root) {
        ExitReason r = run(root);
        if (r.isNormal()) return;
        Throwable t = r.exceptionCause().orElse(null);
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        throw new ProcessFailedException(r);
    }

    /**
     * The scheduler's name, the prefix of its carrier threads' names.
     *
     * @return the name given to {@link Builder#name}, or {@code preempt} for the default scheduler
     */
    public String name() {
        return core.name();
    }

    /**
     * The number of carrier threads the scheduler was built with (spare carriers, which stand in for
     * held ones, are not counted).
     *
     * @return the carrier count
     */
    public int carriers() {
        return core.carrierCount();
    }

    /**
     * The reductions a process may spend in one slice before it yields its carrier.
     *
     * @return the budget
     */
    public int budget() {
        return core.budget();
    }

    /**
     * The continuation engine in use ({@code vm}).
     *
     * @return the engine's name
     */
    public String engine() {
        return core.engineName();
    }

    /**
     * Whether this scheduler is deterministic ({@link Builder#deterministic}).
     *
     * @return true if its choices follow a {@link Schedule}
     */
    public boolean isDeterministic() {
        return core.deterministic() != null;
    }

    /**
     * The schedule a deterministic scheduler follows; its {@code toString()} is the replay key.
     *
     * @return the schedule
     * @throws IllegalStateException if this scheduler is not deterministic
     */
    public Schedule schedule() {
        return det().schedule();
    }

    /**
     * A deterministic scheduler's trace so far: one line per scheduling event ({@code spawn p1 by p0},
     * {@code run p1 budget=12}, {@code send p1 -> p2 message String}, {@code end p1 spent=3 waiting},
     * {@code time +1000000000ns}, {@code timer p2}, ...). Processes are numbered in their order of
     * creation, so the same schedule gives the same text byte for byte in any JVM (until
     * {@link #close()}, which is traced as {@code close} and ends the trace).
     *
     * <pre>{@code
     * String a, b;
     * try (Scheduler s = Scheduler.deterministic(7)) { s.run(body); a = s.trace(); }
     * try (Scheduler s = Scheduler.deterministic(7)) { s.run(body); b = s.trace(); }
     * assert a.equals(b);
     * }</pre>
     *
     * @return the trace's text
     * @throws IllegalStateException if this scheduler is not deterministic
     */
    public String trace() {
        return det().trace();
    }

    /**
     * A 64-bit hash (FNV-1a) of every line of {@link #trace()}, including lines past the text's cap.
     *
     * @return the hash
     * @throws IllegalStateException if this scheduler is not deterministic
     */
    public long traceHash() {
        return det().traceHash();
    }

    /**
     * Scheduling steps (slices) a deterministic scheduler has run so far.
     *
     * @return the count
     * @throws IllegalStateException if this scheduler is not deterministic
     */
    public long steps() {
        return det().steps();
    }

    /**
     * Virtual time a deterministic scheduler's processes have seen pass.
     *
     * @return the virtual time since the scheduler started
     * @throws IllegalStateException if this scheduler is not deterministic
     */
    public Duration virtualTime() {
        return Duration.ofNanos(det().virtualNanos());
    }

    /**
     * What a deterministic run did that the scheduler cannot control (a wake-up or a message from a
     * thread outside it, a virtual thread started by a process, a slice that held the carrier for over a
     * second), one message per kind. Each is logged as a warning once too. A run with warnings may not
     * replay.
     *
     * @return the warnings so far; empty if the run stayed inside the controlled world
     * @throws IllegalStateException if this scheduler is not deterministic
     */
    public List<String> determinismWarnings() {
        return det().warnings();
    }

    private DeterministicCore det() {
        DeterministicCore d = core.deterministic();
        if (d == null) throw new IllegalStateException("scheduler " + name() + " is not deterministic (Builder.deterministic)");
        return d;
    }

    /**
     * The live processes, in no particular order.
     *
     * @return their pids (a snapshot)
     */
    public List<Pid> processes() {
        return core.livePids();
    }

    /**
     * The live process registered as {@code name} with this scheduler (what {@link Preempt#whereis} says
     * inside one of its processes); from any thread.
     *
     * @param name the name to look up
     * @return its process, or empty if no live process of this scheduler holds the name
     */
    public Optional<Pid> whereis(String name) {
        Proc p = core.registry.whereis(name);
        return p == null ? Optional.empty() : Optional.of(p.pid());
    }

    /**
     * Kills every live process (reason {@code killed}: their {@code finally} blocks run and their locks
     * are released), waits up to half a second for them to end (and a second more for a process still
     * running its clean-up: the grace a kill gives its {@code finally} blocks), then stops the carriers and
     * timers; a process still alive then (pinned in a native call, or in a loop with no tick because the agent is
     * not there) is abandoned, and named in a WARNING on the {@code dev.preempt} logger.
     */
    @Override
    public void close() {
        synchronized (LOCK) {
            if (defaultScheduler == this) defaultScheduler = null;
        }
        core.shutdown();
    }

    /** The default bound on a process's stack: 16 MB. */
    static final long DEFAULT_MAX_STACK = 16L << 20;
    /** The default time slice: 2 ms. */
    static final Duration DEFAULT_TIMESLICE = Duration.ofMillis(2);
    /** The default hand-off threshold: 10 ms. */
    static final Duration DEFAULT_HAND_OFF = Duration.ofMillis(10);
    /** The default bound on spare carriers: 256 (the JDK's virtual-thread pool grows to 256 threads too). */
    static final int DEFAULT_MAX_SPARES = 256;

    /** Configures a {@link Scheduler}. */
    public static final class Builder {
        private String name = "preempt-" + Integer.toHexString(System.identityHashCode(this));
        private int carriers = Integer.getInteger("preempt.carriers", Runtime.getRuntime().availableProcessors());
        private int budget = Integer.getInteger("preempt.budget", DEFAULT_BUDGET);
        private boolean stealing = Boolean.parseBoolean(System.getProperty("preempt.stealing", "true"));
        private String engine = System.getProperty("preempt.engine", "vm");
        private long stackSize = Long.getLong("preempt.stackSize", 0L);
        private long maxStack = Long.getLong("preempt.maxStack", DEFAULT_MAX_STACK);
        private long timeslice = Long.getLong("preempt.timeslice", DEFAULT_TIMESLICE.toNanos());
        private long handOff = Long.getLong("preempt.handoff", DEFAULT_HAND_OFF.toNanos());
        private int maxSpares = Integer.getInteger("preempt.spares", DEFAULT_MAX_SPARES);

        private Builder() {}

        /**
         * Prefix of the carrier threads' names.
         *
         * @param name the scheduler's name (default {@code preempt-} and a hexadecimal number)
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Carrier threads (default: available processors).
         *
         * @param n how many; at least 1
         * @return this builder
         */
        public Builder carriers(int n) {
            this.carriers = n;
            return this;
        }

        /**
         * Reductions a process may spend before it yields its carrier (default 4000, BEAM's figure).
         *
         * @param reductions the budget of one slice; at least 1
         * @return this builder
         */
        public Builder budget(int reductions) {
            this.budget = reductions;
            return this;
        }

        /**
         * Whether idle carriers steal work from busy ones (default true).
         *
         * @param on true to let idle carriers steal
         * @return this builder
         */
        public Builder stealing(boolean on) {
            this.stealing = on;
            return this;
        }

        /**
         * The continuation engine: {@code vm} (the only one so far).
         *
         * @param name the engine's name
         * @return this builder
         */
        public Builder engine(String name) {
            this.engine = name;
            return this;
        }

        /**
         * Stack size of carrier threads in bytes; deep recursion in processes needs more (0: JVM default).
         *
         * @param bytes the stack size; not negative
         * @return this builder
         */
        public Builder carrierStackSize(long bytes) {
            this.stackSize = bytes;
            return this;
        }

        /**
         * The most heap a process's stack may take (default 16 MB, 16 times a platform thread's default
         * stack; 0: no bound). A process that is preempted keeps its older frames in the heap, not on a
         * thread stack, so without a bound a runaway recursion would only stop when the heap is full;
         * past the bound it ends with a {@link StackOverflowError}, alone. Measured when it is preempted.
         *
         * @param bytes the bound; not negative
         * @return this builder
         */
        public Builder maxProcessStack(long bytes) {
            this.maxStack = bytes;
            return this;
        }

        /**
         * The longest a slice runs while another process wants the carrier, whatever budget it has left
         * (default 2 ms; zero: no bound). Budgets bound instrumented code; this bounds code that ticks
         * rarely, such as a loop around JDK calls. The process yields at its next tick after it.
         *
         * @param d the longest slice; not negative
         * @return this builder
         */
        public Builder timeSlice(Duration d) {
            this.timeslice = d.toNanos();
            return this;
        }

        /**
         * How long one slice may hold its carrier before a spare carrier takes its place (default 10 ms;
         * zero: never). Covers what budgets and time slices cannot cut: native code, a wait pinned to the
         * carrier's thread, a long JDK call, a class initialiser. Calls the JDK marks as blocking (file
         * sync, pipes, DNS, ...) hand off at once where carriers are the JDK's kind.
         *
         * @param d the hand-off threshold; not negative
         * @return this builder
         */
        public Builder handOffAfter(Duration d) {
            this.handOff = d.toNanos();
            return this;
        }

        /**
         * The most spare carriers that run at once in held carriers' places (default 256).
         *
         * @param n the bound; not negative (0: no spares)
         * @return this builder
         */
        public Builder maxSpareCarriers(int n) {
            this.maxSpares = n;
            return this;
        }

        private BiConsumer<Pid, Throwable> unseenCrash;
        private Schedule schedule;
        private Consumer<String> onDeadlock;

        /**
         * Makes the scheduler deterministic: one carrier (whatever {@link #carriers} says), no watchdog and
         * no spare carriers, every choice drawn from {@code schedule} (which runnable process runs next;
         * each slice's budget, 1 to {@link Schedule#maxBudget()} reductions, so slices also end at sends and
         * calls, which spend one), and a virtual clock for sleeps, receive and call timeouts and timers,
         * which jumps to the next deadline when no process can run. Per-pair message order is kept.
         *
         * <pre>{@code
         * Scheduler s = Scheduler.builder().deterministic(Schedule.pct(seed, 3, 200)).build();
         * }</pre>
         *
         * @param schedule the schedule to follow, or null for a normal scheduler
         * @return this builder
         */
        public Builder deterministic(Schedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /**
         * For a deterministic scheduler: tells {@code listener} (once, on the carrier's thread) when every
         * live process waits, no timer is set and nothing from outside has woken one for 200 ms of real
         * time, that is, when nothing can happen any more; it gets one line per waiting process.
         * Without a listener it is logged as a warning.
         *
         * @param listener the listener, or null
         * @return this builder
         */
        public Builder onDeadlock(Consumer<String> listener) {
            this.onDeadlock = listener;
            return this;
        }

        /**
         * Tells {@code listener} of each crash that no link or monitor hears of (an exception escaped a
         * process that nobody is linked to or monitors): called inside the crashing process as it ends,
         * with its pid and the exception; what it throws is ignored. The crash report is logged as well.
         * The test kit uses it to fail a test when a process it started crashed unnoticed.
         *
         * <pre>{@code
         * Scheduler s = Scheduler.builder().onUnseenCrash((pid, e) -> crashes.add(pid + ": " + e)).build();
         * }</pre>
         *
         * @param listener the listener, or null for none
         * @return this builder
         */
        public Builder onUnseenCrash(BiConsumer<Pid, Throwable> listener) {
            this.unseenCrash = listener;
            return this;
        }

        /**
         * Starts a scheduler with this configuration: its carriers and watchdog start now. Close it when
         * done with it.
         *
         * @return the new scheduler
         * @throws IllegalArgumentException if a setting is out of range or the engine is unknown
         * @throws IllegalStateException if the JVM cannot create processes (without the agent,
         *         {@code --add-opens java.base/java.lang=ALL-UNNAMED} is missing)
         */
        public Scheduler build() {
            SchedulerCore core = Bootstrap.newScheduler(new SchedulerCore.Config(name, carriers, budget, stealing, engine,
                    stackSize, maxStack, timeslice, handOff, maxSpares), schedule);
            core.onUnseenCrash(unseenCrash);
            if (core.deterministic() != null) core.deterministic().onDeadlock(onDeadlock);
            return new Scheduler(core);
        }
    }
}
