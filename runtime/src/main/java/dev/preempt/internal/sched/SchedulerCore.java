package dev.preempt.internal.sched;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Ref;
import dev.preempt.Schedule;
import dev.preempt.Supervisor;
import dev.preempt.internal.AgentStatus;
import dev.preempt.internal.engine.Engine;
import dev.preempt.internal.engine.ThreadStarter;
import dev.preempt.internal.engine.VirtualThreads;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The scheduler: carriers, the global queue, timers, the process table and the name registry. The
 * public {@code dev.preempt.Scheduler} is a thin handle on one of these.
 */
public final class SchedulerCore {

    private static final Logger LOG = Logger.getLogger("dev.preempt");

    /**
     * Configuration; see {@code dev.preempt.Scheduler.Builder} for meanings and defaults.
     *
     * @param name prefix of the carrier threads' names
     * @param carriers carrier threads, at least 1
     * @param budget reductions in a slice, at least 1
     * @param stealing whether idle carriers steal work
     * @param engine the continuation engine's name
     * @param stackSize carrier stack size in bytes (0: the JVM's default)
     * @param maxStack bytes a process's frozen stack may take (0: no bound)
     * @param timesliceNanos the longest slice while others wait (0: none)
     * @param handOffNanos how long a slice holds its carrier before a spare takes over (0: never)
     * @param maxSpares the most spare carriers running at once
     */
    public record Config(String name, int carriers, int budget, boolean stealing, String engine, long stackSize,
            long maxStack, long timesliceNanos, long handOffNanos, int maxSpares) {
        /**
         * Checks the ranges.
         *
         * @param name prefix of the carrier threads' names
         * @param carriers carrier threads, at least 1
         * @param budget reductions in a slice, at least 1
         * @param stealing whether idle carriers steal work
         * @param engine the continuation engine's name
         * @param stackSize carrier stack size in bytes, not negative
         * @param maxStack bytes a process's frozen stack may take, not negative
         * @param timesliceNanos the longest slice while others wait, not negative
         * @param handOffNanos the hand-off threshold, not negative
         * @param maxSpares the most spare carriers running at once, not negative
         * @throws IllegalArgumentException if a value is out of range
         */
        public Config {
            if (timesliceNanos < 0) throw new IllegalArgumentException("the time slice must not be negative (0: none)");
            if (handOffNanos < 0) throw new IllegalArgumentException("the hand-off time must not be negative (0: never)");
            if (maxSpares < 0) throw new IllegalArgumentException("spare carriers must not be negative");
            if (carriers < 1) throw new IllegalArgumentException("carriers must be at least 1, was " + carriers);
            if (budget < 1) throw new IllegalArgumentException("budget must be at least 1, was " + budget);
            if (stackSize < 0) throw new IllegalArgumentException("stack size must not be negative");
            if (maxStack < 0) throw new IllegalArgumentException("the process stack bound must not be negative (0: none)");
        }
    }

    /**
     * Observes scheduler events (the JFR layer plugs in here). Calls come from carrier threads or from
     * inside processes; an observer must be quick and must not throw.
     */
    public interface Observer {
        /**
         * A process was spawned (called by the spawner, before it first runs).
         *
         * @param p the new process
         */
        default void processStarted(Proc p) {}

        /**
         * A process ended; called inside it, after its exit signals went out.
         *
         * @param p the process
         * @param reason its exit reason
         */
        default void processExited(Proc p, ExitReason reason) {}

        /**
         * A slice ended: {@code p} ran {@code nanos} on {@code carrier} and spent {@code reductions}.
         * Only called while {@link SchedulerCore#observeSlices(boolean)} is on (it costs two clock reads).
         *
         * @param p the process
         * @param carrier the carrier it ran on
         * @param reductions reductions it spent in the slice
         * @param nanos how long the slice ran
         * @param preempted whether it ended because the budget ran out
         */
        default void sliceEnded(Proc p, Carrier carrier, int reductions, long nanos, boolean preempted) {}

        /**
         * A yield was refused (pinned); called inside the process, which runs on. {@code reason} is known
         * for some refusals (a stack too deep to yield), else null: the stack tells.
         *
         * @param p the process
         * @param reason why the yield was refused, or null
         */
        default void pinned(Proc p, String reason) {}

        /**
         * A supervisor restarted a child.
         *
         * @param supervisor the supervisor
         * @param childId the child's spec id
         * @param oldPid the child's process that ended, or null when it was stopped for its siblings' sake
         * @param newPid the child's new process
         * @param reason why the old process ended
         */
        default void supervisorRestart(Pid supervisor, String childId, Pid oldPid, Pid newPid, ExitReason reason) {}

