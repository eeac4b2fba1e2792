package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Links and exit signals, modelled on OTP's process_SUITE and signal_SUITE. */
class ExitSignalsTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static final ExitReason GOOD = ExitReason.of("good_signal_order");
    static final ExitReason BAD = ExitReason.of("bad_signal_order");

    /** signal_SUITE:xm_sig_order: messages before an exit signal may arrive, those after never do. */
    @Test
    void xmSigOrder() {
        Procs.run(s, () -> {
            for (int i = 0; i < 1000; i++) {
                Pid p = spawn(() -> {
                    while (true) {
                        Optional<Object> m = receive(Duration.ZERO);
                        if (m.isPresent() && m.get().equals("may_not_reach")) Preempt.exit(BAD);
                        if (m.isEmpty()) Preempt.yield();
                    }
                });
                Ref mon = monitor(p);
                for (int k = 0; k < 3; k++) send(p, "may_reach");
                exit(p, GOOD);
                for (int k = 0; k < 3; k++) send(p, "may_not_reach");
                Down d = (Down) receive(m -> m instanceof Down dn && dn.ref().equals(mon));
                assertThat(d.reason()).isEqualTo(GOOD);
            }
        });
    }

    /** signal_SUITE:kill2killed: kill becomes killed, except when a process exits itself with kill. */
    @Test
    void kill2killed() {
        Procs.run(s, () -> {
            trapExits(true);
            for (String type : List.of("other_exit2", "exit2", "exit1")) {
                for (int n : List.of(1, 2, 9, 10)) {
                    Pid me = self();
                    Pid p = spawnLinkLine(type, n, me);
                    if (type.equals("other_exit2")) {
                        Pid eol = (Pid) receive(m -> m instanceof Pid);
                        exit(eol, ExitReason.KILL);
                    }
                    Exit e = (Exit) receive(m -> m instanceof Exit x && x.from().equals(p));
                    assertThat(e.reason()).as("%s, line of %d", type, n)
                            .isEqualTo(type.equals("exit1") ? ExitReason.KILL : ExitReason.KILLED);
                }
            }
        });
    }

    static Pid spawnLinkLine(String type, int n, Pid tester) {
        return spawnLink(() -> {
            if (n == 1) {
                switch (type) {
                    case "other_exit2" -> {
                        send(tester, self());
                        receive(m -> false);
                    }
                    case "exit1" -> Preempt.exit(ExitReason.KILL);
                    default -> exit(self(), ExitReason.KILL);
                }
            } else {
                spawnLinkLine(type, n - 1, tester);
                receive(m -> false);
            }
        });
    }

    /**
     * signal_SUITE:unlink_exit (OTP-18177): B unlinks A and exits; A, trapping, re-links to B. A must see
     * noproc (or B's reason if the new link was made while B lived), never the old link's exit.
     */
    @Test
    void unlinkExit() {
        ExitReason bye = ExitReason.of("bye");
        Procs.run(s, () -> {
            Pid tester = self();
            for (int i = 0; i < 1000; i++) {
                Pid parent = spawn(() -> {
                    Pid child = spawnLink(() -> {
                        trapExits(true);
                        send(tester, 0); // ready
                        Pid par = receive(Pid.class);
                        send(par, "go-from-child");
                        receive(m -> m.equals("go"));
                        boolean alive = isAlive(par);
                        link(par);
                        Exit e = receive(Exit.class, Duration.ofSeconds(5)).orElseThrow(() -> new AssertionError("missing exit"));
                        assertThat(e.from()).isEqualTo(par);
                        if (!alive) {
                            assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
                        } else {
                            assertThat(e.reason()).isIn(ExitReason.NOPROC, bye);
                        }
                    });
                    send(tester, child);
                    receive(m -> m.equals("go-from-child"));
                    unlink(child);
                    send(child, "go");
                    Preempt.exit(bye);
                });
                Ref pm = monitor(parent);
                receive(m -> m.equals(0));
                Pid child = receive(Pid.class);
                Ref cm = monitor(child);
                send(child, parent);
                Down pd = (Down) receive(m -> m instanceof Down d && d.ref().equals(pm));
                assertThat(pd.reason()).isEqualTo(bye);
                Down cd = (Down) receive(m -> m instanceof Down d && d.ref().equals(cm));
                assertThat(cd.reason()).as("child exit").isEqualTo(ExitReason.NORMAL);
            }
        });
    }

    @Test
    void exitSignalsFollowTheTable() {
        Procs.run(s, () -> {
            ExitReason boom = ExitReason.of("boom");
            // from a link, reason normal: ignored when not trapping, Exit(normal) when trapping
            assertThat(survivesLinkedDeath(ExitReason.NORMAL, false)).isTrue();
            assertThat(trappedFromLinkedDeath(ExitReason.NORMAL)).isEqualTo(ExitReason.NORMAL);
            // any other reason: ends with it / Exit(reason)
            assertThat(reasonAfterLinkedDeath(boom)).isEqualTo(boom);
            assertThat(trappedFromLinkedDeath(boom)).isEqualTo(boom);
            // a linked process that died of kill (exit(kill) on itself): kill, trappable
            assertThat(reasonAfterLinkedDeath(ExitReason.KILL)).isEqualTo(ExitReason.KILL);
            assertThat(trappedFromLinkedDeath(ExitReason.KILL)).isEqualTo(ExitReason.KILL);
            // exit(pid, KILL), not from a link: killed, even when trapping
            for (boolean trap : new boolean[] {false, true}) {
                Pid p = spawn(() -> {
                    trapExits(trap);
                    receive(m -> false);
                });
                Ref r = monitor(p);
                exit(p, ExitReason.KILL);
                assertThat(((Down) receive(m -> m instanceof Down d && d.ref().equals(r))).reason()).isEqualTo(ExitReason.KILLED);
            }
            // exit(pid, normal) from another process: ignored unless trapping
            Pid p = spawn(() -> receive(String.class));
            exit(p, ExitReason.NORMAL);
            Preempt.sleep(20);
            assertThat(isAlive(p)).isTrue();
            send(p, "done");
        });
    }

    /** Whether a non-trapping process survives a linked process dying with {@code reason}. */
    private static boolean survivesLinkedDeath(ExitReason reason, boolean trap) {
        return reasonAfterLinkedDeath(reason, trap) == null;
    }

    private static ExitReason reasonAfterLinkedDeath(ExitReason reason) {
        return reasonAfterLinkedDeath(reason, false);
    }

    /** A process linked to one that exits with {@code reason}; returns how it ended (null: still alive). */
    private static ExitReason reasonAfterLinkedDeath(ExitReason reason, boolean trap) {
        Pid me = self();
        Pid watcher = spawn(() -> {
            trapExits(trap);
            Pid victim = spawnLink(() -> {
                receive(String.class);
                Preempt.exit(reason);
            });
            send(me, victim);
            receive(m -> m.equals("stop"));
        });
        Ref r = monitor(watcher);
        Pid victim = receive(Pid.class);
        Ref vr = monitor(victim);
        send(victim, "die");
        receive(m -> m instanceof Down d && d.ref().equals(vr));
        Optional<Object> d = receive(m -> m instanceof Down dn && dn.ref().equals(r), Duration.ofMillis(200));
        if (d.isPresent()) return ((Down) d.get()).reason();
        send(watcher, "stop");
        receive(m -> m instanceof Down dn && dn.ref().equals(r));
        return null;
    }

    /** A trapping process linked to one that exits with {@code reason}: the Exit message's reason. */
    private static ExitReason trappedFromLinkedDeath(ExitReason reason) {
        Pid me = self();
        spawn(() -> {
            trapExits(true);
            Pid victim = spawnLink(() -> Preempt.exit(reason));
            Exit e = receive(Exit.class);
            assertThat(e.from()).isEqualTo(victim);
            send(me, e);
        });
        return receive(Exit.class).reason();
    }

    @Test
    void spawnLinkIsAtomicAChildThatCrashesAtOnceTakesTheParent() {
        Procs.run(s, () -> {
            Spawned parent = spawnMonitor(() -> {
                spawnLink(() -> {
                    throw new IllegalStateException("at once");
                });
                receive(m -> false);
            });
            Down d = (Down) receive(m -> m instanceof Down dn && dn.ref().equals(parent.ref()));
            assertThat(d.reason().exceptionCause()).get().extracting(Throwable::getMessage).isEqualTo("at once");
        });
    }

    @Test
    void linkingToADeadProcessIsNoproc() {
        Procs.run(s, () -> {
            Pid dead = spawn(() -> {});
            Ref r = monitor(dead);
            receive(m -> m instanceof Down d && d.ref().equals(r));
            assertThatThrownBy(() -> link(dead)).isInstanceOf(NoProcessException.class).hasMessageContaining(dead.toString());
            trapExits(true);
            link(dead);
            assertThat(receive(Exit.class, Duration.ofSeconds(5))).contains(new Exit(dead, ExitReason.NOPROC));
        });
    }

    @Test
    void atMostOneLinkPerPairAndUnlinkRemovesIt() {
        Procs.run(s, () -> {
            trapExits(true);
            Pid p = spawn(() -> receive(String.class));
            link(p);
            link(p);
            unlink(p);
            send(p, "go");
            Ref r = monitor(p);
            receive(m -> m instanceof Down d && d.ref().equals(r));
            assertThat(receive(Exit.class, Duration.ofMillis(100))).as("no link is left").isEmpty();
            // and linking both ways counts as one link too
            Pid q = spawn(() -> {
                link(receive(Pid.class));
                Preempt.exit(ExitReason.of("q-died"));
            });
            link(q);
            send(q, self());
            Exit e = receive(Exit.class);
            assertThat(e).isEqualTo(new Exit(q, ExitReason.of("q-died")));
            assertThat(receive(Exit.class, Duration.ofMillis(100))).isEmpty();
        });
    }

    @Test
    void killStopsALoopAtItsNextYieldPointAndFinallyBlocksRun() {
        AtomicBoolean finallyRan = new AtomicBoolean();
        Procs.run(s, () -> {
            Pid looper = spawn(() -> {
                try {
                    while (true) Preempt.yield();
                } finally {
                    finallyRan.set(true);
                }
            });
            Ref r = monitor(looper);
            Preempt.sleep(10);
            exit(looper, ExitReason.KILL);
            Down d = (Down) receive(m -> m instanceof Down dn && dn.ref().equals(r));
            assertThat(d.reason()).isEqualTo(ExitReason.KILLED);
        });
        assertThat(finallyRan).isTrue();
    }

    @Test
    void aProcessThatSwallowsTheKillIsEndedAtItsNextYieldPoint() {
        aSwallowerOfTheKillEnds(Preempt::yield, Duration.ofSeconds(10));
    }

    /** A process that runs {@code step} for ever and catches every ProcessExit is killed, and ends {@code killed} within {@code within}. */
    static void aSwallowerOfTheKillEnds(Runnable step, Duration within) {
        Procs.run(s, () -> {
            Pid stubborn = spawn(() -> {
                while (true) {
                    try {
                        while (true) step.run();
                    } catch (ProcessExit e) {
                        // swallowed: keep going
                    }
                }
            });
            Ref r = monitor(stubborn);
            Preempt.sleep(10);
            exit(stubborn, ExitReason.KILL);
            Down d = (Down) receive(m -> m instanceof Down dn && dn.ref().equals(r), within).orElseThrow();
            assertThat(d.reason()).isEqualTo(ExitReason.KILLED);
        });
    }

    /** What rewritten code does between statements: a tick (a method entry, a loop's back-edge). */
    static void work(int ticks) {
        for (int i = 0; i < ticks; i++) dev.preempt.internal.hooks.Reductions.tick();
    }

    /**
     * A killed process's clean-up runs to its end: try-with-resources' {@code close()}, a driver's
     * rollback. Found by a user (HikariCP over H2, both rewritten by the agent): a kill in the middle of a
     * transaction threw the exit again at a later tick inside the pool's {@code close()} and H2's
     * rollback, which left the connection with its table lock (every later use of it failed) or out of
     * the pool for good. Before the fix the exit was thrown again at the second look at a tick, here
     * after a few thousand of the 50,000 ticks; and a kill that interrupted a {@code Thread.sleep} was
     * first thrown at a tick in the handlers the interrupt ran through. Now the kill of a process in a
     * JDK call is Java's cancellation first: the handlers run, and the exit lands at the next runtime
     * operation (here the send after the clean-up, which does not go out) or a tick a second later.
     */
    @Test
    void aKilledProcessesCleanUpRunsToItsEndThoughItTicks() {
        Procs.run(s, () -> {
            Pid tester = self();
            for (boolean inJdkSleep : new boolean[] {true, false}) {
                java.util.concurrent.atomic.AtomicInteger cleaned = new java.util.concurrent.atomic.AtomicInteger();
                Pid p = spawn(() -> {
                    int done = 0;
                    try {
                        send(tester, Boolean.TRUE); // in the try: the kill comes after this
                        if (inJdkSleep) {
                            try {
                                Thread.sleep(60_000);
                            } catch (InterruptedException e) {
                                work(10); // the exit lands at a tick after the interrupted call
                            }
                        } else {
                            Preempt.sleep(Duration.ofMinutes(1));
                        }
                    } finally {
                        for (; done < 50_000; done++) work(1);
                        cleaned.set(done);
                        send(tester, "after the clean-up");
                    }
                });
                Ref r = monitor(p);
                receive(m -> m == Boolean.TRUE);
                Preempt.sleep(20);
                exit(p, ExitReason.KILL);
                assertThat(((Down) receive(m -> m instanceof Down d && d.ref().equals(r))).reason()).isEqualTo(ExitReason.KILLED);
                assertThat(cleaned).as("in JDK sleep: %s", inJdkSleep).hasValue(50_000);
                // Interrupted out of a JDK call, the process meets its exit at that send; thrown at Preempt.sleep,
                // the exit unwinds it through the finally block, whose send goes out (a clean-up may notify).
                assertThat(receive(m -> m instanceof String, Duration.ofMillis(50)).isPresent()).as("in JDK sleep: %s", inJdkSleep)
                        .isEqualTo(!inJdkSleep);
            }
        });
    }

    /**
     * The exit is caught and rethrown by library code (a JDBC driver wraps and rethrows what it catches)
     * with ticks in between; a {@code Server}'s {@code terminate} still runs to its end. Before the fix
     * its first tick threw the exit again and {@code terminate} was skipped.
     */
    @Test
    void aServersTerminateRunsAfterLibraryCodeCaughtAndRethrewTheExit() {
        Procs.run(s, () -> {
            Pid tester = self();
            Pid server = Server.start(new Server<String>() {
                @Override
                public String init() {
                    return "state";
                }

                @Override
                public Result<String> handleCall(Object request, Call from, String state) {
                    try {
                        Preempt.sleep(Duration.ofMinutes(1)); // the shutdown lands here
                    } catch (Throwable t) {
                        work(5_000); // the driver cleans up, then rethrows
                        throw t;
                    }
                    return Result.reply("never", state);
                }

                @Override
                public void terminate(ExitReason reason, String state) {
                    work(20_000);
                    send(tester, "terminated " + reason);
                }
            });
            Ref r = monitor(server);
            spawn(() -> {
                try {
                    call(server, "wait", Duration.ofMinutes(1));
                } catch (CallException ignored) {
                }
            });
            Preempt.sleep(20);
            exit(server, ExitReason.SHUTDOWN);
            assertThat(receive(m -> m instanceof String, Duration.ofSeconds(10))).contains("terminated shutdown");
            assertThat(((Down) receive(m -> m instanceof Down d && d.ref().equals(r))).reason()).isEqualTo(ExitReason.SHUTDOWN);
        });
    }

    /**
     * A kill that interrupted a JDK call waits while the handlers run, but not for ever: a process that
     * swallows the interrupt and goes back to its {@code take()} is interrupted again at that park, and
     * one that swallows it and spins on (ticking, calling nothing of the runtime) meets the exit at a
     * tick once the grace is over.
     */
    @Test
    void aKillOfAProcessThatSwallowsTheInterruptStillEndsIt() {
        Procs.run(s, () -> {
            Pid tester = self();
            java.util.concurrent.LinkedBlockingQueue<String> q = new java.util.concurrent.LinkedBlockingQueue<>();
            Pid taker = spawn(() -> {
                send(tester, Boolean.TRUE);
                while (true) {
                    try {
                        q.take();
                    } catch (InterruptedException swallowed) {
                        work(3);
                    }
                }
            });
            Pid spinner = spawn(() -> {
                send(tester, Boolean.TRUE);
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException swallowed) {
                    while (true) work(1);
                }
            });
            Ref r1 = monitor(taker), r2 = monitor(spinner);
            receive(m -> m == Boolean.TRUE);
            receive(m -> m == Boolean.TRUE);
            Preempt.sleep(20);
            long t0 = System.nanoTime();
            exit(taker, ExitReason.KILL);
            exit(spinner, ExitReason.KILL);
            for (Ref r : List.of(r1, r2)) {
                Down d = (Down) receive(m -> m instanceof Down dn && dn.ref().equals(r), Duration.ofSeconds(10)).orElseThrow();
                assertThat(d.reason()).isEqualTo(ExitReason.KILLED);
            }
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to end both").isLessThan(8_000);
        });
    }

    /** A process that swallows the kill and spins on, with ticks but no receive, still ends (in a second or so). */
    @Test
    void aProcessThatSwallowsTheKillAndOnlyTicksStillEnds() {
        aSwallowerOfTheKillEnds(() -> work(1), Duration.ofSeconds(20));
    }

    @Test
    void exitToSelfTakesEffectAtOnce() {
        Procs.run(s, () -> {
            Spawned p = spawnMonitor(() -> {
                exit(self(), ExitReason.of("now"));
                throw new AssertionError("still running after exit(self)");
            });
            assertThat(((Down) receive(m -> m instanceof Down d && d.ref().equals(p.ref()))).reason()).isEqualTo(ExitReason.of("now"));
        });
    }
}
