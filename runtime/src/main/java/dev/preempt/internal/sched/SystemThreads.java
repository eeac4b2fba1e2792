package dev.preempt.internal.sched;

import dev.preempt.internal.engine.VirtualThreads;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * Runs the JDK's own socket sub-pollers on Preempt's carriers, so that a socket's readiness wakes its
 * process from the carrier that polled it instead of from a ForkJoinPool worker on another OS thread.
 *
 * <p><b>How the sub-pollers become ours.</b> {@code sun.nio.ch.Poller}'s static initialiser starts its
 * sub-pollers with {@code Thread.ofVirtual()}, and a virtual thread created by a virtual thread takes its
 * creator's scheduler. The class is initialised by the first virtual thread that waits for a socket;
 * when that is a process (the usual case under {@code @Process main}), every sub-poller has the process
 * as its scheduler for the life of the JVM, and {@link Proc#execute} receives its task each time it
 * becomes runnable. The process passes every task that is not its own to {@link #claim}: a sub-poller's
 * (the JDK names them {@code SubPoller-<n>}) comes here, any other thread the process started goes on to
 * the JDK's scheduler. Not initialising the class ourselves is deliberate: the JDK's master poller then
 * sits in {@code epoll_wait}, and HotSpot waits up to 300 ms at exit for a thread in native code, so a
 * program that never waits for a socket would pay that at every exit. If the class is initialised
 * outside any process (a socket used on a plain thread first), or with {@code -Dpreempt.pollers=jdk},
 * the sub-pollers are the JDK's and nothing here applies.
 *
 * <p><b>Thread contract.</b> {@link #execute} is called by any thread (the master poller, a process, a
 * carrier). Tasks go to the hosting scheduler's {@link SchedulerCore#system} queue, which its carriers
 * run between slices. The host is the first live scheduler whose process hands in a sub-poller; when it
 * shuts down ({@link #released}) its queued tasks go to the JDK's default scheduler, later ones find the
 * next live scheduler through {@link #claim} or go to the JDK's scheduler too: a sub-poller is never
 * lost, at worst it runs on the JDK's pool as it would without Preempt.
 *
 * <p>A sub-poller is not a process: it is not preempted, does no ticks and is charged to nobody. Its
 * task is short (a non-blocking {@code epoll_wait} and the unparks of what was ready; it parks on the
 * master poller when nothing is), so carriers run it before queued processes on every other round.
 */
final class SystemThreads implements Executor {

    /** {@code -Dpreempt.pollers=carriers} (the default) or {@code jdk} (leave the sub-pollers on the JDK's pool). */
    static final String PROPERTY = "preempt.pollers";

    static final SystemThreads INSTANCE = new SystemThreads();

    /** Read once: whether sub-pollers are run on carriers. */
    private static final boolean ENABLED = enabled(System.getProperty(PROPERTY, "carriers"));

    /** The scheduler whose carriers run the sub-pollers, or null (none yet, or it shut down). */
    private volatile SchedulerCore host;

    private SystemThreads() {}

    /** Every scheduler that has not shut down, oldest first: the candidates to host the sub-pollers. */
    private final CopyOnWriteArrayList<SchedulerCore> live = new CopyOnWriteArrayList<>();

    /**
     * Checks the setting; called when a scheduler is being created, so that a bad value is an error at once.
     *
     * @throws IllegalArgumentException if {@code -Dpreempt.pollers} is neither {@code carriers} nor {@code jdk}
     */
    static void checkSetting() {
        enabled(System.getProperty(PROPERTY, "carriers"));
    }

    /** A scheduler started: a candidate host from now until it shuts down ({@link #released}). */
    void started(SchedulerCore core) {
        live.add(core);
    }

    private static boolean enabled(String mode) {
        return switch (mode) {
            case "carriers" -> true;
            case "jdk" -> false;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + mode + ": accepted values are carriers and jdk");
        };
    }

    /**
     * A process of {@code core} was handed {@code task}, not its own: if it is a JDK sub-poller's, it runs
     * here (and {@code core} hosts the sub-pollers if none does). False for any other thread's task.
     */
    boolean claim(Runnable task, SchedulerCore core) {
        if (!ENABLED) return false;
        Thread t = VirtualThreads.threadOf(task);
        if (t == null || !t.getName().startsWith("SubPoller-")) return false;
        if (host == null) {
            synchronized (this) {
                // The process's own scheduler if it still runs (a sub-poller created in a process of a
                // scheduler that has closed keeps that process as its scheduler), else the oldest live one.
                // A deterministic scheduler never hosts (it is not in live either): real I/O drives pollers.
                if (host == null) host = !core.isShutdown() && core.det == null ? core : live.isEmpty() ? null : live.get(0);
            }
        }
        execute(task);
        return true;
    }

    @Override
    public void execute(Runnable task) {
        SchedulerCore h = host;
        if (Thread.currentThread() instanceof CarrierHost me) {
            Carrier c = me.carrier();
            // A sub-poller that yielded on one of our carriers, resubmitted by the JDK on the way out.
            if (c.sched == h && c.inSystemTask && c.deferSystemTask(task)) return;
        }
        if (h == null || !h.offerSystem(task)) {
            VirtualThreads.defaultScheduler().execute(task);
        }
    }

    /**
     * A scheduler shut down: no longer a candidate; if it hosted, its queued tasks go to the JDK's
     * default scheduler, and the next sub-poller task handed to {@link #claim} picks a new host.
     */
    void released(SchedulerCore core) {
        live.remove(core);
        synchronized (this) {
            if (host != core) return;
            host = null;
        }
        core.drainSystemTo(VirtualThreads.defaultScheduler());
    }

}