        /**
         * {@code p} held {@code carrier} in one slice for {@code nanos}, at least the hand-off threshold
         * ({@code reason}: a blocking call, a pinned wait or a long call; {@code stack}: where {@code p}
         * was when the watchdog noticed, or null). Called by the watchdog thread when that slice ended.
         *
         * @param carrier the carrier that was held
         * @param p the process that held it
         * @param reason what held it
         * @param nanos how long the slice held it
         * @param stack where the process was, or null
         */
        default void carrierHeld(Carrier carrier, Proc p, String reason, long nanos, StackTraceElement[] stack) {}
    }

    /** Observers added to every scheduler as it is created (the JFR layer registers here, see {@code Bootstrap}). */
    private static final CopyOnWriteArrayList<Consumer<SchedulerCore>> ON_CREATE =
            new CopyOnWriteArrayList<>();

    /**
     * Runs {@code hook} for every scheduler created from now on (and not for earlier ones).
     *
     * @param hook called in the scheduler's constructor, before its carriers start
     */
    public static void onCreate(Consumer<SchedulerCore> hook) {
        ON_CREATE.add(hook);
    }

    final String name;
    final int budget;
    /** Budget granted after a yield was refused (pinned, or a monitor held): try again soon. */
    final int retryBudget;
    final boolean stealing;
    /** Bytes a process's frozen stack may take before the process ends with StackOverflowError; 0: no bound. */
    final long maxStack;
    final Engine engine;
    /** Starts process threads: in a JDK thread container that reads {@link #table} where it can. */
    final ThreadStarter starter;
    /** The scheduler's own carriers, one per core by default; their indexes are 0..n-1. */
    final Carrier[] carriers;
    /**
     * Every carrier that may hold work: the scheduler's own and the spares that exist (running or pooled),
     * for stealing and waking. Copy on write, under {@link #carriersLock}; read as a snapshot.
     */
    volatile Carrier[] all;
    private final Object carriersLock = new Object();
    final Spares spares;
    final Watchdog watchdog;
    final ConcurrentLinkedQueue<Proc> global = new ConcurrentLinkedQueue<>();
    /**
     * Processes woken from outside the carriers (a socket poller, a plain thread's send, the watchdog's
     * timers, a process on a held carrier): carriers take them before the global queue, where preempted
     * processes wait, so a process that was waiting for I/O or a timer does not queue behind every CPU hog.
     * It runs until it waits again or is preempted (then it goes to the global queue like any other), so
     * the hogs still get every other round.
     */
    final ConcurrentLinkedQueue<Proc> woken = new ConcurrentLinkedQueue<>();
    /**
     * Runnable processes of {@link dev.preempt.Priority#HIGH} and {@link dev.preempt.Priority#LOW}, from
     * whoever queues them (a wake-up, a yield, a preemption): shared, so that any carrier takes a
     * high-priority process at its next scheduling round instead of after what is queued on one carrier.
     * Most programs have none: a carrier's look at an empty queue is one load.
     */
    final ConcurrentLinkedQueue<Proc> high = new ConcurrentLinkedQueue<>(), low = new ConcurrentLinkedQueue<>();
    /**
     * Live processes of high priority. While there is one, a carrier's sub-poller polls again after a
     * few slices instead of after everything queued ({@link Carrier#deferSystemTask}): a socket that a
     * high-priority process waits for is seen ready soon even when thousands of others are.
     */
    final AtomicInteger highProcesses = new AtomicInteger();
    /**
     * Tasks of the JDK's socket sub-pollers when this scheduler hosts them ({@link SystemThreads}): any
     * thread offers, carriers take one between slices.
     */
    final ConcurrentLinkedQueue<Runnable> system = new ConcurrentLinkedQueue<>();
    final AtomicInteger idleCount = new AtomicInteger();
    final Timers timers = new Timers();
    final ConcurrentHashMap<Pid, Proc> table = new ConcurrentHashMap<>();
    /**
     * Processes that an exit signal found parked in a JDK call, interrupted, and whose exit waits while
     * their handlers run: when (System.nanoTime()) a tick may throw it (see {@code Proc.stopForExit}).
     * A side table, not a field: it is rare, and a field would cost every idle process 8 bytes.
     */
    final ConcurrentHashMap<Proc, Proc.Cancel> cancelled = new ConcurrentHashMap<>();
    /** The scheduler's registered names. */
    public final Registry registry = new Registry();
    private final AtomicLong spawned = new AtomicLong();
    private final AtomicLong exited = new AtomicLong();
    private final AtomicLong internalErrors = new AtomicLong();
    private final CopyOnWriteArrayList<Observer> observers = new CopyOnWriteArrayList<>();
    private volatile Observer[] observerArray = new Observer[0];
    volatile boolean shutdown;

