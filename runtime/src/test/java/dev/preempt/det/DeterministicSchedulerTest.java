package dev.preempt.det;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preempt.CallException;
import dev.preempt.Down;
import dev.preempt.Ref;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Schedule;
import dev.preempt.Scheduler;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeterministicSchedulerTest {

    private static void runOk(Scheduler s, Runnable body) {
        ExitReason r = s.run(body);
        if (!r.isNormal()) {
            Throwable t = r.exceptionCause().orElse(null);
            if (t instanceof Error e) throw e;
            if (t instanceof RuntimeException e) throw e;
            throw new AssertionError("process ended with " + r, t);
        }
    }

    @Test
    void anHourOfSleepIsVirtual() {
        try (Scheduler s = Scheduler.deterministic(1)) {
            long[] slept = new long[1];
            long wall = System.nanoTime();
            runOk(s, () -> {
                long t0 = Preempt.nanoTime();
                Preempt.sleep(Duration.ofHours(1));
                slept[0] = Preempt.nanoTime() - t0;
            });
            wall = System.nanoTime() - wall;
            assertThat(slept[0]).isGreaterThanOrEqualTo(Duration.ofHours(1).toNanos());
            assertThat(slept[0]).isLessThan(Duration.ofHours(1).plusSeconds(1).toNanos());
            assertThat(s.virtualTime()).isGreaterThanOrEqualTo(Duration.ofHours(1));
            assertThat(wall).as("real time for an hour of virtual sleep").isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void receiveAndCallTimeoutsAreVirtual() {
        try (Scheduler s = Scheduler.deterministic(2)) {
            runOk(s, () -> {
                long t0 = Preempt.nanoTime();
                assertThat(Preempt.receive(Duration.ofMinutes(10))).isEmpty();
                assertThat(Preempt.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMinutes(10).toNanos());
                Pid silent = Preempt.spawn(() -> Preempt.receive(m -> false, Duration.ofDays(1)));
                long t1 = Preempt.nanoTime();
                assertThatThrownBy(() -> Preempt.call(silent, "hello", Duration.ofSeconds(30)))
                        .isInstanceOf(CallException.class).hasMessageContaining("timed out");
                assertThat(Preempt.nanoTime() - t1).isGreaterThanOrEqualTo(Duration.ofSeconds(30).toNanos());
            });
            assertThat(s.virtualTime()).isGreaterThan(Duration.ofMinutes(10));
            assertThat(s.determinismWarnings()).isEmpty();
        }
    }

    /**
     * Three sleepers set deadlines a few virtual nanoseconds apart (every step moves the clock); the
     * order they wake in follows from the order the seed ran them in. (Deadlines that tie exactly are
     * fired together and the chooser orders them, like any runnable processes.)
     */
    @Test
    void sleepersWakeInSeededOrders() {
        Set<String> orders = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            List<String> woke = new ArrayList<>();
            try (Scheduler s = Scheduler.deterministic(seed)) {
                runOk(s, () -> {
                    List<Pid> ps = new ArrayList<>();
                    for (String n : List.of("x", "y", "z")) {
                        ps.add(Preempt.spawnMonitor(() -> {
                            Preempt.sleep(Duration.ofSeconds(1));
                            woke.add(n);
                        }).pid());
                    }
                    for (int i = 0; i < 3; i++) Preempt.receive(dev.preempt.Down.class);
                });
            }
            orders.add(String.join("", woke));
        }
        assertThat(orders).as("wake-up orders over 40 seeds").hasSizeGreaterThan(1);
    }

    @Test
    void theSameSeedGivesTheSameTraceTwice() {
        for (Schedule sch : List.of(Schedule.random(11), Schedule.pct(11, 3, 40), Schedule.pos(11), Schedule.random(12).withMaxBudget(1))) {
            TraceScenario.Result a = TraceScenario.run(sch);
            TraceScenario.Result b = TraceScenario.run(sch);
            assertThat(b.trace()).as("trace of " + sch).isEqualTo(a.trace());
            assertThat(b.hash()).isEqualTo(a.hash());
            assertThat(b.order()).isEqualTo(a.order());
            assertThat(a.trace()).contains("run p", "send p", "timer p", "time +", "spawn p1 by p0", "end p");
        }
    }

    @Test
    void posVariesTheInterleavingByItselfAndItsKeyReadsBack() {
        Set<List<String>> orders = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) orders.add(TraceScenario.run(Schedule.pos(seed)).order());
        assertThat(orders).as("distinct delivery orders over 30 POS schedules").hasSizeGreaterThan(3);
        Schedule pos = Schedule.pos(7);
        assertThat(pos.toString()).isEqualTo("strategy=pos seed=7 budget=64");
        assertThat(Schedule.parse(pos.toString())).isEqualTo(pos);
    }

    @Test
    void seedsVaryTheInterleavingAndKeepPerPairOrder() {
        Set<List<String>> orders = new HashSet<>();
        Set<Long> hashes = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) {
            for (Schedule sch : List.of(Schedule.random(seed), Schedule.pct(seed, 3, 40), Schedule.pos(seed))) {
                TraceScenario.Result r = TraceScenario.run(sch);
                orders.add(r.order());
                hashes.add(r.hash());
                for (String w : List.of("a", "b", "c")) {
                    assertThat(r.order().indexOf(w + "1")).as("per-pair order " + r.order()).isLessThan(r.order().indexOf(w + "2"));
                }
            }
        }
        assertThat(orders).as("distinct delivery orders over 90 schedules").hasSizeGreaterThan(3);
        assertThat(hashes.size()).isGreaterThan(10);
    }

    @Test
    void aBudgetOfOneEndsSlicesAtEverySend() {
        Set<String> seen = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) {
            StringBuilder got = new StringBuilder();
            try (Scheduler s = Scheduler.builder().deterministic(Schedule.random(seed).withMaxBudget(1)).build()) {
                runOk(s, () -> {
                    Pid me = Preempt.self();
                    for (String n : List.of("a", "b")) {
                        Preempt.spawn(() -> {
                            for (int i = 0; i < 3; i++) Preempt.send(me, n);
                        });
                    }
                    for (int i = 0; i < 6; i++) got.append(Preempt.receive());
                });
            }
            seen.add(got.toString());
        }
        // Without preemption at sends, each sender's three messages would always be adjacent.
        assertThat(seen).anyMatch(o -> !o.equals("aaabbb") && !o.equals("bbbaaa"));
    }

    @Test
    void theSameTraceInAnotherJvm() throws Exception {
        Schedule sch = Schedule.pct(5, 3, 40);
        TraceScenario.Result here = TraceScenario.run(sch);
        for (int i = 0; i < 2; i++) {
            String out = forked(sch.toString().split(" "));
            assertThat(out).startsWith("hash " + Long.toHexString(here.hash()) + "\n");
            assertThat(out.substring(out.indexOf('\n') + 1)).isEqualTo(here.trace());
        }
    }

    private static String forked(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("--add-opens");
        cmd.add("java.base/java.lang=ALL-UNNAMED");
        cmd.add("--add-opens");
        cmd.add("java.base/jdk.internal.vm=ALL-UNNAMED");
        cmd.add("-Dpreempt.quiet=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TraceScenario.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("forked JVM did not end in 60 s");
        }
        assertThat(p.exitValue()).isZero();
        return new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    }

    @Test
    void leavingTheControlledWorldIsWarned() {
        try (Scheduler s = Scheduler.deterministic(3)) {
            runOk(s, () -> {
                Pid me = Preempt.self();
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                    Preempt.send(me, "from a plain thread");
                });
                t.start();
                // No timeout: with one, virtual time would jump past the thread's real 20 ms at once.
                assertThat(Preempt.receive()).isEqualTo("from a plain thread");
            });
            String warnings = String.join("\n", s.determinismWarnings());
            assertThat(warnings).contains("reached a process from thread", "was woken by thread");
            assertThat(s.trace()).contains("send outside -> p0 message String", "outside: wake p0");
        }
    }

    /**
     * A process that waits to enter a monitor a plain thread holds (a logging handler's: a crash report
     * written while another thread logs) is woken by the JDK's unblocker thread, at a time nobody
     * controls. The slice goes on once the monitor is free, as if the entry had not waited, so nothing
     * else runs meanwhile and the trace is the same each time (BugFindingTest's replay of a crash report
     * gained "outside: wake p1" once in CI, while the run's JUL handler was busy with another thread).
     */
    @Test
    void aMonitorHeldByAPlainThreadOutsideDoesNotChangeTheSchedule() throws Exception {
        Object lock = new Object();
        String first = null;
        for (int round = 0; round < 3; round++) {
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            Thread holder = new Thread(() -> {
                synchronized (lock) {
                    held.countDown();
                    try {
                        Thread.sleep(30);
                    } catch (InterruptedException ignored) {
                        // ends
                    }
                }
            });
            holder.start();
            held.await();
            Scheduler s = Scheduler.deterministic(11);
            try (s) {
                runOk(s, () -> {
                    Pid me = Preempt.self();
                    Pid other = Preempt.spawn(() -> {
                        for (int i = 0; i < 5; i++) Preempt.send(me, "tick " + i);
                    });
                    synchronized (lock) { // held outside for 30 ms: the entry blocks
                        Preempt.send(other, "in");
                    }
                    for (int i = 0; i < 5; i++) Preempt.receive();
                });
            }
            // closed: the run's last slice is in the trace
            assertThat(s.determinismWarnings()).isEmpty();
            assertThat(s.trace()).doesNotContain("outside: wake");
            if (first == null) first = s.trace();
            else assertThat(s.trace()).isEqualTo(first);
            holder.join();
        }
    }

    /**
     * A process blocked entering a monitor that another process of the run holds (it yielded inside the
     * {@code synchronized} block) ends its slice at once: the holder cannot run while the carrier waits
     * for the unblocker, so the wait for an outside holder (up to 100 ms of real time) was only lost time,
     * at every contended entry of a search (found by review). 40 contended entries took 3 s or more so.
     */
    @Test
    void aMonitorHeldByAnotherProcessOfTheRunIsNotWaitedFor() {
        Object lock = new Object();
        long t0 = System.nanoTime();
        try (Scheduler s = Scheduler.deterministic(3)) {
            runOk(s, () -> {
                Pid me = Preempt.self();
                Pid holder = Preempt.spawn(() -> {
                    for (int i = 0; i < 40; i++) {
                        synchronized (lock) {
                            Preempt.send(me, "holding");
                            Preempt.yield(); // the other takes its turn while this holds the monitor
                        }
                        Preempt.receive(); // until the other has been in
                    }
                });
                for (int i = 0; i < 40; i++) {
                    Preempt.receive(m -> m.equals("holding"), Duration.ofSeconds(10)).orElseThrow();
                    synchronized (lock) { // held by the holder, which yielded inside
                        Preempt.send(holder, "was in");
                    }
                }
            });
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for 40 contended entries").isLessThan(1_000);
    }

    /**
     * A killed process whose handler parks in a JDK wait again is interrupted again by the carrier, on
     * the schedule: from an interrupter thread, that second interrupt was a wake from outside, and the
     * run was warned about as one that may not replay.
     */
    @Test
    void aKilledProcessThatParksAgainInAJdkWaitIsInterruptedOnTheSchedule() {
        try (Scheduler s = Scheduler.deterministic(4)) {
            runOk(s, () -> {
                java.util.concurrent.BlockingQueue<String> q = new java.util.concurrent.LinkedBlockingQueue<>();
                Pid worker = Preempt.spawn(() -> {
                    try {
                        q.take();
                    } catch (InterruptedException first) {
                        try {
                            q.take(); // parks in the JDK again, the exit still waiting
                        } catch (InterruptedException second) {
                            // the carrier's interrupt
                        }
                    }
                    Preempt.receive(java.time.Duration.ofSeconds(1)); // the exit lands here
                });
                Ref mon = Preempt.monitor(worker);
                Preempt.yield(); // the worker parks in take()
                Preempt.exit(worker, ExitReason.KILL);
                // Virtual time: a worker left in its second take() fails this at once, not after 10 s.
                Down down = Preempt.receive(Down.class, Duration.ofSeconds(10)).orElseThrow(
                        () -> new AssertionError("the killed worker still waits: " + Preempt.processInfo(worker)));
                assertThat(down.ref()).isEqualTo(mon);
                assertThat(down.reason()).isEqualTo(ExitReason.KILLED);
            });
            assertThat(s.determinismWarnings()).isEmpty();
        }
    }

    /**
     * A killed process that goes back to a JDK wait after every interrupt is interrupted again at most
     * {@code Proc.DET_REINTERRUPTS} times; after that it is left waiting, and the run says so. Before, it
     * was left without a word, and the run ended as if nothing had happened (found by review).
     */
    @Test
    void aKilledProcessThatWaitsOutEveryInterruptIsWarnedAbout() {
        try (Scheduler s = Scheduler.deterministic(4)) {
            java.util.concurrent.atomic.AtomicInteger interrupts = new java.util.concurrent.atomic.AtomicInteger();
            runOk(s, () -> {
                java.util.concurrent.BlockingQueue<String> q = new java.util.concurrent.LinkedBlockingQueue<>();
                Pid worker = Preempt.spawn(() -> {
                    while (true) {
                        try {
                            q.take();
                        } catch (InterruptedException e) {
                            interrupts.incrementAndGet(); // and waits again: the exit never lands
                        }
                    }
                });
                Preempt.yield(); // the worker parks in take()
                Preempt.exit(worker, ExitReason.KILL);
                Preempt.receive(Duration.ofSeconds(10)); // virtual time: every interrupt comes meanwhile
            });
            assertThat(interrupts.get()).isGreaterThanOrEqualTo(1_000);
            assertThat(String.join("\n", s.determinismWarnings())).contains("was killed").contains("left waiting");
        }
    }

    @Test
    void aSliceThatHoldsTheCarrierIsWarned() {
        try (Scheduler s = Scheduler.deterministic(5)) {
            runOk(s, () -> {
                // Real time, no tick: nothing else can run. The watch looks every 250 ms, so the warning
                // comes 1.0-1.25 s in on an idle machine; spin until it does (up to 10 s), since a loaded
                // machine can run the watch later than that (1.6 s of spinning failed so, once).
                long until = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < until && !String.join("\n", s.determinismWarnings()).contains("held the only carrier")) {
                    Thread.onSpinWait();
                }
            });
            assertThat(String.join("\n", s.determinismWarnings())).contains("has held the only carrier for over 1000 ms");
        }
    }

    @Test
    void aProcessAndAThreadOutsideThatBothAskForTheWarningsDoNotStopTheRun() throws Exception {
        // The scheduler's state had a monitor: a process that found it held by a thread outside unmounted
        // to wait (JEP 491), got it while unmounted, and the only carrier, which alone could run the process
        // again, blocked on it for good. Here both sides take it as often as they can for a second.
        try (Scheduler s = Scheduler.deterministic(7)) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread outside = new Thread(() -> {
                while (!stop.get()) s.determinismWarnings();
            });
            outside.start();
            CompletableFuture<Long> asked = CompletableFuture.supplyAsync(() -> {
                long[] n = {0};
                runOk(s, () -> {
                    long until = System.nanoTime() + 1_000_000_000L;
                    while (System.nanoTime() < until) {
                        s.determinismWarnings();
                        n[0]++;
                    }
                });
                return n[0];
            });
            try {
                assertThat(asked.get(30, TimeUnit.SECONDS)).as("the process's own calls").isPositive();
            } finally {
                stop.set(true);
                outside.join(10_000);
            }
        }
    }

    @Test
    void aProcessBlockedInASocketIsWokenFromOutsideAndWarned() throws Exception {
        try (Scheduler s = Scheduler.deterministic(6); java.net.ServerSocket server = new java.net.ServerSocket(0)) {
            Thread client = new Thread(() -> {
                try {
                    Thread.sleep(100); // the process is parked in accept by then
                } catch (InterruptedException e) {
                    return;
                }
                try (java.net.Socket c = new java.net.Socket("localhost", server.getLocalPort())) {
                    c.getOutputStream().write(42);
                } catch (java.io.IOException ignored) {
                    // the test fails below
                }
            });
            runOk(s, () -> {
                client.start();
                try (java.net.Socket in = server.accept()) { // parks the process; the JDK's poller wakes it
                    assertThat(in.getInputStream().read()).isEqualTo(42);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            client.join();
            assertThat(String.join("\n", s.determinismWarnings())).contains("was woken by thread");
        }
    }

    @Test
    void aSecondSpawnFromOutsideIsWarnedButTheRootIsNot() {
        try (Scheduler s = Scheduler.deterministic(7)) {
            runOk(s, () -> { });
            assertThat(s.determinismWarnings()).isEmpty();
            runOk(s, () -> { });
            assertThat(String.join("\n", s.determinismWarnings())).contains("was spawned by thread");
        }
    }

    @Test
    void aVirtualThreadStartedByAProcessIsWarned() {
        try (Scheduler s = Scheduler.deterministic(4)) {
            runOk(s, () -> {
                Thread vt = Thread.ofVirtual().start(() -> { });
                try {
                    vt.join();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(String.join("\n", s.determinismWarnings())).contains("started a virtual thread");
        }
    }

    @Test
    void aDeadlockIsReported() throws Exception {
        CompletableFuture<String> deadlock = new CompletableFuture<>();
        try (Scheduler s = Scheduler.builder().deterministic(Schedule.random(9)).onDeadlock(deadlock::complete).build()) {
            s.spawn(() -> {
                // Each waits for the other's word, with no timeout: no timer, nothing runnable.
                Pid me = Preempt.self();
                Preempt.spawn(() -> {
                    Preempt.receive(m -> m.equals("go"));
                    Preempt.send(me, "go");
                });
                Preempt.receive(m -> m.equals("go"));
            });
            String who = deadlock.get(20, TimeUnit.SECONDS);
            assertThat(who.lines().count()).isEqualTo(2);
            assertThat(who).contains("p0 ", "p1 ");
        }
    }
}
