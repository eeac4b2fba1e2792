package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exit signals, links and monitors that reach a process while it is parked in a blocking JDK call (a
 * queue's {@code take}, {@code Thread.sleep}, a latch), not in Preempt's own receive. Found by trying
 * real programs (a worker in {@code take()} that a supervisor could not stop; a monitored HTTP client
 * whose Down said {@code noproc}): signals were acted on only at a receive or a tick, and a process in
 * a JDK call reaches neither, so a kill waited for the call to return by itself (forever for a
 * {@code take()}), and a process that ended right after its call ended without looking at what had
 * come: the kill was lost (it ended {@code normal}), and links and monitors that came during the call
 * were answered {@code noproc}, the crash reason lost.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // before the fix some hung
class BlockedInJdkCallTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    @Test
    void aKillEndsAProcessWaitingInAQueueTakeAndItsFinallyBlocksRun() {
        Procs.run(s, () -> {
            AtomicBoolean cleanedUp = new AtomicBoolean();
            LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
            Pid p = spawn(() -> {
                try {
                    q.take();
                } catch (InterruptedException e) {
                    throw new IllegalStateException("the take was interrupted", e);
                } finally {
                    cleanedUp.set(true);
                }
            });
            Ref ref = monitor(p);
            Procs.untilParked(p);
            exit(p, ExitReason.KILL);
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(cleanedUp).isTrue();
        });
    }

    /**
     * A kill ends a process whose parallel stream waits for a subtask a pool worker runs: the JDK's join
     * there ignores interrupts, so the process lived until the whole stream was done (for ever here, where
     * the worker's element waits for the test). The stream's task is the process's own, made by its
     * terminal operation, so the kill cancels it and the terminal operation throws.
     */
    @Test
    void aKillEndsAProcessWaitingForItsParallelStreamsSubtasks() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean workerHolds = new AtomicBoolean();
        try {
            Procs.run(s, () -> {
                Pid p = spawn(() -> {
                    long sum = java.util.stream.IntStream.range(0, 10_000).parallel().mapToLong(i -> {
                        if (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread) {
                            if (!workerHolds.getAndSet(true)) awaitQuietly(release); // one element, on a pool worker, waits for the test
                        } else {
                            // the process: its part waits for a worker to take one (it forked the rest before its own
                            // part), or it could do every element itself before the worker wakes (seen once in 10 runs)
                            for (int k = 0; k < 2_000 && !workerHolds.get(); k++) Preempt.sleep(1);
                        }
                        return i;
                    }).sum();
                    throw new IllegalStateException("the stream ended: " + sum);
                });
                Ref ref = monitor(p);
                Procs.await(Duration.ofSeconds(5), workerHolds::get, "a pool worker to hold an element");
                Procs.untilParked(p); // in the stream's join, every other element done
                exit(p, ExitReason.KILL);
                assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            });
        } finally {
            release.countDown();
        }
    }

    /**
     * A kill of a process that runs a fork/join task others join does not end them too. The exit lands in
     * the task's code (here at a sleep), the JDK records it as the task's failure, and every join of the
     * task rethrows it: a process that joined ended {@code killed}, though nobody had sent it an exit
     * (found by a helper trying a shared {@code CountedCompleter}; 7 of 7 runs). Now a joiner ends with
     * the failure as an exception, and a join in rewritten code ({@code Waits.join}) throws
     * {@code CancellationException}, which it may catch.
     */
    @Test
    void aKillOfAProcessRunningASharedTaskDoesNotKillItsJoiners() {
        Procs.run(s, () -> {
            java.util.concurrent.ForkJoinTask<?> shared = java.util.concurrent.ForkJoinTask.adapt(() -> {
                while (true) Preempt.sleep(1); // the runner's exit lands here
            });
            Spawned runner = spawnMonitor(shared::invoke); // compute runs in the runner
            Procs.untilParked(runner.pid()); // in the task, asleep
            Pid tester = self();
            Spawned plainJoiner = spawnMonitor(() -> {
                try {
                    shared.join(); // the JDK's join
                } finally {
                    send(tester, "plain joiner ended");
                }
            });
            spawn(() -> {
                try {
                    dev.preempt.internal.hooks.Waits.join(shared); // as a rewritten join() runs
                    send(tester, "joined");
                } catch (java.util.concurrent.CancellationException e) {
                    send(tester, "cancelled");
                }
            });
            Procs.untilParked(plainJoiner.pid());
            sleep(50);
            exit(runner.pid(), ExitReason.KILL);
            assertThat(Procs.down(runner.ref(), Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            ExitReason plainEnd = Procs.down(plainJoiner.ref(), Duration.ofSeconds(5)).reason();
            assertThat(plainEnd).as(plainEnd.toString()).isNotEqualTo(ExitReason.KILLED);
            assertThat(plainEnd.exceptionCause()).as(plainEnd.toString()).get().isInstanceOf(ProcessExit.class);
            assertThat(receive(m -> m.equals("cancelled") || m.equals("joined"), Duration.ofSeconds(5))).contains("cancelled");
        });
    }

    /**
     * A kill that lands inside a fork/join task the process runs with {@code quietlyInvoke()} (or waits for
     * with {@code quietlyJoin()}) unwinds the process: the JDK keeps the exit as the task's exception, and
     * the quiet forms report none, so a loop around them went on, the exit was thrown again each time, and
     * after 16 throws the process was ended without unwinding: its {@code finally} never ran (found by a
     * helper's loop around a {@code CountedCompleter}'s {@code quietlyInvoke()}).
     */
    @Test
    void aKillInsideAQuietlyInvokedTaskUnwindsTheProcess() {
        Procs.run(s, () -> {
            Pid tester = self();
            for (boolean join : new boolean[] {false, true}) {
                Spawned p = spawnMonitor(() -> {
                    try {
                        while (true) {
                            java.util.concurrent.ForkJoinTask<?> t = java.util.concurrent.ForkJoinTask.adapt(() -> {
                                for (int i = 0; i < 20; i++) Preempt.sleep(1); // where the exit lands
                            });
                            if (join) { // the process's join may run the task itself, or a worker takes it: either way
                                t.fork();
                                dev.preempt.internal.hooks.Waits.quietlyJoin(t);
                            } else {
                                dev.preempt.internal.hooks.Waits.quietlyInvoke(t); // as rewritten code calls it
                            }
                        }
                    } finally {
                        send(tester, "finally ran");
                    }
                });
                sleep(50);
                exit(p.pid(), ExitReason.KILL);
                assertThat(Procs.down(p.ref(), Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
                assertThat(receive(m -> m.equals("finally ran"), Duration.ofSeconds(1))).as("join=" + join).isPresent();
            }
        });
    }

    @Test
    void anExitSignalEndsProcessesParkedInSleepLatchAndQueueWithItsReason() {
        Procs.run(s, () -> {
            ExitReason stop = ExitReason.of("stop");
            CountDownLatch never = new CountDownLatch(1);
            List<Runnable> calls = List.of(
                    () -> sleepQuietly(60_000),
                    () -> awaitQuietly(never),
                    () -> takeQuietly(new LinkedBlockingQueue<>()));
            for (Runnable call : calls) {
                Pid p = spawn(call);
                Ref ref = monitor(p);
                Procs.untilParked(p);
                exit(p, stop);
                assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(stop);
            }
        });
    }

    @Test
    void aKillDuringACallThatSwallowsTheInterruptIsNotLostWhenTheProcessReturnsRightAfter() {
        Procs.run(s, () -> {
            Pid p = spawn(() -> {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException swallowed) {
                    // a caller that ignores interrupts, and then returns without a tick
                }
            });
            Ref ref = monitor(p);
            Procs.untilParked(p);
            exit(p, ExitReason.KILL);
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).as("the kill came before the end").isEqualTo(ExitReason.KILLED);
        });
    }

    @Test
    void aMonitorTakenDuringAJdkCallHearsTheRealReasonNotNoproc() {
        Procs.run(s, () -> {
            CountDownLatch go = new CountDownLatch(1);
            Pid normal = spawn(() -> awaitQuietly(go));
            Pid crash = spawn(() -> {
                awaitQuietly(go);
                throw new IllegalStateException("crashed after the call");
            });
            Procs.untilParked(normal);
            Procs.untilParked(crash);
            Ref r1 = monitor(normal);
            Ref r2 = monitor(crash);
            go.countDown();
            assertThat(Procs.down(r1, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.NORMAL);
            ExitReason crashed = Procs.down(r2, Duration.ofSeconds(5)).reason();
            assertThat(crashed.exceptionCause()).as(crashed.toString()).get()
                    .isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void aCallToAServerBusyInAJdkCallGetsItsCrashNotNoproc() {
        Procs.run(s, () -> {
            CountDownLatch go = new CountDownLatch(1);
            Pid server = spawn(() -> {
                awaitQuietly(go); // busy in a JDK call while the call arrives
                throw new IllegalStateException("the server crashed");
            });
            Procs.untilParked(server);
            Pid caller = self();
            spawn(() -> {
                Procs.await(Duration.ofSeconds(5), () -> processInfo(caller).map(i -> i.state() == ProcessInfo.State.WAITING).orElse(false), "the call to wait");
                go.countDown();
            });
            try {
                call(server, "request", Duration.ofSeconds(5));
                throw new AssertionError("the call returned");
            } catch (CallException e) {
                assertThat(e.isNoProc()).as(e.toString()).isFalse();
                assertThat(e.serverExited()).as(e.toString()).isTrue();
                assertThat(e.reason().exceptionCause()).get().isInstanceOf(IllegalStateException.class);
            }
        });
    }

    @Test
    void aLinkedWorkerParkedInTakeEndsWhenItsParentCrashes() {
        Procs.run(s, () -> {
            Pid tester = self();
            Pid parent = spawn(() -> {
                Pid worker = spawnLink(() -> takeQuietly(new LinkedBlockingQueue<>()));
                send(tester, worker);
                receive(m -> m.equals("crash"));
                throw new IllegalStateException("parent crashed");
            });
            Pid worker = (Pid) receive(m -> m instanceof Pid);
            Ref ref = monitor(worker);
            Procs.untilParked(worker);
            send(parent, "crash");
            ExitReason r = Procs.down(ref, Duration.ofSeconds(5)).reason();
            assertThat(r.exceptionCause()).as(r.toString()).get().isInstanceOf(IllegalStateException.class);
        });
    }

    /**
     * A child whose clean-up outlasts its shutdown timeout is killed, as OTP's supervisor kills it: the
     * kill interrupts the wait in its {@code finally} block and the child ends {@code killed}. Before, a
     * kill that came while the process unwound was never looked at: the supervisor waited for the whole
     * clean-up (10 s here) and the Down said {@code shutdown}.
     */
    @Test
    void aChildWhoseCleanUpOutlastsItsShutdownTimeoutIsKilledThere() {
        Procs.run(s, () -> {
            Pid tester = self();
            Pid sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(
                    Supervisor.ChildSpec.worker("slow", () -> {
                        try {
                            receive(m -> false); // the shutdown ends it here: it unwinds through the finally block
                        } finally {
                            send(tester, "cleaning up");
                            sleepQuietly(10_000);
                            send(tester, "cleaned up");
                        }
                    }).shutdown(Supervisor.Shutdown.timeout(Duration.ofMillis(200)))));
            Pid worker = Supervisor.whichChildren(sup).get(0).pid().orElseThrow();
            Procs.untilParked(worker);
            Ref ref = monitor(worker);
            long t0 = System.nanoTime();
            Supervisor.terminateChild(sup, "slow");
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(receive(m -> m.equals("cleaning up"), Duration.ofSeconds(1))).isPresent();
            assertThat(Procs.down(ref, Duration.ofSeconds(1)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(tookMs).as("terminateChild waited for the whole clean-up").isLessThan(5_000);
            assertThat(receive(m -> m.equals("cleaned up"), Duration.ofMillis(100))).as("the kill ended the clean-up").isEmpty();
            exit(sup, ExitReason.SHUTDOWN);
        });
    }

    /**
     * A shutdown and then the kill that follows its timeout both reach a child in a wait that ignores
     * interrupts: once the wait is over the child ends {@code killed}, as in OTP, not {@code shutdown}
     * (the first exit decided it, and the kill behind it in the inbox was never looked at).
     */
    @Test
    void aShutdownEscalatedToAKillDuringAnUninterruptibleWaitEndsTheChildKilled() {
        Procs.run(s, () -> {
            HeldLock held = HeldLock.take();
            ReentrantLock lock = held.lock();
            Pid child = spawn(() -> {
                lock.lock();
                lock.unlock();
            });
            Ref ref = monitor(child);
            Procs.untilParked(child);
            exit(child, ExitReason.SHUTDOWN);
            exit(child, ExitReason.KILL);
            held.releaseAndJoin();
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
        });
    }

    @Test
    void aSupervisorStopsAWorkerParkedInTake() {
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(
                    Supervisor.ChildSpec.worker("taker", () -> takeQuietly(new LinkedBlockingQueue<>()))));
            Pid worker = Supervisor.whichChildren(sup).get(0).pid().orElseThrow();
            Procs.untilParked(worker);
            Ref ref = monitor(worker);
            Supervisor.terminateChild(sup, "taker"); // returned only once the worker ended
            assertThat(Procs.down(ref, Duration.ofSeconds(1)).reason()).isEqualTo(ExitReason.SHUTDOWN);
            exit(sup, ExitReason.SHUTDOWN);
        });
    }

    @Test
    void aKillOfAProcessInAnUninterruptibleWaitLandsWhenTheWaitEnds() {
        Procs.run(s, () -> {
            HeldLock held = HeldLock.take();
            ReentrantLock lock = held.lock();
            Pid p = spawn(() -> {
                lock.lock(); // ignores interrupts: the kill waits for the lock
                lock.unlock();
            });
            Ref ref = monitor(p);
            Procs.untilParked(p);
            exit(p, ExitReason.KILL);
            assertThat(receive(m -> m instanceof Down d && d.ref().equals(ref), Duration.ofMillis(300))).as("still waiting for the lock").isEmpty();
            held.releaseAndJoin();
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).as("killed, not normal").isEqualTo(ExitReason.KILLED);
        });
    }

    /**
     * A process killed in a wait that ignores interrupts sends nothing once the wait is over: the kill had
     * arrived, and a killed process cannot send (BEAM's). Before, the sends right after the wait went out
     * (there is no tick between them) and the process died only at its next tick.
     */
    @Test
    void aProcessKilledInAnUninterruptibleWaitSendsNothingAfterIt() {
        Procs.run(s, () -> {
            Pid tester = self();
            register("witness-of-killed", tester);
            HeldLock held = HeldLock.take();
            ReentrantLock lock = held.lock();
            Pid p = spawn(() -> {
                lock.lock(); // ignores interrupts: the kill waits for the lock
                lock.unlock();
                send(tester, "sent by pid");
                send("witness-of-killed", "sent by name");
                cast(tester, "cast");
                spawn(() -> send(tester, "sent by a child"));
                exit(tester, ExitReason.of("an exit signal")); // the tester does not trap exits: it would die
            });
            Ref ref = monitor(p);
            Procs.untilParked(p);
            exit(p, ExitReason.KILL);
            held.releaseAndJoin();
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(receive(m -> m instanceof String || m instanceof Cast, Duration.ofMillis(200)))
                    .as("a message from the killed process").isEmpty();
            unregister("witness-of-killed");
        });
    }

    /**
     * A killed process in a wait that clears the interrupt and parks again ({@code Lock.lock()}) does not
     * spin: found by a helper re-testing the re-interrupt at each park, which burned 1.6 cores until the
     * wait ended (8.3 s of CPU in a 5 s wait).
     */
    @Test
    void aKilledProcessInAWaitThatIgnoresInterruptsDoesNotSpin() throws Exception {
        HeldLock held = HeldLock.take();
        try {
            Procs.run(s, () -> {
                Pid p = spawn(() -> {
                    held.lock().lock();
                    held.lock().unlock();
                });
                Ref ref = monitor(p);
                Procs.untilParked(p);
                exit(p, ExitReason.KILL);
                Preempt.sleep(100);
                long cpu0 = threadsCpuNanos();
                Preempt.sleep(1_000);
                long cpuMs = (threadsCpuNanos() - cpu0) / 1_000_000;
                assertThat(cpuMs).as("CPU ms the JVM used in 1 s while the killed process waited").isLessThan(500);
                held.release().countDown();
                assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            });
        } finally {
            held.releaseAndJoin();
        }
    }

    /** A killed child that waits in a call ignoring interrupts: the supervisor waits for it, and says so. */
    @Test
    void aSupervisorSaysWhereAChildItKilledStillWaits() {
        HeldLock held = HeldLock.take();
        ReentrantLock lock = held.lock();
        try (Warnings warned = Warnings.of("dev.preempt.supervisor")) {
            List<String> warnings = warned.messages();
            Procs.run(s, () -> {
                Pid sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(new Supervisor.ChildSpec("locker",
                        () -> Preempt.spawnLink(() -> {
                            lock.lock();
                            lock.unlock();
                        }), Supervisor.Restart.TEMPORARY, Supervisor.Shutdown.brutalKill(), Supervisor.Type.WORKER)));
                Pid child = Supervisor.whichChildren(sup).get(0).pid().orElseThrow();
                Procs.untilParked(child);
                Pid releaser = spawn(() -> {
                    Procs.await(Duration.ofSeconds(20), () -> !warnings.isEmpty(), "the supervisor's warning");
                    held.release().countDown();
                });
                monitor(releaser);
                Supervisor.terminateChild(sup, "locker"); // returns once the lock is free and the child ended
                assertThat(warnings).hasSize(1);
                assertThat(warnings.get(0)).contains("child " + child + " has not ended 5 s after it was killed")
                        .contains("ReentrantLock");
                assertThat(Preempt.isAlive(child)).isFalse();
                exit(sup, ExitReason.SHUTDOWN);
            });
        } finally {
            held.releaseAndJoin();
        }
    }


    /** A server whose handler waits in {@code take()}: what it does when an exit interrupts that wait. */
    record Waiter(boolean swallow, java.util.concurrent.CopyOnWriteArrayList<ExitReason> terminated) implements Server<String> {
        @Override
        public String init() {
            return "";
        }

        @Override
        public Server.Result<String> handleCall(Object request, Call from, String state) {
            try {
                new LinkedBlockingQueue<String>().take();
                return Server.Result.reply("took", state);
            } catch (InterruptedException e) {
                if (swallow) return Server.Result.reply("fallback after the interrupt", state);
                throw new IllegalStateException("interrupted", e);
            }
        }

        @Override
        public void terminate(ExitReason reason, String state) {
            terminated.add(reason);
        }
    }

    /**
     * An exit that interrupts a server's handler ends the server with the exit's reason, as OTP's would
     * end: a handler that swallows the interrupt sends no reply (the caller got one, a successful call to
     * a server that was being killed), and {@code terminate} hears the exit's reason, not the exception
     * the interrupted handler threw.
     */
    @Test
    void aServerEndedWhileItsHandlerWaitsSendsNoReplyAndTerminatesWithTheExitsReason() {
        Procs.run(s, () -> {
            for (boolean swallow : new boolean[] {true, false}) {
                java.util.concurrent.CopyOnWriteArrayList<ExitReason> terminated = new java.util.concurrent.CopyOnWriteArrayList<>();
                Pid server = Server.start(new Waiter(swallow, terminated));
                Ref ref = monitor(server);
                Pid tester = self();
                spawn(() -> {
                    try {
                        send(tester, "reply " + call(server, "wait", Duration.ofSeconds(10)));
                    } catch (CallException e) {
                        send(tester, "failed " + e.reason());
                    }
                });
                Procs.await(Duration.ofSeconds(5), () -> processInfo(server).map(i -> i.stack().stream()
                        .anyMatch(e -> e.getMethodName().equals("take"))).orElse(false), "the handler to wait in take");
                exit(server, ExitReason.of("stop"));
                assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).as("swallow=%s", swallow).isEqualTo(ExitReason.of("stop"));
                assertThat(receive(m -> m instanceof String, Duration.ofSeconds(5))).as("swallow=%s", swallow).contains("failed stop");
                assertThat(terminated).as("swallow=%s", swallow).containsExactly(ExitReason.of("stop"));
            }
        });
    }

    @Test
    void aProcessTrappingExitsIsNotInterruptedByAnExitSignal() {
        Procs.run(s, () -> {
            LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
            Pid tester = self();
            Pid p = spawn(() -> {
                trapExits(true);
                send(tester, "trapping");
                try {
                    String got = q.take(); // not interrupted: the exit is a message
                    send(tester, "took " + got);
                    Exit e = (Exit) receive(m -> m instanceof Exit);
                    send(tester, "exit " + e.reason());
                } catch (InterruptedException e) {
                    send(tester, "interrupted");
                }
            });
            receive(m -> m.equals("trapping"));
            Procs.untilParked(p);
            exit(p, ExitReason.of("stop"));
            assertThat(receive(m -> m instanceof String, Duration.ofMillis(200))).isEmpty();
            q.add("x");
            assertThat(receive(m -> m instanceof String, Duration.ofSeconds(5))).contains("took x");
            assertThat(receive(m -> m instanceof String, Duration.ofSeconds(5))).contains("exit stop");
        });
    }

    /**
     * A killed process whose clean-up then waits for good in a JDK wait ends once the clean-up's grace is
     * over: the wait is interrupted. Before, it was never Down (a kill that landed inside Lucene's
     * IndexWriter left its tragic-event handling in {@code Object.wait} for a flush that never came).
     */
    @Test
    void aKilledProcessWhoseCleanUpWaitsForGoodEndsAfterItsGrace() {
        Procs.run(s, () -> {
            Object never = new Object();
            AtomicBoolean waitInterrupted = new AtomicBoolean();
            Pid p = spawn(() -> {
                try {
                    receive();
                } finally {
                    synchronized (never) {
                        try {
                            never.wait(); // nobody notifies
                        } catch (InterruptedException e) {
                            waitInterrupted.set(true);
                        }
                    }
                }
            });
            Ref ref = monitor(p);
            Procs.untilParked(p);
            long t0 = System.nanoTime();
            exit(p, ExitReason.KILL);
            assertThat(Procs.down(ref, Duration.ofSeconds(10)).reason()).isEqualTo(ExitReason.KILLED);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(waitInterrupted).isTrue();
            assertThat(ms).as("the clean-up had its grace first").isGreaterThanOrEqualTo(500);
        });
    }

    /** CPU time used by the JVM's platform threads so far (carriers run the processes). */
    static long threadsCpuNanos() {
        java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : t.getAllThreadIds()) sum += Math.max(0, t.getThreadCpuTime(id));
        return sum;
    }

    /** A lock a platform thread holds until {@link #releaseAndJoin}: a wait that ignores interrupts, for a process. */
    record HeldLock(ReentrantLock lock, CountDownLatch release, Thread holder) {
        static HeldLock take() {
            ReentrantLock lock = new ReentrantLock();
            CountDownLatch held = new CountDownLatch(1), release = new CountDownLatch(1);
            Thread holder = holdUntil(lock, held, release);
            awaitQuietly(held);
            return new HeldLock(lock, release, holder);
        }

        void releaseAndJoin() {
            release.countDown();
            try {
                holder.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A platform thread that takes {@code lock}, counts {@code held} down, and lets go once {@code release} is. */
    static Thread holdUntil(ReentrantLock lock, CountDownLatch held, CountDownLatch release) {
        return Thread.ofPlatform().start(() -> {
            lock.lock();
            try {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void takeQuietly(LinkedBlockingQueue<?> q) {
        try {
            q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