    /**
     * Starts a scheduler: its carriers and watchdog run from now on.
     *
     * @param config the configuration
     * @throws IllegalArgumentException if the engine is unknown
     * @throws IllegalStateException if the JVM cannot create processes
     */
    public SchedulerCore(Config config) {
        this(config, null);
    }

    /**
     * Starts a scheduler, deterministic if {@code schedule} is not null: then it has one carrier (the
     * configuration's count, spares and watchdog are ignored), every choice follows the schedule, and its
     * clock is virtual (see {@link DeterministicCore}).
     *
     * @param config the configuration
     * @param schedule the schedule of a deterministic scheduler, or null for a normal one
     * @throws IllegalArgumentException if the engine is unknown
     * @throws IllegalStateException if the JVM cannot create processes
     */
    public SchedulerCore(Config config, Schedule schedule) {
        if (schedule == null) BlockingPool.warmInterrupters();
        if (schedule != null) {
            config = new Config(config.name(), 1, config.budget(), false, config.engine(), config.stackSize(),
                    config.maxStack(), 0, 0, 0);
        }
        this.det = schedule == null ? null : new DeterministicCore(this, schedule);
        this.clock = det == null ? Clock.SYSTEM : det.clock;
        this.name = config.name();
        this.budget = config.budget();
        this.retryBudget = Math.max(1, Math.min(config.budget(), 256));
        this.stealing = config.stealing();
        this.maxStack = config.maxStack();
        OutOfMemory.exits(); // initialised now, while there is memory
        SystemThreads.checkSetting();
        this.engine = VirtualThreads.load(config.engine());
        this.starter = ThreadStarter.forProcesses("Preempt scheduler '" + name + "'",
                () -> table.values().stream().map(p -> p.thread), table::mappingCount);
        AgentStatus.warnIfAbsent();
        this.stackSize = config.stackSize();
        this.carriers = new Carrier[config.carriers()];
        for (int i = 0; i < carriers.length; i++) {
            carriers[i] = new Carrier(this, i, false, stackSize);
        }
        this.all = carriers.clone();
        this.spares = new Spares(this, config.maxSpares());
        this.watchdog = new Watchdog(this, config.timesliceNanos(), config.handOffNanos());
        for (Consumer<SchedulerCore> hook : ON_CREATE) hook.accept(this);
        for (Carrier c : carriers) c.start();
        if (det == null) {
            watchdog.start(); // deterministic: nothing may act on real time
            SystemThreads.INSTANCE.started(this); // nor run the JDK's pollers, which real I/O drives
        }
    }

    /**
     * Any thread: queues a sub-poller's task for the carriers. False if this scheduler has shut down
     * (the caller hands the task to the JDK instead).
     */
    boolean offerSystem(Runnable task) {
        if (shutdown) return false;
        system.offer(task);
        // Offer, then read the flag; shutdown writes the flag, then drains (both volatile): a task
        // offered as the scheduler shuts down is drained by one of the two, never left behind.
        if (shutdown) drainSystemTo(VirtualThreads.defaultScheduler());
        else wakeIdle();
        return true;
    }

    /**
     * Tasks of the JDK's sub-pollers run by this scheduler's carriers so far (racy; a spare that ended
     * takes its count with it).
     *
     * @return the count
     */
    public long pollerTasks() {
        long n = 0;
        for (Carrier c : all) n += c.systemTasks;
        return n;
    }

    /** Hands every queued sub-poller task to {@code to} (at shutdown). */
    void drainSystemTo(Executor to) {
        Runnable r;
        while ((r = system.poll()) != null) to.execute(r);
    }

    /** The deterministic mode, or null (the normal scheduler: every use of it is behind this one branch). */
    final DeterministicCore det;
    /** The time processes see: real, or a deterministic scheduler's virtual clock. */
    final Clock clock;

    /**
     * The time this scheduler's processes see (real, or virtual in a deterministic scheduler).
     *
     * @return nanoseconds from an arbitrary origin
     */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /**
     * The deterministic mode's state, if this scheduler is deterministic.
     *
     * @return its deterministic core, or null for a normal scheduler
     */
    public DeterministicCore deterministic() {
        return det;
    }

    private final long stackSize;

    /** The watchdog (through {@link Spares#create}): a new spare carrier, already counted active. */
    Carrier addSpare() {
        synchronized (carriersLock) {
            int index = carriers.length;
            for (Carrier c : all) index = Math.max(index, c.index + 1);
            Carrier c = new Carrier(this, index, true, stackSize);
            Carrier[] next = Arrays.copyOf(all, all.length + 1);
            next[next.length - 1] = c;
            all = next;
            return c;
        }
    }

