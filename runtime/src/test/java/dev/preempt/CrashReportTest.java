package dev.preempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A crash is never silent: a process that an exception ends, with no link or monitor to hear of it, gets
 * an ERROR report through System.Logger (here java.util.logging); supervisors report their children's
 * crashes. Deliberate exits are not crashes.
 */
class CrashReportTest {

    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    final Logger jul = Logger.getLogger("dev.preempt");
    final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    Level before;

    @BeforeEach
    void listen() {
        before = jul.getLevel();
        jul.setLevel(Level.ALL); // the test logging.properties turns Preempt's reports off
        jul.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        jul.removeHandler(handler);
        jul.setLevel(before);
    }

    List<LogRecord> reportsAbout(Pid pid) {
        return records.stream().filter(r -> r.getMessage() != null && r.getMessage().contains(pid.toString())).toList();
    }

    @Test
    void anUnlinkedCrashIsReportedOnceAtErrorWithItsStack() {
        try (Scheduler s = Procs.twoCarriers()) {
            IllegalStateException boom = new IllegalStateException("nobody sees me");
            Pid p = s.spawn(() -> {
                Preempt.register("lonely", Preempt.self());
                throw boom;
            });
            Procs.await(Duration.ofSeconds(10), () -> !reportsAbout(p).isEmpty(), "the crash report");
            List<LogRecord> reports = reportsAbout(p);
            assertThat(reports).hasSize(1);
            LogRecord r = reports.get(0);
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE); // System.Logger's ERROR
            assertThat(r.getMessage()).contains("crashed").contains("registered as 'lonely'")
                    .contains(CrashReportTest.class.getName()).contains("nobody sees me");
            assertThat(r.getThrown()).isSameAs(boom);
        }
    }

    @Test
    void crashesSomeoneHearsOfAndDeliberateExitsAreNotReported() {
        try (Scheduler s = Procs.twoCarriers()) {
            Pid[] linked = new Pid[1], exited = new Pid[1], killed = new Pid[1];
            Procs.run(s, () -> {
                Preempt.trapExits(true);
                linked[0] = Preempt.spawnLink(() -> {
                    throw new IllegalStateException("my link hears of this");
                });
                Preempt.receive(m -> m instanceof Exit e && e.from().equals(linked[0]));
                Preempt.Spawned watched = Preempt.spawnMonitor(() -> Preempt.exit(ExitReason.of("done_here")));
                exited[0] = watched.pid();
                Preempt.receive(m -> m instanceof Down d && d.ref().equals(watched.ref()));
            });
            killed[0] = s.spawn(Preempt::receive);
            Preempt.exit(killed[0], ExitReason.KILL);
            Procs.await(Duration.ofSeconds(10), () -> !Preempt.isAlive(killed[0]), "the kill");
            Pid marker = s.spawn(() -> {
                throw new IllegalStateException("marker");
            });
            Procs.await(Duration.ofSeconds(10), () -> !reportsAbout(marker).isEmpty(), "the marker's report");
            assertThat(reportsAbout(linked[0])).isEmpty();
            assertThat(reportsAbout(exited[0])).isEmpty();
            assertThat(reportsAbout(killed[0])).isEmpty();
        }
    }

    /**
     * Workers that their boss's crash ends through their links did not crash themselves: only the boss
     * is reported (a boss with 200 linked workers made 201 reports, each with the boss's stack).
     */
    @Test
    void processesEndedByALinksCrashAreNotReportedOnlyTheCrashIs() {
        try (Scheduler s = Procs.twoCarriers()) {
            java.util.concurrent.CopyOnWriteArrayList<Pid> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
            Pid boss = s.spawn(() -> {
                for (int i = 0; i < 3; i++) workers.add(Preempt.spawnLink(Preempt::receive));
                throw new IllegalStateException("boss failed");
            });
            Procs.await(Duration.ofSeconds(10), () -> workers.size() == 3 && workers.stream().noneMatch(Preempt::isAlive), "the workers' end");
            Procs.await(Duration.ofSeconds(10), () -> !reportsAbout(boss).isEmpty(), "the boss's report");
            Pid marker = s.spawn(() -> {
                throw new IllegalStateException("marker");
            });
            Procs.await(Duration.ofSeconds(10), () -> !reportsAbout(marker).isEmpty(), "the marker's report");
            assertThat(reportsAbout(boss)).hasSize(1);
            for (Pid w : workers) assertThat(reportsAbout(w)).as("worker %s", w).isEmpty();
        }
    }

    /**
     * A default uncaught-exception handler (an error reporter's) hears the crashes that are reported, on
     * the process's thread, as it hears a thread's; before, only the log did.
     */
    @Test
    void theDefaultUncaughtExceptionHandlerHearsAReportedCrash() {
        Thread.UncaughtExceptionHandler was = Thread.getDefaultUncaughtExceptionHandler();
        java.util.concurrent.CopyOnWriteArrayList<Object[]> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> heard.add(new Object[] {t, e}));
        try (Scheduler s = Procs.twoCarriers()) {
            IllegalStateException boom = new IllegalStateException("tell the reporter");
            Thread[] thread = new Thread[1];
            Pid p = s.spawn(() -> {
                thread[0] = Thread.currentThread();
                throw boom;
            });
            Procs.await(Duration.ofSeconds(10), () -> !heard.isEmpty(), "the handler");
            assertThat(heard).hasSize(1);
            assertThat(heard.get(0)[0]).isSameAs(thread[0]);
            assertThat(heard.get(0)[1]).isSameAs(boom);
            assertThat(reportsAbout(p)).hasSize(1);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(was);
        }
    }

    @Test
    void aSupervisorReportsItsChildsCrashAndTheRestart() {
        try (Scheduler s = Procs.twoCarriers()) {
            Logger sup = Logger.getLogger("dev.preempt.supervisor");
            Level was = sup.getLevel();
            sup.setLevel(Level.ALL);
            sup.addHandler(handler);
            try {
                Procs.run(s, () -> {
                    Pid supervisor = Supervisor.start(Supervisor.Flags.oneForOne(),
                            List.of(Supervisor.ChildSpec.worker("flaky", () -> {
                                Preempt.sleep(10);
                                throw new IllegalStateException("flaky fell over");
                            })));
                    Procs.await(Duration.ofSeconds(10), () -> records.stream().anyMatch(
                            r -> r.getMessage().contains("restarted child 'flaky'")), "a restart report");
                    Supervisor.stop(supervisor);
                });
            } finally {
                sup.removeHandler(handler);
                sup.setLevel(was);
            }
            assertThat(records).anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
                assertThat(r.getMessage()).contains("child 'flaky'").contains("flaky fell over");
                assertThat(r.getThrown()).hasMessage("flaky fell over");
            });
            assertThat(records).anySatisfy(r -> assertThat(r.getLevel()).isEqualTo(Level.INFO));
        }
    }
}
