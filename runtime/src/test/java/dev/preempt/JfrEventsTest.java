package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preempt.Supervisor.ChildSpec;
import dev.preempt.Supervisor.Flags;
import dev.preempt.internal.hooks.Reductions;
import dev.preempt.internal.jfr.JfrLayer;
import dev.preempt.internal.jfr.JfrSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JFR events, recorded with a {@link RecordingStream}: each test enables the events it wants,
 * runs a workload, waits for the events about its own processes and checks their fields.
 */
class JfrEventsTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Scheduler.builder().name("jfr-test").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /** Collects the events that match, and counts down once {@code wanted} of them arrived. */
    static final class Collector {
        final List<RecordedEvent> events = new CopyOnWriteArrayList<>();
        final CountDownLatch latch;
        final Predicate<RecordedEvent> match;

        Collector(int wanted, Predicate<RecordedEvent> match) {
            this.latch = new CountDownLatch(wanted);
            this.match = match;
        }

        void accept(RecordedEvent e) {
            if (match.test(e)) {
                events.add(e);
                latch.countDown();
            }
        }

        List<RecordedEvent> await() throws InterruptedException {
            assertThat(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("events arrived: " + events).isTrue();
            return events;
        }
    }

    /** Starts {@code rs} and waits until the layer has attached its observer to our scheduler. */
    static void startAndAwaitAttached(RecordingStream rs) {
        rs.startAsync();
        Procs.await(WAIT, () -> JfrLayer.isAttached(s.core), "the JFR observer to attach");
    }

    static void awaitDetached() {
        Procs.await(WAIT, () -> !JfrLayer.isAttached(s.core) && !s.core.observingSlices(), "the JFR observer to detach");
    }

    @Test
    void withoutARecordingNothingIsAttachedAndSlicesAreNotTimed() {
        assertThat(JfrSupport.isInstalled()).isTrue();
        awaitDetached(); // a stream of an earlier test may still be closing
        assertThat(JfrLayer.isAttached(s.core)).isFalse();
        assertThat(s.core.observingSlices()).isFalse();
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.ProcessExit"); // SliceEnd stays off
            startAndAwaitAttached(rs);
            assertThat(s.core.observingSlices()).as("SliceEnd is not enabled").isFalse();
        }
        awaitDetached();
    }

    @Test
    void processStartAndExit() throws Exception {
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.ProcessStart");
            rs.enable("dev.preempt.ProcessExit");
            List<String> pids = new CopyOnWriteArrayList<>();
            Collector starts = new Collector(1, e -> pids.contains(e.getString("pid")));
            Collector exits = new Collector(1, e -> pids.contains(e.getString("pid")));
            rs.onEvent("dev.preempt.ProcessStart", starts::accept);
            rs.onEvent("dev.preempt.ProcessExit", exits::accept);
            startAndAwaitAttached(rs);

            Pid[] parent = new Pid[1];
            Procs.run(s, () -> {
                parent[0] = self();
                Pid child = spawn(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        send(self(), i);
                        receive();
                    }
                    exit(ExitReason.of("boom"));
                });
                pids.add(child.toString());
                Ref r = monitor(child);
                receive(m -> m instanceof Down d && d.ref().equals(r));
            });

            RecordedEvent start = starts.await().get(0);
            assertThat(start.getEventType().getCategoryNames()).containsExactly("Preempt");
            assertThat(start.getString("pid")).matches("<0\\.\\d+\\.0>");
            assertThat(start.getString("parentPid")).isEqualTo(parent[0].toString());
            assertThat(start.getString("entry")).startsWith(JfrEventsTest.class.getName());
            assertThat(start.getString("scheduler")).isEqualTo("jfr-test");

            RecordedEvent exit = exits.await().get(0);
            assertThat(exit.getString("pid")).isEqualTo(start.getString("pid"));
            assertThat(exit.getString("reason")).isEqualTo("boom");
            assertThat(exit.getBoolean("abnormal")).isTrue();
            assertThat(exit.getLong("reductions")).as("10,000 sends and receives").isGreaterThanOrEqualTo(10_000);
            assertThat(exit.getDuration("lifetime")).isPositive();
            assertThat(exit.getString("stack")).as("a deliberate exit has no stack").isNull();
        }
        awaitDetached();
    }

    /** An orderly stop (shutdown, as a supervisor stops its children) is not marked abnormal: filtering on it found every clean stop. */
    @Test
    void aShutdownIsNotAbnormal() throws Exception {
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.ProcessExit");
            List<String> pids = new CopyOnWriteArrayList<>();
            Collector exits = new Collector(2, e -> pids.contains(e.getString("pid")));
            rs.onEvent("dev.preempt.ProcessExit", exits::accept);
            startAndAwaitAttached(rs);
            Procs.run(s, () -> {
                for (ExitReason why : List.of(ExitReason.SHUTDOWN, ExitReason.of("crashed"))) {
                    Pid child = spawn(() -> exit(why));
                    pids.add(child.toString());
                    Ref r = monitor(child);
                    receive(m -> m instanceof Down d && d.ref().equals(r));
                }
            });
            List<RecordedEvent> got = exits.await();
            assertThat(got).extracting(e -> e.getString("reason") + " " + e.getBoolean("abnormal"))
                    .containsExactlyInAnyOrder("shutdown false", "crashed true");
        }
        awaitDetached();
    }

    @Test
    void processExitOfACrashCarriesItsStack() throws Exception {
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.ProcessExit");
            List<String> pids = new CopyOnWriteArrayList<>();
            Collector exits = new Collector(1, e -> pids.contains(e.getString("pid")));
            rs.onEvent("dev.preempt.ProcessExit", exits::accept);
            startAndAwaitAttached(rs);
            Procs.run(s, () -> {
                Preempt.Spawned crasher = Preempt.spawnMonitor(JfrEventsTest::crashHere);
                pids.add(crasher.pid().toString());
                receive(m -> m instanceof Down d && d.ref().equals(crasher.ref()));
            });
            RecordedEvent exit = exits.await().get(0);
            assertThat(exit.getString("reason")).contains("IllegalStateException");
            assertThat(exit.getString("stack")).startsWith("java.lang.IllegalStateException: crashed here")
                    .contains("at " + JfrEventsTest.class.getName() + ".crashHere");
        }
        awaitDetached();
    }

    static void crashHere() {
        throw new IllegalStateException("crashed here");
    }

    /** Holds its carrier: no tick (no agent here), no yield, no park. */
    static void holdTheCarrier(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }

    @Test
    void carrierBlockedWhenASliceHoldsItsCarrierPastTheHandOff() throws Exception {
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.CarrierBlocked");
            Collector blocked = new Collector(1, e -> "jfr-test".equals(e.getString("scheduler")));
            rs.onEvent("dev.preempt.CarrierBlocked", blocked::accept);
            startAndAwaitAttached(rs);
            Pid[] holder = new Pid[1];
            Procs.run(s, () -> {
                holder[0] = self();
                holdTheCarrier(200);
            });
            RecordedEvent e = blocked.await().get(0);
            assertThat(e.getString("pid")).isEqualTo(holder[0].toString());
            assertThat(e.getString("reason")).isEqualTo("long call");
            assertThat(e.getDuration("blockedFor")).isBetween(Duration.ofMillis(150), Duration.ofSeconds(5));
            assertThat(e.getString("stack")).contains("holdTheCarrier");
            assertThat(e.getInt("carrier")).isBetween(0, 1);
        }
        awaitDetached();
    }

    @Test
    void sliceEndIsTimedOnlyWhileRecorded() throws Exception {
        try (Scheduler one = Scheduler.builder().name("jfr-one").carriers(1).build()) {
            assertThat(one.core.observingSlices()).isFalse();
            try (RecordingStream rs = new RecordingStream()) {
                rs.enable("dev.preempt.SliceEnd");
                List<String> pids = new CopyOnWriteArrayList<>();
                Collector preempted = new Collector(1, e -> pids.contains(e.getString("pid")) && e.getBoolean("preempted"));
                rs.onEvent("dev.preempt.SliceEnd", preempted::accept);
                rs.startAsync();
                Procs.await(WAIT, one.core::observingSlices, "slice timing to turn on");

                // Two processes that only send and receive share one carrier: each is preempted.
                Procs.run(one, () -> {
                    Pid me = self();
                    for (int w = 0; w < 2; w++) {
                        pids.add(spawn(() -> {
                            for (int i = 0; i < 20_000; i++) {
                                send(self(), i);
                                receive();
                            }
                            send(me, "done");
                        }).toString());
                    }
                    receive(String.class);
                    receive(String.class);
                });

                RecordedEvent e = preempted.await().get(0);
                assertThat(e.getInt("carrier")).isZero();
                assertThat(e.getInt("reductions")).as("a whole budget").isGreaterThanOrEqualTo(4000);
                assertThat(e.getDuration("sliceTime")).isPositive();
                assertThat(e.getString("scheduler")).isEqualTo("jfr-one");
                assertThat(e.getThread("eventThread").getJavaName()).isEqualTo("preempt-jfr-slices");
            }
            Procs.await(WAIT, () -> !one.core.observingSlices(), "slice timing to turn off");
        }
    }

    /** Regression: a carrier's own commits were lost once processes had ended on it. */
    @Test
    void sliceEndOfProcessesThatEndOnOneCarrier() throws Exception {
        try (Scheduler one = Scheduler.builder().name("jfr-exits").carriers(1).build();
                RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.SliceEnd");
            List<String> children = new CopyOnWriteArrayList<>();
            Collector ends = new Collector(50, e -> children.contains(e.getString("pid")));
            rs.onEvent("dev.preempt.SliceEnd", ends::accept);
            rs.startAsync();
            Procs.await(WAIT, one.core::observingSlices, "slice timing to turn on");

            Procs.run(one, () -> {
                for (int i = 0; i < 50; i++) {
                    Pid p = spawn(() -> {});
                    children.add(p.toString());
                    while (isAlive(p)) Preempt.yield();
                }
            });
            assertThat(ends.await()).extracting(e -> e.getString("pid")).containsExactlyInAnyOrderElementsOf(children);
        }
    }

    @Test
    void sliceEndMinSliceTimeKeepsOnlyLongSlices() throws Exception {
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.SliceEnd").with("minSliceTime", "5 ms");
            List<String> pids = new CopyOnWriteArrayList<>();
            List<RecordedEvent> ours = new CopyOnWriteArrayList<>();
            String[] hog = new String[1];
            Collector longOne = new Collector(1, e -> e.getString("pid").equals(hog[0]));
            rs.onEvent("dev.preempt.SliceEnd", e -> {
                if (pids.contains(e.getString("pid"))) ours.add(e);
                longOne.accept(e);
            });
            rs.startAsync();
            Procs.await(WAIT, s.core::observingSlices, "slice timing to turn on");

            Procs.run(s, () -> {
                pids.add(self().toString());
                // Short slices: yields. Then one long slice: without the agent nothing preempts a busy loop.
                for (int i = 0; i < 1_000; i++) Preempt.yield();
                Pid me = self();
                Pid h = spawn(() -> {
                    long end = System.nanoTime() + 20_000_000;
                    while (System.nanoTime() < end) Thread.onSpinWait();
                    send(me, "done");
                });
                hog[0] = h.toString();
                pids.add(h.toString());
                receive(String.class);
            });

            RecordedEvent e = longOne.await().get(0);
            assertThat(e.getDuration("sliceTime")).isGreaterThanOrEqualTo(Duration.ofMillis(20));
            assertThat(ours).allSatisfy(x -> assertThat(x.getDuration("sliceTime")).isGreaterThanOrEqualTo(Duration.ofMillis(5)));
        }
        awaitDetached();
    }

    /** Its initialiser spends reductions: a yield inside it is refused by the VM. */
    static final class SlowInit {
        static final int SPENT;

        static {
            int n = 0;
            for (int i = 0; i < 2_000; i++) {
                Reductions.tick(1);
                n++;
            }
            SPENT = n;
        }
    }

    @Test
    void pinnedInAClassInitializer() throws Exception {
        try (Scheduler one = Scheduler.builder().name("jfr-pin").carriers(1).budget(10).build();
                RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.Pinned").withStackTrace();
            List<String> pids = new CopyOnWriteArrayList<>();
            Collector pinned = new Collector(1, e -> pids.contains(e.getString("pid")));
            rs.onEvent("dev.preempt.Pinned", pinned::accept);
            startAndAwaitAttached(rs);

            Procs.run(one, () -> {
                pids.add(self().toString());
                // Another runnable process, so that a spent budget means a yield.
                Pid other = spawn(() -> {
                    while (true) Preempt.yield();
                });
                assertThat(SlowInit.SPENT).isEqualTo(2_000);
                assertThat(processInfo(self()).orElseThrow().pins()).isPositive();
                exit(other, ExitReason.KILL);
            });

            RecordedEvent e = pinned.await().get(0);
            assertThat(e.getString("reason")).isEqualTo("class initializer");
            assertThat(e.getInt("carrier")).isZero();
            assertThat(e.getStackTrace().getFrames()).anySatisfy(f -> assertThat(f.getMethod().getName()).isEqualTo("<clinit>"));
        }
        awaitDetached();
    }

    @Test
    void supervisorRestart() throws Exception {
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.SupervisorRestart");
            String[] sup = new String[1];
            Collector restarts = new Collector(1, e -> e.getString("supervisor").equals(sup[0]));
            rs.onEvent("dev.preempt.SupervisorRestart", restarts::accept);
            startAndAwaitAttached(rs);

            List<String> seen = new ArrayList<>();
            Procs.run(s, () -> {
                Pid supPid = Supervisor.start(Flags.oneForOne(), List.of(ChildSpec.worker("crasher", () -> {
                    receive(m -> m.equals("crash"));
                    throw new IllegalStateException("crash on request");
                })));
                sup[0] = supPid.toString();
                Pid old = SupervisorTest.pidOf(supPid, "crasher").orElseThrow();
                Pid now = SupervisorTest.poke(supPid, "crasher", "crash").orElseThrow();
                seen.add(old.toString());
                seen.add(now.toString());
                Supervisor.stop(supPid);
            });

            RecordedEvent e = restarts.await().get(0);
            assertThat(e.getString("childId")).isEqualTo("crasher");
            assertThat(e.getString("oldPid")).isEqualTo(seen.get(0));
            assertThat(e.getString("newPid")).isEqualTo(seen.get(1));
            assertThat(e.getString("reason")).contains("IllegalStateException").contains("crash on request");
        }
        awaitDetached();
    }

    @Test
    void mailboxBacklogReportsOnlyLongMailboxes() throws Exception {
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.MailboxBacklog").withPeriod(Duration.ofMillis(100));
            Pid[] procs = new Pid[2];
            List<RecordedEvent> all = new CopyOnWriteArrayList<>();
            // Once it is parked again (not while it drains its inbox): the count is then exact.
            Collector big = new Collector(1, e -> e.getString("pid").equals(String.valueOf(procs[0]))
                    && e.getString("state").equals("waiting"));
            rs.onEvent("dev.preempt.MailboxBacklog", e -> {
                all.add(e);
                big.accept(e);
            });
            rs.startAsync();

            Procs.run(s, () -> {
                procs[0] = spawn(() -> receive(m -> m.equals("never")));
                procs[1] = spawn(() -> receive(m -> m.equals("never")));
                for (int i = 0; i < 1_500; i++) send(procs[0], i);
                for (int i = 0; i < 10; i++) send(procs[1], i);
            });

            RecordedEvent e = big.await().get(0);
            assertThat(e.getInt("mailboxLength")).isEqualTo(1_500);
            assertThat(e.getInt("threshold")).isEqualTo(1_000);
            assertThat(all).noneMatch(x -> x.getString("pid").equals(procs[1].toString()));
            exit(procs[0], ExitReason.KILL);
            exit(procs[1], ExitReason.KILL);
        }
    }

    @Test
    void schedulerSampleForEachCarrier() throws Exception {
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("dev.preempt.SchedulerSample").withPeriod(Duration.ofMillis(100));
            List<Integer> carriers = new CopyOnWriteArrayList<>();
            Collector ours = new Collector(2, e -> {
                // one per carrier, once the parked processes are there
                return e.getString("scheduler").equals("jfr-test") && e.getInt("liveProcesses") >= 5
                        && !carriers.contains(e.getInt("carrier")) && carriers.add(e.getInt("carrier"));
            });
            rs.onEvent("dev.preempt.SchedulerSample", ours::accept);
            rs.startAsync();

            List<Pid> parked = new ArrayList<>();
            Procs.run(s, () -> {
                for (int i = 0; i < 5; i++) parked.add(spawn(() -> receive(m -> m.equals("never"))));
            });
            List<RecordedEvent> events = ours.await();
            assertThat(carriers).containsExactlyInAnyOrder(0, 1);
            for (RecordedEvent e : events) {
                assertThat(e.getLong("slices") + e.getLong("parks")).isPositive();
                assertThat(e.getInt("runQueueLength")).isGreaterThanOrEqualTo(0);
                assertThat(e.getInt("globalQueueLength")).isGreaterThanOrEqualTo(0);
                assertThat(e.getInt("pendingTimers")).isGreaterThanOrEqualTo(0);
            }
            for (Pid p : parked) exit(p, ExitReason.KILL);
        }
    }
}
