package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preempt.Supervisor.ChildSpec;
import dev.preempt.Supervisor.Flags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Fault injection: 1,000 workers under a tree of supervisors; processes (workers and supervisors) are
 * killed at random for several seconds while clients keep calling the workers. Afterwards every
 * supervisor's children are alive, restarts were counted, no carrier died, and no call to a live
 * process went unanswered (each got its reply or learnt that the worker died).
 */
class SupervisionSoakTest {

    static final int SUBS = 10, WORKERS = 100, CLIENTS = 8;
    static final Duration SOAK = Duration.ofSeconds(5);

    static ChildSpec worker(String name) {
        return ChildSpec.server(name, () -> new Server<Long>() {
            @Override
            public Long init() {
                register(name, self());
                return 0L;
            }

            @Override
            public Result<Long> handleCall(Object request, Call from, Long n) {
                return Result.reply(request, n + 1);
            }
        });
    }

    static String name(int sub, int w) {
        return "w-" + sub + "-" + w;
    }

    @Test
    void killingAtRandomUnderATreeOfSupervisorsLosesNothing() throws Exception {
        AtomicLong answered = new AtomicLong(), diedDuringCall = new AtomicLong(), lost = new AtomicLong(),
                kills = new AtomicLong();
        Map<String, Long> unexpected = new ConcurrentHashMap<>();
        StringBuffer samples = new StringBuffer();
        try (Scheduler s = Procs.twoCarriers()) {
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                long t0 = System.nanoTime();
                while (!Thread.currentThread().isInterrupted()) {
                    StringBuilder line = new StringBuilder(String.format("%5d ms live=%d global=%d timers=%d",
                            (System.nanoTime() - t0) / 1_000_000, s.core.liveProcesses().size(), s.core.globalQueueLength(),
                            s.core.pendingTimers()));
                    for (var c : s.core.carriers()) {
                        var r = c.running();
                        line.append(String.format(" | c%d q=%d slices=%d steals=%d parks=%d running=%s", c.index(), c.queueLength(),
                                c.slices(), c.steals(), c.parks(), r == null ? "-" : r.pid() + "/" + r.stateName()));
                    }
                    samples.append(line).append('\n');
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
            Procs.run(s, () -> {
                List<ChildSpec> subs = new ArrayList<>();
                for (int i = 0; i < SUBS; i++) {
                    List<ChildSpec> ws = new ArrayList<>();
                    for (int w = 0; w < WORKERS; w++) ws.add(worker(name(i, w)));
                    subs.add(ChildSpec.supervisor("sub-" + i, Flags.oneForOne().intensity(100_000, Duration.ofSeconds(1)), ws));
                }
                Pid root = Supervisor.start(Flags.oneForOne().intensity(10_000, Duration.ofSeconds(1)), subs);
                Ref rootMonitor = monitor(root);
                assertThat(s.processes().size()).isGreaterThan(SUBS * WORKERS);

                Pid me = self();
                long end = System.nanoTime() + SOAK.toNanos();
                List<Pid> drivers = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    long seed = c;
                    drivers.add(spawnMonitor(() -> {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        long n = 0;
                        while (System.nanoTime() < end) {
                            String target = name(rnd.nextInt(SUBS), rnd.nextInt(WORKERS));
                            try {
                                Object r = call(target, ++n, Duration.ofSeconds(3));
                                if (r.equals(n)) answered.incrementAndGet();
                                else unexpected.merge("wrong reply", 1L, Long::sum);
                            } catch (CallException e) {
                                String why = e.reason().name();
                                if (why.equals("timeout")) lost.incrementAndGet();
                                else if (why.equals("killed") || why.equals("noproc") || why.equals("shutdown")) diedDuringCall.incrementAndGet();
                                else unexpected.merge(why, 1L, Long::sum);
                            }
                        }
                        send(me, "client done");
                    }).pid());
                }
                drivers.add(spawnMonitor(() -> {
                    SplittableRandom rnd = new SplittableRandom(42);
                    while (System.nanoTime() < end) {
                        if (rnd.nextInt(200) == 0) {
                            Supervisor.whichChildren(root).get(rnd.nextInt(SUBS)).pid().ifPresent(p -> exit(p, ExitReason.KILL));
                        } else {
                            whereis(name(rnd.nextInt(SUBS), rnd.nextInt(WORKERS))).ifPresent(p -> exit(p, ExitReason.KILL));
                        }
                        kills.incrementAndGet();
                        Preempt.sleep(1);
                    }
                    send(me, "killer done");
                }).pid());
                for (int i = 0; i < CLIENTS + 1; i++) {
                    if (receive(String.class, Duration.ofSeconds(60)).isEmpty()) {
                        StringBuilder why = new StringBuilder("a client or the killer did not finish; still running:");
                        for (Pid d : drivers) {
                            processInfo(d).ifPresent(info -> why.append("\n").append(info.pid()).append(' ').append(info.state())
                                    .append(" mailbox=").append(info.mailboxLength()).append("\n    ")
                                    .append(info.stack().stream().map(Object::toString).collect(java.util.stream.Collectors.joining("\n    "))));
                        }
                        while (true) {
                            Optional<Down> d = receive(Down.class, Duration.ZERO);
                            if (d.isEmpty()) break;
                            why.append("\n").append(d.get().ref().equals(rootMonitor) ? "root supervisor" : "driver")
                                    .append(' ').append(d.get().pid()).append(" ended: ").append(d.get().reason());
                            d.get().reason().exceptionCause().ifPresent(t -> {
                                java.io.StringWriter sw = new java.io.StringWriter();
                                t.printStackTrace(new java.io.PrintWriter(sw));
                                why.append("\n").append(sw);
                            });
                        }
                        // Workers whose supervisor is gone but who still live (and hold their names):
                        int shown = 0;
                        for (int sub = 0; sub < SUBS && shown < 3; sub++) {
                            for (int w = 0; w < WORKERS && shown < 3; w++) {
                                Optional<Pid> holder = whereis(name(sub, w));
                                if (holder.isEmpty()) continue;
                                ProcessInfo info = processInfo(holder.get()).orElse(null);
                                if (info == null || info.links().stream().anyMatch(Preempt::isAlive)) continue;
                                shown++;
                                why.append("\norphan ").append(name(sub, w)).append(' ').append(info.pid()).append(' ')
                                        .append(info.state()).append(" links=").append(info.links())
                                        .append(" mailbox=").append(info.mailboxLength())
                                        .append(" reductions=").append(info.reductions()).append("\n    ")
                                        .append(info.stack().stream().map(Object::toString).collect(java.util.stream.Collectors.joining("\n    ")));
                            }
                        }
                        processInfo(root).ifPresent(info -> why.append("\nroot supervisor ").append(info.state())
                                .append(" mailbox=").append(info.mailboxLength()).append("\n    ")
                                .append(info.stack().stream().map(Object::toString).collect(java.util.stream.Collectors.joining("\n    "))));
                        throw new AssertionError(why.toString());
                    }
                }

                // Everything is restarted within a few seconds of the last kill.
                long restarts = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (true) {
                    List<Supervisor.Child> top = Supervisor.whichChildren(root);
                    boolean allUp = top.size() == SUBS && top.stream().allMatch(c -> c.pid().isPresent() && isAlive(c.pid().get()));
                    restarts = Supervisor.countChildren(root).restarts();
                    if (allUp) {
                        for (Supervisor.Child sub : top) {
                            List<Supervisor.Child> ws = Supervisor.whichChildren(sub.pid().get());
                            allUp &= ws.size() == WORKERS && ws.stream().allMatch(w -> w.pid().isPresent() && isAlive(w.pid().get()));
                            restarts += Supervisor.countChildren(sub.pid().get()).restarts();
                        }
                    }
                    if (allUp) break;
                    assertThat(System.nanoTime()).as("every supervisor's children alive again").isLessThan(deadline);
                    Preempt.sleep(50);
                }
                for (int sub = 0; sub < SUBS; sub++) {
                    for (int w = 0; w < WORKERS; w++) assertThat(whereis(name(sub, w))).as(name(sub, w)).isPresent();
                }
                assertThat(restarts).as("restarts counted").isGreaterThan(kills.get() / 4);
                System.out.printf("soak: %d kills, %d restarts counted (current tree), %d calls answered, %d died during the call%n",
                        kills.get(), restarts, answered.get(), diedDuringCall.get());
                Supervisor.stop(root);
            });
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\nscheduler samples:\n" + samples, e);
            } finally {
                sampler.interrupt();
            }
            assertThat(s.core.allCarriersAlive()).as("no carrier died").isTrue();
            assertThat(s.core.internalErrorCount()).isZero();
        }
        assertThat(kills.get()).as("kills (scheduler samples:\n%s)", samples).isGreaterThan(500);
        assertThat(answered.get()).isGreaterThan(1000);
        assertThat(lost.get()).as("calls to live processes that got neither a reply nor a Down").isZero();
        assertThat(unexpected).isEmpty();
    }
}
