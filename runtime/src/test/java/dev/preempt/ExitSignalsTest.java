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
        Procs.run(s, () -> {
            Pid stubborn = spawn(() -> {
                while (true) {
                    try {
                        while (true) Preempt.yield();
                    } catch (ProcessExit e) {
                        // swallowed: keep going
                    }
                }
            });
            Ref r = monitor(stubborn);
            Preempt.sleep(10);
            exit(stubborn, ExitReason.KILL);
            Down d = (Down) receive(m -> m instanceof Down dn && dn.ref().equals(r), Duration.ofSeconds(10)).orElseThrow();
            assertThat(d.reason()).isEqualTo(ExitReason.KILLED);
        });
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