    /** A spare that ended (unused for its keep-alive) leaves the carrier set. */
    void removeCarrier(Carrier gone) {
        synchronized (carriersLock) {
            all = Arrays.stream(all).filter(c -> c != gone).toArray(Carrier[]::new);
        }
    }

    /**
     * Whether carriers are the JDK's kind, which the JDK tells of blocking calls.
     *
     * @return true if carriers are {@code jdk.internal.misc.CarrierThread}s
     */
    public boolean carriersSeeBlockingCalls() {
        return CarrierThreads.jdkKind(stackSize);
    }

    /**
     * Carriers held now: blocked in a call, or handed off by the watchdog (racy).
     *
     * @return the count
     */
    public int heldCarriers() {
        return spares.blockedCount();
    }

    /**
     * Spare carriers running now (racy).
     *
     * @return the count
     */
    public int activeSpares() {
        return spares.activeCount();
    }

    /**
     * Spare carrier threads that exist, running or pooled (racy).
     *
     * @return the count
     */
    public int spareThreads() {
        return spares.createdCount();
    }

    /**
     * The scheduler's name, the prefix of its carriers' names.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Reductions in a slice.
     *
     * @return the configured budget
     */
    public int budget() {
        return budget;
    }

    /**
     * The scheduler's own carriers (spares not counted).
     *
     * @return their number
     */
    public int carrierCount() {
        return carriers.length;
    }

    /**
     * The scheduler's own carriers (spares not included).
     *
     * @return a copy of the array, by index
     */
    public Carrier[] carriers() {
        return carriers.clone();
    }

    /**
     * The continuation engine's name.
     *
     * @return {@code vm}
     */
    public String engineName() {
        return engine.name();
    }

    // ---- spawning ----

    /**
     * Creates a process that has not started; start it with {@link #start}.
     *
     * @param body what the process runs
     * @return the unstarted process
     * @throws IllegalStateException if the scheduler is shut down
     */
    public Proc create(Runnable body) {
        if (shutdown) throw new IllegalStateException("scheduler " + name + " is shut down");
        return new Proc(this, body);
    }

    /**
     * Starts a created process: it is queued on the spawning carrier (BEAM's choice), else globally.
     *
     * @param p a process from {@link #create}, not started yet
     */
    public void start(Proc p) {
        table.put(p.pid, p);
        spawned.incrementAndGet();
        Observer[] os = observerArray;
        if (os.length > 0) tell(os, o -> o.processStarted(p));
        p.start(); // the JDK calls p.execute, which lands in submit
    }

    /**
     * Creates and starts a process.
     *
     * @param body what the process runs
     * @return the process
     * @throws IllegalStateException if the scheduler is shut down
     */
    public Proc spawn(Runnable body) {
        Proc p = create(body);
        start(p);
        return p;
    }

    /**
     * Spawns a child linked to {@code parent} before it runs (spawn_link).
     *
     * @param parent the calling process (owner only)
     * @param body what the child runs
     * @return the child
     */
    public Proc spawnLinked(Proc parent, Runnable body) {
        Proc p = create(body);
        parent.linkUnstarted(p);
        start(p);
        return p;
    }

