package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.spawnMonitor;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Preempt.Spawned;
import dev.preempt.Process;
import dev.preempt.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Plain JDK waits that ignore interrupts, in plain code, killed: a deadlock on two {@code ReentrantLock}s
 * (one side killed, the other must finish), a supervised worker in that deadlock
 * ({@code terminateChild} must return), {@code Condition.awaitUninterruptibly()},
 * {@code Semaphore.acquireUninterruptibly()} and {@code CompletableFuture.join()} (as method references
 * too, which have no call site in the class: the JDK's lambda factory calls them). Prints one line per
 * case; a kill that does not land within 5 s prints {@code none}.
 */
public final class UninterruptibleWaits {

    private UninterruptibleWaits() {}

    static final Duration WITHIN = Duration.ofSeconds(5);

    @Process
    public static void main(String[] args) {
        deadlock();
        supervisedDeadlock();
        ReentrantLock lock = new ReentrantLock();
        Condition never = lock.newCondition();
        System.out.println("condition reason=" + killed(() -> {
            lock.lock();
            try {
                never.awaitUninterruptibly();
            } finally {
                lock.unlock();
            }
        }) + " lockFree=" + !lock.isLocked());
        Semaphore none = new Semaphore(0);
        System.out.println("semaphore reason=" + killed(none::acquireUninterruptibly));
        java.util.concurrent.locks.StampedLock stamped = new java.util.concurrent.locks.StampedLock();
        long held = stamped.writeLock();
        System.out.println("stamped write=" + killed(stamped::writeLock) + " read=" + killed(() -> stamped.readLock())
                + " view=" + killed(() -> stamped.asWriteLock().lock()));
        stamped.unlockWrite(held);
        System.out.println("unlocked stamped=" + (!stamped.isWriteLocked() && !stamped.isReadLocked()));
        CompletableFuture<String> nobody = new CompletableFuture<>();
        System.out.println("join reason=" + killed(nobody::join) + " lambda=" + killed(() -> nobody.join()));
        forkJoinAndExecutors();
        subclasses();
        System.out.flush();
    }

    /** An application's subclasses of the JDK's lock, semaphore and future, which add nothing to the waits. */
    static final class MyLock extends ReentrantLock {}

    static final class MySemaphore extends Semaphore {
        MySemaphore() {
            super(0);
        }
    }

    static final class MyFuture<T> extends CompletableFuture<T> {}

    static final class MyStampedLock extends java.util.concurrent.locks.StampedLock {}

    static final class MyPhaser extends java.util.concurrent.Phaser {
        MyPhaser() {
            super(2); // the other party never arrives
        }
    }

    /** A lock whose {@code lock()} does more: a kill must not skip what it does. */
    static final class CountingLock extends ReentrantLock {
        final java.util.concurrent.atomic.AtomicInteger locks = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void lock() {
            locks.incrementAndGet();
            super.lock();
        }
    }

    /**
     * The same waits on subclasses, called on the subclass's type ({@code invokevirtual MyLock.lock}) and
     * on the JDK's: before, only the JDK's exact classes were hooked, so neither was killed. An override of
     * {@code lock()} still runs (the kill may land only when its own wait ends: {@code none} then).
     */
    static void subclasses() {
        MyLock mine = new MyLock();
        mine.lock();
        MySemaphore none = new MySemaphore();
        MyFuture<String> never = new MyFuture<>();
        CountingLock counting = new CountingLock();
        counting.lock();
        String asSubclass = killed(() -> mine.lock());
        ReentrantLock asJdk = mine;
        String asJdkType = killed(() -> asJdk.lock());
        String semaphore = killed(() -> none.acquireUninterruptibly());
        String future = killed(() -> never.join());
        MyStampedLock stamped = new MyStampedLock();
        long held = stamped.writeLock();
        String stampedWrite = killed(() -> stamped.writeLock());
        MyPhaser phaser = new MyPhaser();
        String phased = killed(() -> phaser.arriveAndAwaitAdvance());
        stamped.unlockWrite(held);
        int before = counting.locks.get();
        killed(() -> counting.lock());
        System.out.println("subclasses lock=" + asSubclass + " typedAsJdk=" + asJdkType + " semaphore=" + semaphore
                + " future=" + future + " stamped=" + stampedWrite + " phaser=" + phased + " overrideRan=" + (counting.locks.get() == before + 1));
        mine.unlock();
        counting.unlock();
    }

    /**
     * {@code Phaser.awaitAdvance}, {@code ForkJoinPool.invoke}, {@code ForkJoinTask.invokeAll} (its three
     * forms, and unqualified in a subclass) and {@code ExecutorService.close()} (a try-with-resources) while
     * a task ignores interrupts: each waited on after a kill (issue 8's list of what still ignored kills).
     */
    static void forkJoinAndExecutors() {
        Phaser phaser = new Phaser(2);
        CountDownLatch release = new CountDownLatch(1);
        ForkJoinPool pool = new ForkJoinPool(2);
        System.out.println("phaser reason=" + killed(() -> phaser.awaitAdvance(0)) + " phase=" + phaser.getPhase());
        System.out.println("fjinvoke reason=" + killed(() -> pool.invoke(ForkJoinTask.adapt(() -> awaitUninterruptibly(release)))));
        System.out.println("invokeAll pair=" + invokeAllKilled((a, b) -> ForkJoinTask.invokeAll(a, b))
                + " array=" + invokeAllKilled((a, b) -> ForkJoinTask.invokeAll(new ForkJoinTask<?>[] {a, b}))
                + " list=" + invokeAllKilled((a, b) -> ForkJoinTask.invokeAll(List.of(a, b)))
                + " subclass=" + invokeAllKilled((a, b) -> new Both(a, b).invoke()));
        System.out.println("forkJoin subclassJoin=" + joinKilled(t -> t.join()) + " quietlyJoin=" + joinKilled(t -> t.quietlyJoin()));
        System.out.println("invoked completer=" + completerKilled(t -> t.invoke()) + " quietly=" + completerKilled(t -> t.quietlyInvoke()));
        System.out.println("parallel stream=" + parallelKilled(hold -> java.util.stream.IntStream.range(0, 10_000).parallel()
                .mapToLong(i -> {
                    hold.run();
                    return i;
                }).sum()) + " map=" + parallelKilled(hold -> {
                    java.util.concurrent.ConcurrentHashMap<Integer, Integer> m = new java.util.concurrent.ConcurrentHashMap<>();
                    for (int i = 0; i < 10_000; i++) m.put(i, i);
                    m.forEach(1, (k, v) -> hold.run());
                }));
        System.out.println("close virtual=" + killed(() -> {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                ex.submit(() -> awaitUninterruptibly(release));
            }
        }) + " fixed=" + killed(() -> {
            try (ExecutorService ex = Executors.newFixedThreadPool(1)) {
                ex.submit(() -> awaitUninterruptibly(release));
            }
        }));
        release.countDown();
        pool.close();
    }

    /**
     * Kills a process in {@code ForkJoinTask.invokeAll} of two tasks, called as {@code invokeAll}: the
     * first runs in the process until the second has started on a common-pool worker, so the process then
     * waits in the join of a task it cannot run itself (when it could, it ran the second task too, and the
     * kill landed there: the case passed or failed by which thread took the task). Says how it ended, and
     * {@code +worker} if the second task ran on a pool's worker, as it must for the case to mean anything.
     */
    static String invokeAllKilled(java.util.function.BiConsumer<ForkJoinTask<?>, ForkJoinTask<?>> invokeAll) {
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        boolean[] onWorker = {false};
        ForkJoinTask<?> first = ForkJoinTask.adapt(() -> awaitWithin(started));
        ForkJoinTask<?> second = ForkJoinTask.adapt(() -> {
            onWorker[0] = Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread;
            started.countDown();
            awaitUninterruptibly(release);
        });
        String reason = killed(() -> invokeAll.accept(first, second));
        release.countDown(); // the worker is free for the next case
        second.quietlyJoin();
        return reason + (onWorker[0] ? "+worker" : "+caller");
    }

    /**
     * Kills a process in {@code invoke()} (or {@code quietlyInvoke()}) of a {@code CountedCompleter} whose
     * {@code compute} has run in the process and returned, the task still pending on a subtask that a
     * common-pool worker runs: the JDK's {@code invoke} then waits in a join that ignores interrupts.
     */
    static String completerKilled(java.util.function.Consumer<Pending> invoke) {
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        Pending root = new Pending(null, started, release);
        String reason = killed(() -> invoke.accept(root));
        release.countDown();
        return reason + (root.childOnWorker ? "+worker" : "+caller");
    }

    /** A completer that forks one child (on a pool's worker) and completes when that child does. */
    static final class Pending extends java.util.concurrent.CountedCompleter<Void> {
        private final CountDownLatch started, release;
        volatile boolean childOnWorker;

        Pending(Pending parent, CountDownLatch started, CountDownLatch release) {
            super(parent);
            this.started = started;
            this.release = release;
        }

        @Override
        public void compute() {
            if (getCompleter() instanceof Pending parent) { // the child
                parent.childOnWorker = Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread;
                started.countDown();
                awaitUninterruptibly(release);
            } else {
                setPendingCount(1);
                new Pending(this, started, release).fork();
                awaitWithin(started); // a worker took it: the invoke's join cannot run it here
            }
            tryComplete();
        }
    }

    /**
     * Kills a process whose parallel operation ({@code body}, which calls {@code hold} for each element)
     * waits in the JDK's join for an element that a common-pool worker holds until released. Says how it
     * ended, and {@code +worker} if a worker held an element, as it must for the case to mean anything.
     */
    static String parallelKilled(java.util.function.Consumer<Runnable> body) {
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable hold = () -> {
            if (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread) {
                if (!held.getAndSet(true)) awaitUninterruptibly(release);
            } else {
                // the process: its part waits for a worker to take one (it forked the rest before its own part),
                // or it could finish the whole operation itself before the worker wakes (seen: 10,000 entries)
                for (int i = 0; i < 2_000 && !held.get(); i++) Preempt.sleep(1);
            }
        };
        String reason = killed(() -> body.accept(hold));
        release.countDown();
        return reason + (held.get() ? "+worker" : "+caller");
    }

    /**
     * Kills a process in a join of a task of its own class ({@code Slow}: the call site names the
     * subclass, not {@code ForkJoinTask}) or in {@code quietlyJoin}, once a pool's worker runs the task.
     */
    static String joinKilled(java.util.function.Consumer<Slow> join) {
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        Slow task = new Slow(started, release);
        String reason = killed(() -> {
            task.fork();
            awaitWithin(started); // a worker took it: the join cannot run it here
            join.accept(task);
        });
        release.countDown();
        task.quietlyJoin();
        return reason + (task.onWorker ? "+worker" : "+caller");
    }

    /** A task that says it started, then ignores interrupts until released. */
    static final class Slow extends java.util.concurrent.RecursiveTask<String> {
        private final CountDownLatch started, release;
        volatile boolean onWorker;

        Slow(CountDownLatch started, CountDownLatch release) {
            this.started = started;
            this.release = release;
        }

        @Override
        protected String compute() {
            onWorker = Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread;
            started.countDown();
            awaitUninterruptibly(release);
            return "done";
        }
    }

    /** A task whose {@code compute} calls {@code invokeAll} as a subclass does: unqualified. */
    static final class Both extends java.util.concurrent.RecursiveAction {
        private final ForkJoinTask<?> a, b;

        Both(ForkJoinTask<?> a, ForkJoinTask<?> b) {
            this.a = a;
            this.b = b;
        }

        @Override
        protected void compute() {
            invokeAll(a, b);
        }
    }

    static void awaitWithin(CountDownLatch latch) {
        try {
            latch.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A task that ignores interrupts until {@code latch} opens. */
    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Two processes, each holding the lock the other waits for; the first is killed. */
    static void deadlock() {
        Lock a = new ReentrantLock(), b = new ReentrantLock();
        CountDownLatch both = new CountDownLatch(2);
        Pid me = Preempt.self();
        Spawned first = spawnMonitor(() -> holdThenTake(a, b, both, me, "first"));
        Spawned second = spawnMonitor(() -> holdThenTake(b, a, both, me, "second"));
        await(both);
        Preempt.sleep(100); // both in the second lock()
        Preempt.exit(first.pid(), ExitReason.KILL);
        String firstEnd = downOf(first);
        String secondSaid = receive(String.class, WITHIN).orElse("nothing");
        String secondEnd = downOf(second);
        System.out.println("deadlock first=" + firstEnd + " second=" + secondSaid + " secondEnd=" + secondEnd);
    }

    /** A supervised worker in a deadlock with a plain process: terminateChild kills it after its timeout. */
    static void supervisedDeadlock() {
        ReentrantLock a = new ReentrantLock(), b = new ReentrantLock();
        CountDownLatch both = new CountDownLatch(2);
        Pid me = Preempt.self();
        Pid sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(
                Supervisor.ChildSpec.worker("stuck", () -> holdThenTake(a, b, both, me, "worker"))
                        .shutdown(Supervisor.Shutdown.timeout(Duration.ofMillis(200)))));
        Spawned other = spawnMonitor(() -> holdThenTake(b, a, both, me, "other"));
        await(both);
        Preempt.sleep(100);
        long t0 = System.nanoTime();
        Supervisor.terminateChild(sup, "stuck");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String otherSaid = receive(String.class, WITHIN).orElse("nothing");
        System.out.println("supervised terminated=" + (ms < 4_000) + " other=" + otherSaid + " otherEnd=" + downOf(other));
        Preempt.exit(sup, ExitReason.SHUTDOWN);
    }

    static void holdThenTake(Lock mine, Lock theirs, CountDownLatch both, Pid tell, String name) {
        mine.lock();
        try {
            both.countDown();
            await(both);
            theirs.lock();
            try {
                Preempt.send(tell, name + "-done");
            } finally {
                theirs.unlock();
            }
        } finally {
            mine.unlock();
        }
    }

    /** Spawns {@code body}, kills it once it waits, and says how it ended. */
    static String killed(Runnable body) {
        Spawned s = spawnMonitor(body);
        Preempt.sleep(100);
        Preempt.exit(s.pid(), ExitReason.KILL);
        return downOf(s);
    }

    static String downOf(Spawned s) {
        return receive(m -> m instanceof Down d && d.ref().equals(s.ref()), WITHIN)
                .map(m -> ((Down) m).reason().toString()).orElse("none");
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
