package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preempt.Supervisor.ChildSpec;
import dev.preempt.Supervisor.Flags;
import dev.preempt.Supervisor.Restart;
import dev.preempt.Supervisor.Shutdown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Supervisors, modelled on OTP's supervisor_SUITE. */
class SupervisorTest {

    static Scheduler s;

    @BeforeAll
    static void start() {
        s = Procs.twoCarriers();
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    /**
     * A child server that logs "start:id" in init and "stop:id" in terminate, traps exits (so a
     * supervisor's shutdown runs terminate, as in OTP) and obeys "crash", "normal" and "shutdown".
     */
    static ChildSpec spec(String id, List<String> log) {
        return ChildSpec.server(id, () -> new Server<String>() {
            @Override
            public String init() {
                log.add("start:" + id);
                return id;
            }

            @Override
            public Result<String> handleInfo(Object m, String st) {
                if (m.equals("crash")) throw new IllegalStateException("crash " + id);
                if (m.equals("normal")) return Result.stop(ExitReason.NORMAL, st);
                if (m.equals("shutdown")) return Result.stop(ExitReason.SHUTDOWN, st);
                return Result.noReply(st);
            }

            @Override
            public void terminate(ExitReason reason, String st) {
                log.add("stop:" + id);
            }

            @Override
            public boolean trapExits() {
                return true;
            }
        });
    }

    static Optional<Pid> pidOf(Pid sup, String id) {
        return Supervisor.whichChildren(sup).stream().filter(c -> c.id().equals(id)).findFirst().flatMap(Supervisor.Child::pid);
    }

    /** Sends {@code command} to child {@code id} and waits until the supervisor shows a different pid (or none). */
    static Optional<Pid> poke(Pid sup, String id, String command) {
        Pid old = pidOf(sup, id).orElseThrow();
        Ref r = monitor(old);
        send(old, command);
        receive(m -> m instanceof Down d && d.ref().equals(r));
        for (int i = 0; i < 2000; i++) {
            Optional<Pid> now = pidOf(sup, id);
            if (now.isEmpty() || !now.get().equals(old)) return now;
            Preempt.sleep(1);
        }
        throw new AssertionError("supervisor still shows the dead child " + old);
    }

    static ExitReason awaitDown(Ref r) {
        return ((Down) receive(m -> m instanceof Down d && d.ref().equals(r), Duration.ofSeconds(20))
                .orElseThrow(() -> new AssertionError("no Down"))).reason();
    }

    @Test
    void permanentNormal() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.oneForOne(), List.of(spec("p", log)));
            Pid first = pidOf(sup, "p").orElseThrow();
            Optional<Pid> again = poke(sup, "p", "normal");
            assertThat(again).isPresent().get().isNotEqualTo(first);
            assertThat(isAlive(again.get())).isTrue();
            Supervisor.stop(sup);
        });
    }

    @Test
    void transientNormal() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.oneForOne().intensity(10, Duration.ofSeconds(5)), List.of(
                    spec("t1", log).restart(Restart.TRANSIENT),
                    spec("t2", log).restart(Restart.TRANSIENT),
                    spec("t3", log).restart(Restart.TRANSIENT)));
            assertThat(poke(sup, "t1", "normal")).as("normal: not restarted").isEmpty();
            assertThat(poke(sup, "t2", "shutdown")).as("shutdown: not restarted").isEmpty();
            assertThat(poke(sup, "t3", "crash")).as("abnormal: restarted").isPresent();
            assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("t1", "t2", "t3");
            Supervisor.stop(sup);
        });
    }

    @Test
    void temporaryChildrenAreNeverRestartedAndAreRemoved() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.oneForOne(), List.of(spec("tmp", log).restart(Restart.TEMPORARY)));
            assertThat(poke(sup, "tmp", "crash")).isEmpty();
            assertThat(Supervisor.whichChildren(sup)).isEmpty();
            Supervisor.stop(sup);
        });
    }

    /** temporary_bystander: in one_for_all a temporary sibling of a crashed child is stopped and not restarted. */
    @Test
    void temporaryBystander() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.oneForAll(), List.of(spec("bystander", log).restart(Restart.TEMPORARY), spec("perm", log)));
            Pid bystander = pidOf(sup, "bystander").orElseThrow();
            Ref r = monitor(bystander);
            poke(sup, "perm", "crash");
            assertThat(awaitDown(r)).isEqualTo(ExitReason.SHUTDOWN);
            assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.Child::id).containsExactly("perm");
            assertThat(pidOf(sup, "perm")).isPresent();
            Supervisor.stop(sup);
        });
    }

    /** one_for_one_escalation: more than intensity restarts in period stops all children, then the supervisor. */
    @Test
    void oneForOneEscalation() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.oneForOne().intensity(1, Duration.ofSeconds(10)),
                    List.of(spec("a", log), spec("b", log)));
            Ref sr = monitor(sup);
            Pid b = pidOf(sup, "b").orElseThrow();
            poke(sup, "a", "crash");          // one restart: allowed
            send(pidOf(sup, "a").orElseThrow(), "crash"); // the second within the period: escalate
            assertThat(awaitDown(sr)).isEqualTo(ExitReason.SHUTDOWN);
            assertThat(isAlive(b)).isFalse();
            assertThat(log).containsExactly("start:a", "start:b", "stop:a", "start:a", "stop:a", "stop:b");
        });
    }

    /** rest_for_one_escalation: the same through rest_for_one restarts. */
    @Test
    void restForOneEscalation() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.restForOne().intensity(1, Duration.ofSeconds(10)),
                    List.of(spec("a", log), spec("b", log), spec("c", log)));
            Ref sr = monitor(sup);
            poke(sup, "b", "crash");
            List<Pid> alive = new ArrayList<>();
            Supervisor.whichChildren(sup).forEach(c -> alive.add(c.pid().orElseThrow()));
            send(pidOf(sup, "c").orElseThrow(), "crash");
            assertThat(awaitDown(sr)).isEqualTo(ExitReason.SHUTDOWN);
            for (Pid p : alive) assertThat(isAlive(p)).isFalse();
        });
    }

    @Test
    void restForOneRestartsTheChildAndThoseAfterIt() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.restForOne(), List.of(spec("a", log), spec("b", log), spec("c", log)));
            Pid a = pidOf(sup, "a").orElseThrow();
            log.clear();
            poke(sup, "b", "crash");
            waitFor(() -> log.contains("start:c"));
            assertThat(log).containsExactly("stop:b", "stop:c", "start:b", "start:c");
            assertThat(pidOf(sup, "a")).contains(a);
            Supervisor.stop(sup);
        });
    }

    /** order_of_children: start in order, one_for_all stops the rest in reverse and restarts in order; stop is reverse. */
    @Test
    void orderOfChildren() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.oneForAll(), List.of(spec("a", log), spec("b", log), spec("c", log)));
            assertThat(log).containsExactly("start:a", "start:b", "start:c");
            log.clear();
            poke(sup, "b", "crash");
            waitFor(() -> log.contains("start:c"));
            assertThat(log).containsExactly("stop:b", "stop:c", "stop:a", "start:a", "start:b", "start:c");
            log.clear();
            Supervisor.stop(sup);
            assertThat(log).containsExactly("stop:c", "stop:b", "stop:a");
        });
    }

    /** sup_stop_brutal_kill: a brutal_kill child is killed at once, even if it traps exits. */
    @Test
    void supStopBrutalKill() {
        Procs.run(s, () -> {
            Pid me = self();
            Runnable ignoresShutdown = () -> {
                trapExits(true);
                send(me, self());
                while (true) receive(); // ignores Exit(supervisor, shutdown)
            };
            Pid sup = Supervisor.start(Flags.oneForOne(), List.of(
                    ChildSpec.worker("brutal", ignoresShutdown).shutdown(Shutdown.brutalKill()),
                    ChildSpec.worker("slow", ignoresShutdown).shutdown(Shutdown.timeout(Duration.ofMillis(200)))));
            Pid brutal = receive(Pid.class);
            Pid slow = receive(Pid.class);
            Ref rb = monitor(brutal);
            Ref rs = monitor(slow);
            long t0 = System.nanoTime();
            Supervisor.stop(sup);
            assertThat(awaitDown(rs)).as("killed after its shutdown timeout").isEqualTo(ExitReason.KILLED);
            assertThat(awaitDown(rb)).isEqualTo(ExitReason.KILLED);
            assertThat(System.nanoTime() - t0).as("waited for the timeout").isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
            assertThat(isAlive(sup)).isFalse();
        });
    }

    /** multiple_restarts: restarts spread out beyond the period never add up to the intensity. */
    @Test
    void multipleRestarts() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.oneForOne().intensity(1, Duration.ofMillis(200)), List.of(spec("c", log)));
            for (int i = 0; i < 4; i++) {
                assertThat(poke(sup, "c", "crash")).isPresent();
                Preempt.sleep(300);
            }
            assertThat(isAlive(sup)).isTrue();
            assertThat(Supervisor.countChildren(sup).restarts()).isEqualTo(4);
            Supervisor.terminateChild(sup, "c");
            Supervisor.deleteChild(sup, "c");
            assertThat(Supervisor.whichChildren(sup)).isEmpty();
            Supervisor.stop(sup);
        });
    }

    @Test
    void childManagementAndErrors() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid sup = Supervisor.start(Flags.oneForOne(), List.of(spec("a", log)));
            Pid b = Supervisor.startChild(sup, spec("b", log));
            assertThat(isAlive(b)).isTrue();
            assertThatThrownBy(() -> Supervisor.startChild(sup, spec("b", log))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already present");
            assertThatThrownBy(() -> Supervisor.startChild(sup, new ChildSpec("bad", () -> {
                throw new IllegalArgumentException("no start");
            }, Restart.PERMANENT, Shutdown.brutalKill(), Supervisor.Type.WORKER))).hasMessageContaining("no start")
                    .as("the start function's exception is kept, not only its message")
                    .hasRootCauseInstanceOf(IllegalArgumentException.class).hasRootCauseMessage("no start");
            Supervisor.terminateChild(sup, "b");
            assertThat(isAlive(b)).isFalse();
            assertThat(pidOf(sup, "b")).isEmpty();
            assertThatThrownBy(() -> Supervisor.deleteChild(sup, "a")).hasMessageContaining("running");
            Pid b2 = Supervisor.restartChild(sup, "b");
            assertThat(b2).isNotEqualTo(b);
            Supervisor.Counts n = Supervisor.countChildren(sup);
            assertThat(n.specs()).isEqualTo(2);
            assertThat(n.active()).isEqualTo(2);
            assertThat(n.workers()).isEqualTo(2);
            Supervisor.stop(sup);
        });
        assertThatThrownBy(() -> Supervisor.start(Flags.oneForOne(), List.of(
                spec("ok", new CopyOnWriteArrayList<>()),
                new ChildSpec("broken", () -> {
                    throw new IllegalStateException("cannot start");
                }, Restart.PERMANENT, Shutdown.brutalKill(), Supervisor.Type.WORKER))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot start")
                .hasMessageContaining("child 'broken'") // OTP's failed_to_start_child names it; a user could not tell which
                .hasRootCauseMessage("cannot start");
        // Linked: the caller hears of the failure from startLink, and is not taken down by the link.
        Procs.run(s, () -> {
            assertThatThrownBy(() -> Supervisor.startLink(Flags.oneForOne(), List.of(new ChildSpec("broken", () -> {
                throw new IllegalStateException("cannot start");
            }, Restart.PERMANENT, Shutdown.brutalKill(), Supervisor.Type.WORKER))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("supervisor failed to start: child 'broken': cannot start");
            Preempt.sleep(Duration.ofMillis(50)); // an exit signal over the link would have arrived by now
            assertThat(isAlive(self())).isTrue();
        });
    }

    @Test
    void supervisorsNestIntoTreesAndEscalationRestartsTheSubtree() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid root = Supervisor.start(Flags.oneForOne().intensity(5, Duration.ofSeconds(10)), List.of(
                    ChildSpec.supervisor("sub", Flags.oneForOne().intensity(0, Duration.ofSeconds(10)),
                            List.of(spec("w1", log), spec("w2", log)))));
            Pid sub = pidOf(root, "sub").orElseThrow();
            assertThat(Supervisor.whichChildren(sub)).hasSize(2);
            Pid w1 = pidOf(sub, "w1").orElseThrow();
            send(w1, "crash"); // intensity 0: the sub-supervisor gives up, the root restarts it
            Pid sub2 = waitForChange(root, "sub", sub);
            assertThat(Supervisor.whichChildren(sub2)).allSatisfy(c -> assertThat(c.pid()).isPresent());
            assertThat(Supervisor.countChildren(root).restarts()).isEqualTo(1);
            assertThat(Supervisor.countChildren(root).supervisors()).isEqualTo(1);
            Supervisor.stop(root);
            assertThat(isAlive(sub2)).isFalse();
        });
    }

    @Test
    void aLinkedSupervisorStopsItsChildrenWhenItsParentExits() {
        List<String> log = new CopyOnWriteArrayList<>();
        Procs.run(s, () -> {
            Pid me = self();
            Pid parent = spawn(() -> {
                Pid sup = Supervisor.startLink(Flags.oneForOne(), List.of(spec("x", log)));
                send(me, sup);
                receive(String.class);
                Preempt.exit(ExitReason.of("parent-gone"));
            });
            Pid sup = receive(Pid.class);
            Pid x = pidOf(sup, "x").orElseThrow();
            Ref r = monitor(sup);
            send(parent, "go");
            assertThat(awaitDown(r)).isEqualTo(ExitReason.of("parent-gone"));
            assertThat(isAlive(x)).isFalse();
            assertThat(log).endsWith("stop:x");
        });
    }

    @Test
    void aDynamicSupervisorAddsChildrenAtRunTimeAndStopsThemInParallel() {
        Procs.run(s, () -> {
            Pid dyn = Supervisor.startDynamic(3, Duration.ofSeconds(5));
            Pid me = self();
            Runnable slowToStop = () -> {
                trapExits(true);
                send(me, self());
                receive(Exit.class);
                Preempt.sleep(500); // cleanup takes a while
            };
            List<Pid> kids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                kids.add(Supervisor.startChild(dyn, ChildSpec.worker("same-id", slowToStop)));
                receive(Pid.class);
            }
            assertThat(Supervisor.countChildren(dyn).active()).isEqualTo(20);
            Supervisor.terminateChild(dyn, kids.get(0));
            assertThat(Supervisor.countChildren(dyn).specs()).isEqualTo(19);
            long t0 = System.nanoTime();
            Supervisor.stop(dyn);
            long took = System.nanoTime() - t0;
            for (Pid k : kids) assertThat(isAlive(k)).isFalse();
            // one after another this would take 19 x 500 ms; in parallel, about 500 ms
            assertThat(took).isLessThan(Duration.ofSeconds(5).toNanos());
        });
    }

    static void waitFor(java.util.function.BooleanSupplier cond) {
        for (int i = 0; i < 5000 && !cond.getAsBoolean(); i++) Preempt.sleep(1);
        assertThat(cond.getAsBoolean()).isTrue();
    }

    static Pid waitForChange(Pid sup, String id, Pid old) {
        for (int i = 0; i < 5000; i++) {
            Optional<Pid> now = pidOf(sup, id);
            if (now.isPresent() && !now.get().equals(old)) return now.get();
            Preempt.sleep(1);
        }
        throw new AssertionError(id + " was not restarted");
    }
}