    /**
     * Spawns a process (linked to {@code linkTo} before it runs, if not null) whose body is made by
     * {@code withReady} from a callback it must run once it is ready (OTP's init_ack), and waits for
     * that. Fails with an IllegalStateException carrying the exit reason if the process ends first. The
     * wait parks the caller (a process's carrier stays free; a plain thread blocks).
     *
     * @param linkTo the calling process to link the new one to, or null
     * @param withReady makes the body from the ready callback
     * @return the process, ready
     * @throws IllegalStateException if the process ended before it was ready
     */
    public Proc spawnAndAwaitReady(Proc linkTo, Function<Runnable, Runnable> withReady) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Proc p = create(withReady.apply(() -> ready.complete(null)));
        p.onExit(reason -> ready.completeExceptionally(new IllegalStateException(
                "process " + p.pid + " exited before it was ready: " + reason, reason.exceptionCause().orElse(null))));
        if (linkTo != null) linkTo.linkUnstarted(p);
        start(p);
        try {
            ready.join();
        } catch (CompletionException e) {
            throw (IllegalStateException) e.getCause();
        }
        return p;
    }

    /**
     * Runs {@code body} in a process of this scheduler and returns what it returned (rethrowing what it
     * threw): for callers that may not be processes themselves (a plain thread calling a server).
     * Called from a process, the body runs there, directly.
     *
     * @param <T> the result's type
     * @param body what to run
     * @return its result
     */
    public <T> T inProcess(Supplier<T> body) {
        return inProcess(this::spawn, body);
    }

    /**
     * {@link #inProcess(Supplier)} with the helper process started by {@code spawner} (the distribution
     * layer passes a public {@code Scheduler}'s spawn).
     *
     * @param <T> what it returns
     * @param spawner starts a process that runs the given body
     * @param body the work
     * @return what it returned; what it threw is rethrown
     */
    public static <T> T inProcess(java.util.function.Consumer<Runnable> spawner, Supplier<T> body) {
        if (Proc.current() != null) return body.get();
        CompletableFuture<T> answer = new CompletableFuture<>();
        spawner.accept(() -> {
            try {
                answer.complete(body.get());
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /**
     * A child and the reference of the monitor its parent put on it before it ran.
     *
     * @param proc the child
     * @param ref the monitor's reference
     */
    public record Monitored(Proc proc, Ref ref) {}

    /**
     * Spawns a child monitored by {@code parent} before it runs (spawn_monitor).
     *
     * @param parent the calling process (owner only)
     * @param body what the child runs
     * @return the child and the monitor's reference
     */
    public Monitored spawnMonitored(Proc parent, Runnable body) {
        Proc p = create(body);
        Ref ref = parent.monitorUnstarted(p);
        start(p);
        return new Monitored(p, ref);
    }

    // ---- queues ----

    /**
     * {@code p} became runnable (the JDK called its {@code execute}). Where it goes depends on who
     * calls: this scheduler's carrier itself (after a yield: the tail of its own queue), a process
     * mounted on one of our carriers (a wake-up or a spawn: that carrier's runnext, or its queue for a
     * new process), or anyone else (a wake-up to the woken queue, a new process to the global queue,
     * waking an idle carrier). A process whose priority is not NORMAL goes to its priority's shared
     * queue, whoever queues it.
     */
    void submit(Proc p) {
        if (det != null) {
            det.submit(p);
            return;
        }
        if (p.priority != Proc.NORMAL) {
            (p.priority == Proc.HIGH ? high : low).offer(p);
            wakeIdle();
            return;
        }
        Thread t = Thread.currentThread();
        if (t instanceof CarrierHost h) {
            Carrier c = h.carrier();
            if (c.sched == this) {
                if (p.preempting) {
                    // Preempted (its budget ran out): to the global queue, as Go does with preempted
                    // goroutines. Carriers never steal from a busy carrier, so a preempted process kept
                    // local would stay on this carrier for good, and hogs split 7:1 between two carriers
                    // would get 7x different shares. Through the global queue every carrier serves every
                    // hog in turn. One queue operation per slice (tens of microseconds) costs nothing.
                    global.offer(p);
                    wakeIdle();
                } else {
                    c.pushLocal(p, c.firingTimers);
                }
                return;
            }
        } else if (Proc.of(t) instanceof Proc me && me.sched == this) {
            // Only a process's own thread is mounted on our carrier: a virtual thread it started has it as
            // scheduler too, but runs on the JDK's pool, and must not touch a carrier's owner-only queues.
            Carrier c = me.carrier; // the carrier this thread is mounted on: it wrote this before mounting
            if (c.held()) {
                // That carrier is blocked in a call or handed off: work queued there would wait for it.
                (p.mounts > 0 ? woken : global).offer(p);
                wakeIdle();
            } else if (p.mounts > 0) { // a wake-up (a new process has never been mounted)
                c.pushNext(p);
                // Woken from a JDK park (a lock released, a condition signalled), not from receive: the
                // waker yields at its next tick. Otherwise a process that releases a non-fair lock and
                // takes it again at once (a loop around lock/unlock) keeps it: the woken waiter only runs
                // when the waker is preempted, which is mostly while it holds the lock again, and 64
                // processes on one ReentrantLock left 19-52 of them without a single turn in 3 s
                // (LocksIT). A message's wake-up keeps runnext's rule: the woken runs when the waker
                // waits or its slice ends.
                if (!p.waitsInPreempt()) me.yieldAtNextTick();
            } else {
                c.pushLocal(p, true);
            }
            return;
        }
        if (t.isVirtual() && VirtualThreads.currentCarrier() instanceof CarrierHost h) {
            Carrier c = h.carrier();
            if (c.sched == this && c.inSystemTask && !c.held()) {
                // A sub-poller on one of our carriers woke p (its socket is ready): queue it on that
                // carrier, as a process waking another would; the others steal if it has too many.
                c.pushLocal(p, true);
                return;
            }
        }
        (p.mounts > 0 ? woken : global).offer(p); // a wake-up from outside, or a process spawned from outside
        wakeIdle();
    }

    /**
     * How long {@link #shutdown()} waits for the processes it killed to end, or at least to start
     * unwinding; one that unwinds gets its clean-up's grace on top ({@link Signals#UNWIND_GRACE_NANOS}).
     * Then the rest are abandoned.
     */
    static final long SHUTDOWN_GRACE_NANOS = 500_000_000L;

    /**
     * Before the carriers stop: kills every live process and waits (up to {@link #SHUTDOWN_GRACE_NANOS})
     * until they have ended. Stopping the carriers under a process abandons it wherever it is, and a
     * process that is inside JDK code then holds what it holds for good: one that was writing its own
     * crash report through java.util.logging kept the root {@code ConsoleHandler}'s monitor, so every
     * later log call in the JVM (another scheduler's supervisor reporting a restart, the LogManager's
     * shutdown hook) blocked for ever. Killed, it unwinds: its {@code finally} blocks run, its locks are
     * released, its exit signals go out. One that cannot be reached in time (pinned in a native call, a
     * hog in a long JDK call) is abandoned as before. One that unwinds is waited for as long as its
     * clean-up's grace: stopped at half a second, a clean-up longer than that (a rollback over the
     * network) never finished, though the kill had granted it a second. From a process of this scheduler
     * (closing the scheduler one runs on) it does not wait: the caller's own end would be part of what it
     * waits for.
     */
    private void endLiveProcesses() {
        if (table.isEmpty()) return;
        Proc self = Proc.current();
        for (Proc p : table.values()) {
            if (p != self && p.isAlive()) p.exitSignal(null, ExitReason.KILL);
        }
        if (self != null && self.sched == this) return;
        long start = System.nanoTime();
        while (!table.isEmpty()) {
            long waited = System.nanoTime() - start;
            if (waited >= SHUTDOWN_GRACE_NANOS
                    && (waited >= SHUTDOWN_GRACE_NANOS + Signals.UNWIND_GRACE_NANOS || !anyUnwinding())) {
                break;
            }
            LockSupport.parkNanos(1_000_000L);
        }
        if (!table.isEmpty()) warnAbandoned();
    }

    private boolean anyUnwinding() {
        for (Proc p : table.values()) {
            if (p.unwinding()) return true;
        }
        return false;
    }

    /**
     * The shutdown's kill did not end these in time: say so, and where they are, rather than leave them
     * running unseen (a test that leaked a spinning process passed, and the process burned a core for the
     * rest of the JVM). Without the agent a loop has no tick, and no kill can end it.
     */
    private void warnAbandoned() {
        List<Proc> left = new ArrayList<>(table.values());
        StringBuilder sb = new StringBuilder("scheduler '").append(name).append("' closed with ").append(left.size())
                .append(left.size() == 1 ? " process" : " processes")
                .append(" still there after it killed them (half a second, and a second more for a clean-up); they are"
                        + " abandoned: none runs again once it"
                        + " yields or parks, and one that never does keeps its carrier thread")
                .append(dev.preempt.internal.AgentStatus.isInstalled() ? "" : " (this JVM runs without the agent, so loops have no"
                        + " ticks and a process in one never ends: run under -javaagent:preempt-agent.jar)")
                .append(':');
        int shown = 0;
        for (Proc p : left) {
            if (shown++ == 8) {
                sb.append("\n  ... and ").append(left.size() - 8).append(" more");
                break;
            }
            sb.append("\n  ").append(p.pid()).append(' ').append(p.stateName()).append(", started as ").append(p.entryName());
            StackTraceElement[] stack = p.thread.getStackTrace();
            for (int i = 0; i < Math.min(3, stack.length); i++) sb.append("\n      at ").append(stack[i]);
        }
        LOG.warning(sb.toString());
    }

    /** Whether processes wait in a shared queue (racy). */
    boolean sharedWorkWaiting() {
        return !woken.isEmpty() || !global.isEmpty() || !system.isEmpty() || !high.isEmpty() || !low.isEmpty();
    }

    /** New work was queued: wake a parked carrier, if any, so it can take or steal it. */
    void wakeIdle() {
        VarHandle.fullFence(); // the queue write must be visible before we read the idle count (Dekker)
        if (idleCount.get() == 0) {
            // No carrier idle: if some are held, a spare is due in each one's place.
            if (spares.wanted()) spares.ensure();
            return;
        }
        for (Carrier c : all) {
            if (c.parked && c.tryWake()) return;
        }
    }

    // ---- events ----

    /** Whether carriers time slices for {@link Observer#sliceEnded}. */
    volatile boolean observeSlices;

    /**
     * Turns the timing of slices for {@link Observer#sliceEnded} on or off.
     *
     * @param on whether carriers time slices
     */
    public void observeSlices(boolean on) {
        observeSlices = on;
    }

    /**
     * Whether carriers time slices now (the JFR layer turns it on while SliceEnd is recorded).
     *
     * @return true while slices are timed
     */
    public boolean observingSlices() {
        return observeSlices;
    }

    void sliceEnded(Proc p, Carrier c, int reductions, long nanos, boolean preempted) {
        Observer[] os = observerArray;
        if (os.length > 0) tell(os, o -> o.sliceEnded(p, c, reductions, nanos, preempted));
    }

    /**
     * Live supervisor processes, each with how to list its children, for tools (the JMX view's
     * supervision tree). The supervisor behaviour (in the API) says how; the scheduler and the tools
     * need not know the behaviour.
     */
    private final Map<Proc, Supplier<List<Supervisor.Child>>> supervisors = new ConcurrentHashMap<>();

    /**
     * The supervisor behaviour: {@code p} (the caller) is a supervisor from now on. A supervisor that is
     * killed does not say it ended; it is dropped on the next look.
     *
     * @param p the supervisor's process
     * @param children lists its children (asks the supervisor; any thread)
     */
    public void supervisorStarted(Proc p, Supplier<List<Supervisor.Child>> children) {
        supervisors.keySet().removeIf(s -> !s.isAlive());
        supervisors.put(p, children);
    }

    /**
     * The supervisor behaviour: {@code p} (the caller) is ending.
     *
     * @param p the supervisor's process
     */
    public void supervisorEnded(Proc p) {
        supervisors.remove(p);
    }

    /**
     * The live supervisors, for tools.
     *
     * @return their pids, sorted
     */
    public List<Pid> liveSupervisors() {
        supervisors.keySet().removeIf(s -> !s.isAlive());
        return supervisors.keySet().stream().map(Proc::pid).sorted().toList();
    }

    /**
     * A live supervisor's children, asked of the supervisor.
     *
     * @param supervisor one of {@link #liveSupervisors()}
     * @return its children, or empty if it is not (any longer) a live supervisor of this scheduler
     */
    public List<Supervisor.Child> supervisorChildren(Pid supervisor) {
        for (Map.Entry<Proc, Supplier<List<Supervisor.Child>>> e : supervisors.entrySet()) {
            if (e.getKey().pid().equals(supervisor)) return e.getValue().get();
        }
        return List.of();
    }

    /**
     * Tells the observers that a supervisor restarted a child (see {@link Observer#supervisorRestart}).
     *
     * @param supervisor the supervisor
     * @param childId the child's spec id
     * @param oldPid the child's process that ended, or null
     * @param newPid the child's new process
     * @param reason why the old process ended
     */
    public void supervisorRestart(Pid supervisor, String childId, Pid oldPid, Pid newPid, ExitReason reason) {
        Observer[] os = observerArray;
        if (os.length > 0) tell(os, o -> o.supervisorRestart(supervisor, childId, oldPid, newPid, reason));
    }

    void pinned(Proc p, String reason) {
        Observer[] os = observerArray;
        if (os.length > 0) tell(os, o -> o.pinned(p, reason));
    }

    void processExited(Proc p, ExitReason reason) {
        table.remove(p.pid);
        if (p.priority == Proc.HIGH) highProcesses.decrementAndGet();
        exited.incrementAndGet();
        Observer[] os = observerArray;
        if (os.length > 0) tell(os, o -> o.processExited(p, reason));
    }

    void carrierHeld(Carrier c, Proc p, String reason, long nanos, StackTraceElement[] stack) {
        Observer[] os = observerArray;
        if (os.length > 0) tell(os, o -> o.carrierHeld(c, p, reason, nanos, stack));
    }

    boolean hasObservers() {
        return observerArray.length > 0;
    }

    /**
     * Adds an observer of this scheduler's events.
     *
     * @param o the observer; quick, and never throwing
     */
    public void addObserver(Observer o) {
        observers.add(o);
        observerArray = observers.toArray(new Observer[0]);
    }

    /**
     * Removes an observer added with {@link #addObserver}.
     *
     * @param o the observer
     */
    public void removeObserver(Observer o) {
        observers.remove(o);
        observerArray = observers.toArray(new Observer[0]);
    }

    /**
     * An error inside Preempt's own code on {@code where} (a carrier, a process's exit path). Never throws:
     * a carrier that called it goes on whatever happens here, even when logging itself fails for want of
     * memory. An OutOfMemoryError ends the JVM under the default policy ({@link OutOfMemory}).
     */
    /**
     * Tells each observer of an event. One that throws (the JFR layer, a test's hook) is counted and
     * reported as an internal error; the others still hear the event, and the scheduler goes on. Callers
     * check for observers first, so that an unobserved event allocates nothing.
     */
    private void tell(Observer[] os, Consumer<Observer> event) {
        for (Observer o : os) {
            try {
                event.accept(o);
            } catch (Throwable t) {
                internalError("observer " + o, t);
            }
        }
    }

    void internalError(Object where, Throwable t) {
        internalErrors.incrementAndGet();
        try {
            OutOfMemory.check(t, this, where);
            LOG.log(Level.SEVERE, "Preempt internal error on " + where + " (the carrier goes on)", t);
        } catch (Throwable ignored) {
            // counted above; nothing more can be done here
        }
    }

    // ---- introspection ----

    /**
     * The live process {@code pid}.
     *
     * @param pid the pid
     * @return its process, or null if it has exited or is not this scheduler's
     */
    public Proc lookup(Pid pid) {
        return table.get(pid);
    }

    /**
     * The processes started and not yet exited.
     *
     * @return a live view of the process table (weakly consistent)
     */
    public Collection<Proc> liveProcesses() {
        return table.values();
    }

    /**
     * The pids of the processes that have not begun exiting (one that has leaves the table a moment later).
     *
     * @return their pids, in no particular order (a snapshot)
     */
    public List<Pid> livePids() {
        List<Pid> out = new ArrayList<>();
        for (Proc p : table.values()) {
            if (p.isAlive()) out.add(p.pid());
        }
        return out;
    }

    /**
     * Processes started so far.
     *
     * @return the count
     */
    public long spawnedCount() {
        return spawned.get();
    }

    /**
     * Processes exited so far.
     *
     * @return the count
     */
    public long exitedCount() {
        return exited.get();
    }

    /**
     * Errors in Preempt's own code so far (logged as SEVERE; the carrier went on).
     *
     * @return the count
     */
    public long internalErrorCount() {
        return internalErrors.get();
    }

    /**
     * Live processes of {@link dev.preempt.Priority#HIGH} (racy).
     *
     * @return the count
     */
    public int highPriorityProcesses() {
        return highProcesses.get();
    }

    /**
     * Processes waiting in the shared queues: the global and the woken one, and the high- and
     * low-priority ones (racy).
     *
     * @return the count
     */
    public int globalQueueLength() {
        return global.size() + woken.size() + high.size() + low.size();
    }

    /**
     * True if every carrier thread is alive (none was ever lost).
     *
     * @return false if a carrier died or the scheduler is shut down
     */
    public boolean allCarriersAlive() {
        for (Carrier c : carriers) {
            if (!c.isAlive()) return false;
        }
        return !shutdown;
    }

    /**
     * Timers set and not yet fired or cancelled (receive timeouts, sleeps).
     *
     * @return the count
     */
    public int pendingTimers() {
        return timers.size();
    }

    /**
     * Whether {@link #shutdown} was called.
     *
     * @return true once shut down
     */
    public boolean isShutdown() {
        return shutdown;
    }

    private final CopyOnWriteArrayList<Runnable> onShutdown = new CopyOnWriteArrayList<>();

    /** Told of each crash no link or monitor hears of (see {@link #onUnseenCrash}); null for none. */
    private volatile BiConsumer<Pid, Throwable> unseenCrash;

    /**
     * Sets the listener told, inside the crashing process, of each crash (an exception escaped the
     * process) that no link or monitor hears of; what it throws is ignored.
     *
     * @param listener the listener, or null for none
     */
    public void onUnseenCrash(BiConsumer<Pid, Throwable> listener) {
        unseenCrash = listener;
    }

    /** The ending process: tells the listener if its end is a crash nobody hears of. */
    void processEnded(Proc p, ExitReason reason, boolean seen) {
        BiConsumer<Pid, Throwable> l = unseenCrash;
        if (l == null || seen) return;
        Throwable t = reason.exceptionCause().orElse(null);
        if (t == null) return;
        try {
            l.accept(p.pid(), t);
        } catch (Throwable ignored) {
            // a failing listener must not disturb the exit
        }
    }

    /**
     * Runs {@code hook} when this scheduler shuts down (at once if it has).
     *
     * @param hook run once: by the thread that shuts the scheduler down, or by the caller if it is
     *        shut down already
     */
    public void onShutdown(Runnable hook) {
        onShutdown.add(hook);
        if (shutdown && onShutdown.remove(hook)) hook.run();
    }

    /**
     * Kills the live processes and waits briefly for them to end ({@link #endLiveProcesses()}), then
     * stops the carriers, spares and watchdog; processes still alive then are abandoned.
     */
    public void shutdown() {
        if (shutdown) return;
        if (det != null) det.closing();
        endLiveProcesses();
        shutdown = true;
        for (Runnable hook : onShutdown) {
            if (onShutdown.remove(hook)) {
                try {
                    hook.run();
                } catch (Throwable ignored) {
                    // a hook must not stop the shutdown
                }
            }
        }
        SystemThreads.INSTANCE.released(this);
        starter.close();
        for (Carrier c : all) c.unpark();
        watchdog.wake();
    }
}
