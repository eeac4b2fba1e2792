package dev.preempt;

import static dev.preempt.Preempt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preempt.internal.hooks.Waits;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The waits that ignore interrupts, as rewritten code runs them ({@code Waits}: the agent points
 * {@code lock()}, {@code awaitUninterruptibly()}, {@code acquireUninterruptibly()} and {@code join()} call
 * sites there; these tests call it as that code does). Found trying a deadlock as a user would: a kill
 * never reached a process waiting in {@code lock()}, so neither a kill nor a supervisor could break a
 * deadlock (BlockedInJdkCallTest shows the JDK's own {@code lock()}: the kill lands once the lock is
 * granted).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UninterruptibleWaitsTest {

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
    void aKillEndsAProcessWaitingForALockItNeverGets() {
        Procs.run(s, () -> {
            ReentrantLock lock = new ReentrantLock();
            lock.lock(); // this process holds it throughout
            try {
                AtomicBoolean acquired = new AtomicBoolean(), cleanedUp = new AtomicBoolean();
                Pid p = spawn(() -> {
                    try {
                        Waits.lock(lock);
                        acquired.set(true);
                    } finally {
                        cleanedUp.set(true);
                    }
                });
                Ref ref = monitor(p);
                Procs.untilParked(p);
                exit(p, ExitReason.KILL);
                assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
                assertThat(acquired).as("the lock was taken").isFalse();
                assertThat(cleanedUp).isTrue();
                assertThat(lock.hasQueuedThreads()).as("a waiter left behind").isFalse();
            } finally {
                lock.unlock();
            }
            assertThat(lock.isLocked()).isFalse();
        });
    }

    /** Two processes each holding the lock the other waits for: killing one lets the other finish. */
    @Test
    void killingOneSideOfADeadlockLetsTheOtherGoOn() {
        Procs.run(s, () -> {
            ReentrantLock a = new ReentrantLock(), b = new ReentrantLock();
            CountDownLatch bothHold = new CountDownLatch(2);
            Pid tester = self();
            Pid first = spawn(() -> holdThenTake(a, b, bothHold, tester, "first"));
            Pid second = spawn(() -> holdThenTake(b, a, bothHold, tester, "second"));
            Ref ref = monitor(first);
            Procs.untilParked(first);
            Procs.untilParked(second);
            exit(first, ExitReason.KILL);
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(receive(String.class, Duration.ofSeconds(5))).contains("second done");
            assertThat(a.isLocked() || b.isLocked()).isFalse();
        });
    }

    static void holdThenTake(ReentrantLock mine, ReentrantLock theirs, CountDownLatch bothHold, Pid tester, String name) {
        Waits.lock(mine);
        try {
            bothHold.countDown();
            awaitQuietly(bothHold);
            Waits.lock(theirs);
            try {
                send(tester, name + " done");
            } finally {
                theirs.unlock();
            }
        } finally {
            mine.unlock();
        }
    }

    /** An interrupt that is not an exit leaves the wait as {@code lock()} does: waiting, the status set after. */
    @Test
    void aForeignInterruptNeitherEndsTheWaitNorIsLost() {
        Procs.run(s, () -> {
            ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
            rw.writeLock().lock();
            AtomicReference<Thread> thread = new AtomicReference<>();
            Pid tester = self();
            Pid p = spawn(() -> {
                thread.set(Thread.currentThread());
                Waits.lock(rw.readLock());
                boolean interrupted = Thread.interrupted();
                rw.readLock().unlock();
                send(tester, "got it, interrupted=" + interrupted);
            });
            Procs.untilParked(p);
            thread.get().interrupt();
            assertThat(receive(String.class, Duration.ofMillis(300))).as("the wait ended at the interrupt").isEmpty();
            assertThat(isAlive(p)).isTrue();
            rw.writeLock().unlock();
            assertThat(receive(String.class, Duration.ofSeconds(5))).contains("got it, interrupted=true");
        });
    }

    @Test
    void aKillEndsAnUninterruptibleConditionWaitWithTheLockReleased() {
        Procs.run(s, () -> {
            ReentrantLock lock = new ReentrantLock();
            Condition never = lock.newCondition();
            AtomicBoolean held = new AtomicBoolean();
            Pid p = spawn(() -> {
                Waits.lock(lock);
                try {
                    Waits.awaitUninterruptibly(never);
                } finally {
                    held.set(lock.isHeldByCurrentThread()); // await gives the lock back before it throws
                    lock.unlock();
                }
            });
            Ref ref = monitor(p);
            Procs.untilParked(p);
            exit(p, ExitReason.KILL);
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(held).isTrue();
            assertThat(lock.isLocked()).isFalse();
        });
    }

    @Test
    void aKillEndsAnUninterruptibleSemaphoreAcquire() {
        Procs.run(s, () -> {
            Semaphore none = new Semaphore(0);
            Pid p = spawn(() -> Waits.acquireUninterruptibly(none, 2));
            Ref ref = monitor(p);
            Procs.untilParked(p);
            exit(p, ExitReason.KILL);
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            none.release(2);
            assertThat(none.availablePermits()).as("no permit taken by the killed process").isEqualTo(2);
        });
    }

    @Test
    void aKillEndsAJoinOnAFutureNoOneCompletes() {
        Procs.run(s, () -> {
            CompletableFuture<String> never = new CompletableFuture<>();
            Pid p = spawn(() -> Waits.join(never));
            Ref ref = monitor(p);
            Procs.untilParked(p);
            exit(p, ExitReason.of("stop"));
            assertThat(Procs.down(ref, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.of("stop"));
        });
    }

    /**
     * A kill ends a process in {@code ForkJoinTask.join()} and in {@code Phaser.arriveAndAwaitAdvance()}.
     * Before (a helper's, 3 runs of 3 each), neither ended until the task finished or the phase advanced:
     * both waits ignore interrupts.
     */
    @Test
    void aKillEndsAForkJoinJoinAndAPhaserWait() {
        Procs.run(s, () -> {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ForkJoinTask<String> slow = java.util.concurrent.ForkJoinPool.commonPool().submit(() -> {
                awaitQuietly(release);
                return "late";
            });
            Pid joiner = spawn(() -> Waits.join(slow));
            java.util.concurrent.Phaser phaser = new java.util.concurrent.Phaser(2) {
                @Override
                protected boolean onAdvance(int phase, int parties) {
                    return false;
                }
            };
            Pid arriver = spawn(() -> Waits.arriveAndAwaitAdvance(phaser));
            Ref j = monitor(joiner), a = monitor(arriver);
            Procs.untilParked(joiner);
            Procs.untilParked(arriver);
            exit(joiner, ExitReason.KILL);
            exit(arriver, ExitReason.KILL);
            assertThat(Procs.down(j, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(Procs.down(a, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(phaser.getPhase()).as("the killed process arrived; the phase waits for the other party").isZero();
            assertThat(phaser.getArrivedParties()).isEqualTo(1);
            release.countDown();
        });
    }

    /** {@code join} and {@code arriveAndAwaitAdvance} give what the JDK's give. */
    @Test
    void forkJoinAndPhaserGiveWhatTheJdksGive() {
        Procs.run(s, () -> {
            var pool = java.util.concurrent.ForkJoinPool.commonPool();
            assertThat(Waits.join(pool.submit(() -> {
                sleepQuietly(50);
                return "value";
            }))).isEqualTo("value");
            IllegalStateException boom = new IllegalStateException("boom");
            var failing = pool.submit(() -> {
                sleepQuietly(50);
                throw boom;
            });
            assertThatThrownBy(() -> Waits.join(failing)).isInstanceOf(IllegalStateException.class).hasRootCause(boom); // join's copy
            java.util.concurrent.Phaser phaser = new java.util.concurrent.Phaser(2);
            Pid me = self();
            spawn(() -> Preempt.send(me, Waits.arriveAndAwaitAdvance(phaser)));
            sleepQuietly(50);
            int mine = Waits.arriveAndAwaitAdvance(phaser);
            assertThat(mine).isEqualTo(1);
            assertThat(Preempt.receive(Integer.class)).isEqualTo(1);
            phaser.forceTermination();
            assertThat(Waits.arriveAndAwaitAdvance(phaser)).isNegative();

            // The last arrival returns the next phase even when its onAdvance ends the phaser, as the JDK's
            // does: a helper's `while (p.arriveAndAwaitAdvance() >= 0)` ran one round fewer in a process.
            java.util.concurrent.Phaser threeRounds = new java.util.concurrent.Phaser(1) {
                @Override
                protected boolean onAdvance(int phase, int parties) {
                    return phase >= 2;
                }
            };
            assertThat(List.of(Waits.arriveAndAwaitAdvance(threeRounds), Waits.arriveAndAwaitAdvance(threeRounds),
                    Waits.arriveAndAwaitAdvance(threeRounds), Waits.arriveAndAwaitAdvance(threeRounds)))
                    .containsExactly(1, 2, 3, threeRounds.getPhase());
            assertThat(threeRounds.isTerminated()).isTrue();
            java.util.concurrent.Phaser root = new java.util.concurrent.Phaser() {
                @Override
                protected boolean onAdvance(int phase, int parties) {
                    return true;
                }
            };
            java.util.concurrent.Phaser child = new java.util.concurrent.Phaser(root, 1);
            assertThat(Waits.arriveAndAwaitAdvance(child)).as("a tiered phaser: the parent's call's value").isEqualTo(1);
        });
    }

    /**
     * A kill ends a process in {@code Phaser.awaitAdvance}, in {@code ForkJoinPool.invoke}, and in an
     * executor's {@code close()} while its task ignores interrupts; the closed executor's tasks are
     * interrupted ({@code shutdownNow}, as at any interrupt of {@code close}), and the kill does not wait
     * for the one that ignores it. Before, each of the three waited on (UninterruptibleWaitsIT printed
     * {@code none} for the phaser, the pool's invoke and two executors).
     */
    @Test
    void aKillEndsAPhaserAwaitAPoolInvokeAndAnExecutorsClose() {
        Procs.run(s, () -> {
            CountDownLatch release = new CountDownLatch(1);
            Phaser phaser = new Phaser(2);
            ForkJoinPool pool = new ForkJoinPool(1);
            ExecutorService executor = Executors.newFixedThreadPool(1);
            AtomicBoolean taskInterrupted = new AtomicBoolean();
            Pid awaiter = spawn(() -> Waits.awaitAdvance(phaser, 0));
            Pid invoker = spawn(() -> Waits.invoke(pool, ForkJoinTask.adapt(() -> ignoringInterrupts(release, new AtomicBoolean()))));
            Pid closer = spawn(() -> {
                executor.submit(() -> ignoringInterrupts(release, taskInterrupted));
                Waits.close(executor);
            });
            Ref a = monitor(awaiter), i = monitor(invoker), c = monitor(closer);
            for (Pid p : List.of(awaiter, invoker, closer)) Procs.untilParked(p);
            for (Pid p : List.of(awaiter, invoker, closer)) exit(p, ExitReason.KILL);
            for (Ref r : List.of(a, i, c)) assertThat(Procs.down(r, Duration.ofSeconds(5)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat(phaser.getPhase()).as("the phase waits for its parties").isZero();
            assertThat(executor.isShutdown()).isTrue();
            Procs.await(Duration.ofSeconds(5), taskInterrupted::get, "the closed executor's task to be interrupted");
            assertThat(executor.isTerminated()).as("its task ignores the interrupt, and the kill did not wait for it").isFalse();
            release.countDown();
            pool.close();
            executor.close();
            assertThat(executor.isTerminated()).isTrue();
        });
    }

    /** {@code awaitAdvance}, {@code invoke} and {@code close} give what the JDK's give, a foreign interrupt of {@code close} included. */
    @Test
    void phaserAwaitPoolInvokeAndCloseGiveWhatTheJdksGive() {
        Procs.run(s, () -> {
            Phaser two = new Phaser(2);
            assertThat(Waits.awaitAdvance(two, 5)).as("another phase: at once").isZero();
            spawn(() -> {
                sleepQuietly(50);
                two.arrive();
            });
            assertThat(Waits.awaitAdvance(two, two.arrive())).isEqualTo(1);
            two.forceTermination();
            assertThat(Waits.awaitAdvance(two, 1)).isNegative();

            ForkJoinPool pool = new ForkJoinPool(2);
            assertThat(Waits.invoke(pool, ForkJoinTask.adapt(() -> {
                sleepQuietly(50);
                return "value";
            }))).isEqualTo("value");
            IllegalStateException boom = new IllegalStateException("boom");
            assertThatThrownBy(() -> Waits.invoke(pool, ForkJoinTask.adapt(() -> {
                sleepQuietly(50);
                throw boom;
            }))).isInstanceOf(IllegalStateException.class).hasMessageContaining("boom");
            pool.close();

            ExecutorService fixed = Executors.newFixedThreadPool(2);
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            for (int k = 0; k < 2; k++) fixed.submit(() -> {
                sleepQuietly(50);
                done.incrementAndGet();
            });
            Waits.close(fixed);
            assertThat(done).as("close waits for the tasks").hasValue(2);
            assertThat(fixed.isTerminated()).isTrue();

            ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
            CountDownLatch never = new CountDownLatch(1);
            AtomicBoolean taskInterrupted = new AtomicBoolean();
            virtual.submit(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    taskInterrupted.set(true);
                }
            });
            Thread me = Thread.currentThread();
            Thread.ofPlatform().start(() -> {
                sleepQuietly(100);
                me.interrupt();
            });
            Waits.close(virtual);
            assertThat(Thread.interrupted()).as("a foreign interrupt is set again, as the JDK's close does").isTrue();
            assertThat(taskInterrupted).as("... after shutdownNow").isTrue();
            assertThat(virtual.isTerminated()).isTrue();

            Waits.close(ForkJoinPool.commonPool());
            assertThat(ForkJoinPool.commonPool().isShutdown()).as("closing the common pool does nothing").isFalse();
        });
    }

    /** Waits for {@code latch}, noting each interrupt in {@code interrupted} and waiting on. */
    static void ignoringInterrupts(CountDownLatch latch, AtomicBoolean interrupted) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }
    }

    /** What {@code join} returns or throws is the future's own, as the JDK's {@code join} gives it. */
    @Test
    void joinGivesTheValueOrTheExceptionAsTheJdksJoinDoes() {
        Procs.run(s, () -> {
            CompletableFuture<String> later = CompletableFuture.supplyAsync(() -> {
                sleepQuietly(50);
                return "value";
            });
            assertThat(Waits.join(later)).isEqualTo("value");

            IllegalStateException boom = new IllegalStateException("boom");
            CompletableFuture<String> failing = CompletableFuture.supplyAsync(() -> {
                sleepQuietly(50);
                throw boom;
            });
            assertThatThrownBy(() -> Waits.join(failing)).isInstanceOf(CompletionException.class).hasCause(boom);

            CompletableFuture<String> cancelled = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> cancelled.cancel(true));
            assertThatThrownBy(() -> Waits.join(cancelled)).isInstanceOf(java.util.concurrent.CancellationException.class);
        });
    }

    /** An exit the process traps is a message: the wait goes on, and ends when the lock comes. */
    @Test
    void aTrappedExitLeavesTheWaitAlone() {
        Procs.run(s, () -> {
            ReentrantLock lock = new ReentrantLock();
            lock.lock();
            Pid tester = self();
            CountDownLatch trapping = new CountDownLatch(1);
            Pid p = spawn(() -> {
                trapExits(true);
                trapping.countDown();
                Waits.lock(lock);
                lock.unlock();
                send(tester, "locked, then " + receive(Exit.class, Duration.ofSeconds(5)).map(e -> e.reason().toString()).orElse("no exit"));
            });
            awaitQuietly(trapping);
            Procs.untilParked(p);
            exit(p, ExitReason.of("please"));
            assertThat(receive(String.class, Duration.ofMillis(300))).isEmpty();
            lock.unlock();
            assertThat(receive(String.class, Duration.ofSeconds(5))).contains("locked, then please");
        });
    }

    /** On a thread that is not a process the calls are the JDK's: an interrupt does not end a lock wait. */
    @Test
    void outsideAProcessTheWaitIsTheJdks() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            Waits.lock(lock);
            interruptedAfter.set(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        Procs.await(Duration.ofSeconds(5), lock::hasQueuedThreads, "the thread to queue for the lock");
        t.interrupt();
        t.join(200);
        assertThat(t.isAlive()).isTrue();
        lock.unlock();
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(interruptedAfter).isTrue();
    }

    /**
     * A subclass whose public methods name a class that is not there at run time (an optional
     * dependency) still locks, acquires and joins, on a plain thread and in a process: the look at whether
     * the subclass overrides the wait ({@code Class.getMethod}) resolves every public method's signature
     * and threw {@code NoClassDefFoundError}, on every call, plain threads' too (found by review).
     */
    @Test
    void aSubclassNamingAMissingClassStillWaitsAsTheJdksDoes() throws Exception {
        ClassLoader hiding = new HidingLoader(UninterruptibleWaitsTest.class.getClassLoader());
        String prefix = UninterruptibleWaitsTest.class.getName() + "$";
        ReentrantLock lock = (ReentrantLock) hiding.loadClass(prefix + "LockWithOptionalApi").getConstructor().newInstance();
        Semaphore semaphore = (Semaphore) hiding.loadClass(prefix + "SemaphoreWithOptionalApi").getConstructor().newInstance();
        Class<?> futures = hiding.loadClass(prefix + "FutureWithOptionalApi");
        assertThatThrownBy(() -> futures.getMethod("isDone")).isInstanceOf(NoClassDefFoundError.class); // the trap is real

        Waits.lock(lock);
        lock.unlock();
        Waits.acquireUninterruptibly(semaphore);
        semaphore.release();
        Procs.run(s, () -> {
            Waits.lock(lock);
            assertThat(lock.isHeldByCurrentThread()).isTrue();
            lock.unlock();
            Waits.acquireUninterruptibly(semaphore, 1);
            semaphore.release();
            try {
                @SuppressWarnings("unchecked")
                CompletableFuture<String> future = (CompletableFuture<String>) futures.getConstructor().newInstance();
                CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> future.complete("done"));
                assertThat(Waits.join(future)).isEqualTo("done");
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** Stands for an optional dependency's class: {@link HidingLoader} does not find it. */
    public static final class OptionalApi {}

    public static class LockWithOptionalApi extends ReentrantLock {
        public void use(OptionalApi api) {}
    }

    public static class SemaphoreWithOptionalApi extends Semaphore {
        public SemaphoreWithOptionalApi() {
            super(1);
        }

        public void use(OptionalApi api) {}
    }

    public static class FutureWithOptionalApi<T> extends CompletableFuture<T> {
        public void use(OptionalApi api) {}
    }

    /** Defines the {@code *WithOptionalApi} classes itself, from the test's class files, and has no {@link OptionalApi}. */
    static final class HidingLoader extends ClassLoader {
        HidingLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(OptionalApi.class.getName())) throw new ClassNotFoundException(name);
            if (!name.endsWith("WithOptionalApi")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c != null) return c;
                try (var in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    byte[] b = in.readAllBytes();
                    return defineClass(name, b, 0, b.length);
                } catch (java.io.IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
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
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
