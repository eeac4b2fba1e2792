package dev.preempt.test;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.ProcessExit;
import dev.preempt.ProcessInfo;
import dev.preempt.Scheduler;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * The extension behind {@link PreemptTest}: intercepts the test method and runs it as the root process
 * of a fresh {@link Scheduler}. Usable on its own with {@code @ExtendWith(PreemptExtension.class)}
 * (then with {@link PreemptTest}'s defaults).
 */
public final class PreemptExtension implements InvocationInterceptor {

    /** Creates the extension (JUnit does, through {@link PreemptTest}). */
    public PreemptExtension() {}

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        Method m = extensionContext.getRequiredTestMethod();
        PreemptTest cfg = m.getAnnotation(PreemptTest.class);
        int carriers = cfg == null ? 2 : cfg.carriers();
        long timeout = cfg == null ? 10_000 : cfg.timeoutMillis();
        boolean failOnUnseenCrash = cfg == null || cfg.failOnUnseenCrash();
        String name = m.getDeclaringClass().getSimpleName() + "." + m.getName();
        String replay = System.getProperty("preempt.replay", cfg == null ? "" : cfg.replay());
        if (cfg != null && (cfg.schedules() > 0 || !cfg.replay().isEmpty())) {
            Body body = () -> {
                try {
                    invocationContext.getExecutable().setAccessible(true);
                    invocationContext.getExecutable().invoke(invocationContext.getTarget().orElse(null),
                            invocationContext.getArguments().toArray());
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            };
            invocation.skip(); // the body runs once per schedule, called here
            search(name, cfg, replay, timeout, failOnUnseenCrash, body);
            return;
        }
        runAsRoot(name, carriers, timeout, failOnUnseenCrash, () -> {
            invocation.proceed();
        });
    }

    /**
     * Runs the deterministic schedules of a {@code @PreemptTest(schedules = N)} (or the one schedule its
     * replay key names) and fails with the first failing schedule's replay key.
     */
    private static void search(String name, PreemptTest cfg, String replay, long timeout, boolean failOnUnseenCrash, Body body)
            throws Throwable {
        ScheduleSearch.Outcome o;
        if (!replay.isEmpty()) {
            dev.preempt.Schedule s = dev.preempt.Schedule.parse(replay);
            o = ScheduleSearch.explore(name, s, s.steps(), 1, timeout, failOnUnseenCrash, body);
        } else {
            dev.preempt.Schedule base = new dev.preempt.Schedule(cfg.strategy(), cfg.seed(), cfg.maxBudget(), cfg.depth(),
                    Math.max(1, cfg.steps()));
            o = ScheduleSearch.explore(name, base, cfg.steps(), cfg.schedules(), timeout, failOnUnseenCrash, body);
        }
        if (!o.failed()) return;
        // An assumption that does not hold aborts the test (JUnit reports it skipped), in every schedule alike.
        if (o.failure() instanceof org.opentest4j.TestAbortedException aborted) throw aborted;
        String line = "-Dpreempt.replay='" + o.failing() + "'";
        System.err.println("[preempt] " + name + " failed under schedule " + o.runs() + (replay.isEmpty() ? " of " + cfg.schedules() : "")
                + "; replay: " + line + " or @PreemptTest(replay = \"" + o.failing() + "\")");
        StringBuilder msg = new StringBuilder();
        msg.append("failed under deterministic schedule ").append(o.runs())
                .append(replay.isEmpty() ? " of " + cfg.schedules() + " (the " + (o.runs() - 1) + " before it passed)" : " (replayed)")
                .append(": ").append(o.failure()).append("\n  replay: ").append(line)
                .append("\n  or:     @PreemptTest(replay = \"").append(o.failing()).append("\")\n");
        if (!o.warnings().isEmpty()) {
            msg.append("  warning, this run left the controlled world and may not replay:\n");
            for (String w : o.warnings()) msg.append("    ").append(w).append('\n');
        }
        if (o.traceTail() != null) msg.append("  the run's last scheduling events:\n").append(o.traceTail());
        throw new AssertionError(msg.toString(), o.failure());
    }

    /** A test body. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs the body.
         *
         * @throws Throwable whatever the body throws fails the test
         */
        void run() throws Throwable;
    }

    /**
     * Runs {@code body} as the root process of a fresh scheduler and waits for it: returns if it ended
     * normally; rethrows what it threw (an {@code AssertionError} as it was); fails with the exit reason
     * if it was ended by a signal; fails with a dump of the live processes after {@code timeoutMillis}.
     * The scheduler is closed either way (its remaining processes are killed).
     *
     * @param name the scheduler's name (the test's, in a thread dump)
     * @param carriers its carrier threads
     * @param timeoutMillis how long the root may run
     * @param body what the root process runs
     * @throws Throwable what the body threw, or an {@link AssertionError} for a timeout or an exit signal
     */
    public static void runAsRoot(String name, int carriers, long timeoutMillis, Body body) throws Throwable {
        runAsRoot(name, carriers, timeoutMillis, true, body);
    }

    /**
     * {@link #runAsRoot(String, int, long, Body)}, choosing whether a crash no link or monitor heard of
     * fails the run too (after the root ended normally; the first such crash is the cause, the others
     * are suppressed).
     *
     * @param name the scheduler's name (the test's, in a thread dump)
     * @param carriers its carrier threads
     * @param timeoutMillis how long the root may run
     * @param failOnUnseenCrash whether an unseen crash fails the run
     * @param body what the root process runs
     * @throws Throwable what the body threw, or an {@link AssertionError} for a timeout, an exit signal
     *         or an unseen crash
     */
    public static void runAsRoot(String name, int carriers, long timeoutMillis, boolean failOnUnseenCrash, Body body)
            throws Throwable {
        runAsRoot(name, carriers, timeoutMillis, failOnUnseenCrash, null, null, body);
    }

    /**
     * {@link #runAsRoot(String, int, long, boolean, Body)} on a deterministic scheduler following
     * {@code schedule} (null: a normal one with {@code carriers} carriers). In a deterministic run a
     * deadlock (every process waits, no timer is set) fails at once, with the waiting processes.
     *
     * @param name the scheduler's name
     * @param carriers its carrier threads (a deterministic scheduler has one)
     * @param timeoutMillis how long the root may run, in real time
     * @param failOnUnseenCrash whether an unseen crash fails the run
     * @param schedule the schedule, or null
     * @param after given the scheduler once it is closed, whether the run failed or not (a deterministic
     *        run's trace and step count are read here); null for nothing
     * @param body what the root process runs
     * @throws Throwable as {@link #runAsRoot(String, int, long, boolean, Body)}, or an
     *         {@link AssertionError} for a deadlock
     */
    public static void runAsRoot(String name, int carriers, long timeoutMillis, boolean failOnUnseenCrash,
            dev.preempt.Schedule schedule, java.util.function.Consumer<Scheduler> after, Body body) throws Throwable {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        java.util.List<AssertionError> crashes = new java.util.concurrent.CopyOnWriteArrayList<>();
        Scheduler.Builder builder = Scheduler.builder().name("test " + name).carriers(carriers)
                .onUnseenCrash((pid, e) -> crashes.add(new AssertionError("process " + pid
                        + " crashed and no link or monitor heard of it: " + e, e)));
        if (schedule != null) {
            builder.deterministic(schedule).onDeadlock(who -> done.complete(new AssertionError(
                    "deadlock: every process waits for a message and no timer is set; waiting:\n" + who)));
        }
        Scheduler s = builder.build();
        try (s) {
            Pid root = s.spawn(() -> {
                try {
                    body.run();
                    done.complete(null);
                } catch (ProcessExit exit) {
                    done.complete(new AssertionError("the test's root process " + Preempt.self() + " was ended by an exit signal: "
                            + exit.reason(), exit));
                    throw exit;
                } catch (Throwable t) {
                    done.complete(t);
                }
            });
            Throwable failure;
            try {
                failure = done.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the test's root process " + root + " had not ended after " + timeoutMillis
                        + " ms; live processes:\n" + dump(s));
            } catch (ExecutionException e) {
                throw e.getCause();
            }
            if (failure != null) throw failure;
        } finally {
            // closed: every process has ended (or been abandoned), so every crash has been told
            if (after != null) after.accept(s);
        }
        if (failOnUnseenCrash && !crashes.isEmpty()) {
            AssertionError first = crashes.get(0);
            for (AssertionError other : crashes.subList(1, crashes.size())) first.addSuppressed(other);
            throw first;
        }
    }

    /** Every live process of {@code s}: pid, state, mailbox length, entry, and the top of its stack. */
    static String dump(Scheduler s) {
        StringBuilder b = new StringBuilder();
        for (Pid p : s.processes()) {
            ProcessInfo i = Preempt.processInfo(p).orElse(null);
            if (i == null) continue;
            b.append("  ").append(p).append(' ').append(i.state()).append(" mailbox=").append(i.mailboxLength())
                    .append(i.registeredName().map(n -> " name=" + n).orElse("")).append(" entry=").append(i.entry()).append('\n');
            int frames = 0;
            for (StackTraceElement f : i.stack()) {
                if (frames++ == 12) {
                    b.append("      ...\n");
                    break;
                }
                b.append("      at ").append(f).append('\n');
            }
        }
        return b.length() == 0 ? "  (none)\n" : b.toString();
    }
}
