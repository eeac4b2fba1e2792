package dev.preempt.agent;

import static dev.preempt.agent.TestClasses.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Handle;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Calls of the JDK waits that ignore interrupts, and method references to them, point at the runtime's
 * {@code Waits}; a {@code super.lock()} does not; the rewritten class verifies and behaves as before on a
 * plain thread.
 */
class WaitRewriterTest {

    /** The code under rewrite. */
    public static final class Waiting {
        public static void lockIt(ReentrantLock l) {
            l.lock();
        }

        public static void lockInterface(Lock l) {
            l.lock();
        }

        public static Object joinIt(CompletableFuture<String> f) {
            return f.join();
        }

        public static Runnable acquireLater(Semaphore s) {
            return s::acquireUninterruptibly;
        }

        public static Runnable unrelated(Semaphore s) {
            return s::release;
        }

        public static Object joinTask(java.util.concurrent.RecursiveTask<String> t) {
            return t.join();
        }

        public static java.util.function.Supplier<String> joinTaskLater(java.util.concurrent.RecursiveTask<String> t) {
            return t::join;
        }

        public static int arriveAt(java.util.concurrent.Phaser p) {
            return p.arriveAndAwaitAdvance();
        }

        public static int awaitPhase(java.util.concurrent.Phaser p, int phase) {
            return p.awaitAdvance(phase);
        }

        public static Object invokeIn(java.util.concurrent.ForkJoinPool pool, java.util.concurrent.ForkJoinTask<String> t) {
            return pool.invoke(t);
        }

        public static int closeAll(java.util.concurrent.ExecutorService e, java.util.concurrent.ThreadPoolExecutor t,
                java.util.concurrent.ForkJoinPool f) {
            try (e; t; f) {
                return 3;
            }
        }

        public static Runnable closeLater(java.util.concurrent.ThreadPoolExecutor t) {
            return t::close;
        }

        public static Runnable lockLater(ReentrantLock l) {
            return l::lock;
        }

        public static Runnable lockLaterInterface(Lock l) {
            return l::lock;
        }

        public static Runnable readLockLater(ReentrantReadWriteLock.ReadLock l) {
            return l::lock;
        }

        public static Runnable writeLockLater(ReentrantReadWriteLock.WriteLock l) {
            return l::lock;
        }
    }

    /** {@code invokeAll} as a subclass calls it: unqualified, so the owner is the subclass. */
    public static final class Halves extends java.util.concurrent.RecursiveAction {
        final java.util.concurrent.ForkJoinTask<?> a, b;

        public Halves(java.util.concurrent.ForkJoinTask<?> a, java.util.concurrent.ForkJoinTask<?> b) {
            this.a = a;
            this.b = b;
        }

        @Override
        protected void compute() {
            invokeAll(a, b);
        }

        public static void all(java.util.concurrent.ForkJoinTask<?>[] ts) {
            java.util.concurrent.ForkJoinTask.invokeAll(ts);
        }

        public static java.util.Collection<java.util.concurrent.ForkJoinTask<?>> list(List<java.util.concurrent.ForkJoinTask<?>> ts) {
            return invokeAll(ts);
        }

        /** Joins typed as the subclass: the call sites name {@code Halves}. */
        public static Object joinOwn(Halves h) {
            h.fork();
            h.quietlyJoin();
            return h.join();
        }

        /** Invokes, typed as the subclass and as the JDK's class. */
        public static Object invokeOwn(Halves h, java.util.concurrent.ForkJoinTask<?> t) {
            h.quietlyInvoke();
            return t.invoke();
        }

        public static long stamps(java.util.concurrent.locks.StampedLock l) {
            long w = l.writeLock();
            l.unlockWrite(w);
            long r = l.readLock();
            l.unlockRead(r);
            return w == 0 || r == 0 ? 0 : 1;
        }
    }

    /** A class with a static {@code invokeAll} of the JDK's shape, its own: its calls are left alone. */
    public static final class OwnInvokeAll {
        static int calls;

        public static void invokeAll(java.util.concurrent.ForkJoinTask<?> a, java.util.concurrent.ForkJoinTask<?> b) {
            calls++;
        }

        public static void callIt() {
            invokeAll(null, null);
        }
    }

    /** A lock of its own: its {@code super.lock()} is the JDK's, as written. */
    public static final class OwnLock extends ReentrantLock {
        @Override
        public void lock() {
            super.lock();
        }
    }

    @Test
    void waitCallsAndReferencesGoToTheHooksAndStillWork() throws Exception {
        byte[] rewritten = new ClassRewriter(1000).rewrite(bytes(Waiting.class), getClass().getClassLoader(), internal(Waiting.class));
        ClassNode cn = node(rewritten);
        assertThat(waits(method(cn, "lockIt"))).containsExactly("lock(Ljava/util/concurrent/locks/Lock;)V");
        assertThat(waits(method(cn, "lockInterface"))).containsExactly("lock(Ljava/util/concurrent/locks/Lock;)V");
        assertThat(waits(method(cn, "joinIt"))).containsExactly("join(Ljava/util/concurrent/CompletableFuture;)Ljava/lang/Object;");
        assertThat(waits(method(cn, "acquireLater"))).containsExactly("acquireUninterruptibly(Ljava/util/concurrent/Semaphore;)V");
        assertThat(waits(method(cn, "unrelated"))).isEmpty();

        Class<?> again = new TestClasses.DefiningLoader(getClass().getClassLoader()).define(Waiting.class.getName(), rewritten);
        ReentrantLock l = new ReentrantLock();
        again.getMethod("lockIt", ReentrantLock.class).invoke(null, l);
        assertThat(l.isHeldByCurrentThread()).isTrue();
        again.getMethod("lockInterface", Lock.class).invoke(null, l);
        assertThat(l.getHoldCount()).isEqualTo(2);
        assertThat(again.getMethod("joinIt", CompletableFuture.class).invoke(null, CompletableFuture.completedFuture("v"))).isEqualTo("v");
        Semaphore s = new Semaphore(1);
        ((Runnable) again.getMethod("acquireLater", Semaphore.class).invoke(null, s)).run();
        assertThat(s.availablePermits()).isZero();
    }

    /**
     * A captured receiver keeps its exact type: {@code ReentrantLock l; l::lock} pointed at
     * {@code Waits.lock(Lock)} failed at its bootstrap ({@code LambdaConversionException}: "Type mismatch
     * in captured lambda parameter 0"), and so did a read or write lock's; a program that ran without the
     * agent did not start with it.
     */
    @Test
    void aLockReferenceOnAConcreteLockTypeBootstrapsAndLocks() throws Exception {
        byte[] rewritten = new ClassRewriter(1000).rewrite(bytes(Waiting.class), getClass().getClassLoader(), internal(Waiting.class));
        ClassNode cn = node(rewritten);
        assertThat(waits(method(cn, "lockLater"))).containsExactly("lock(Ljava/util/concurrent/locks/Lock;)V");
        assertThat(waits(method(cn, "lockLaterInterface"))).containsExactly("lock(Ljava/util/concurrent/locks/Lock;)V");
        assertThat(waits(method(cn, "joinTask"))).containsExactly("join(Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;");
        assertThat(waits(method(cn, "joinTaskLater"))).containsExactly("join(Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;");
        assertThat(waits(method(cn, "arriveAt"))).containsExactly("arriveAndAwaitAdvance(Ljava/util/concurrent/Phaser;)I");
        Class<?> again = new TestClasses.DefiningLoader(getClass().getClassLoader()).define(Waiting.class.getName(), rewritten);
        ReentrantLock l = new ReentrantLock();
        ((Runnable) again.getMethod("lockLater", ReentrantLock.class).invoke(null, l)).run();
        ((Runnable) again.getMethod("lockLaterInterface", Lock.class).invoke(null, l)).run();
        assertThat(l.getHoldCount()).isEqualTo(2);
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        ((Runnable) again.getMethod("readLockLater", ReentrantReadWriteLock.ReadLock.class).invoke(null, rw.readLock())).run();
        assertThat(rw.getReadHoldCount()).isEqualTo(1);
        java.util.concurrent.RecursiveTask<String> task = new java.util.concurrent.RecursiveTask<>() {
            @Override
            protected String compute() {
                return "computed";
            }
        };
        task.fork();
        @SuppressWarnings("unchecked")
        var later = (java.util.function.Supplier<String>) again.getMethod("joinTaskLater", java.util.concurrent.RecursiveTask.class).invoke(null, task);
        assertThat(later.get()).isEqualTo("computed");
        assertThat(again.getMethod("arriveAt", java.util.concurrent.Phaser.class).invoke(null, new java.util.concurrent.Phaser(1))).isEqualTo(1);
        ((Runnable) again.getMethod("writeLockLater", ReentrantReadWriteLock.WriteLock.class).invoke(null, new ReentrantReadWriteLock().writeLock())).run();
    }

    /**
     * {@code Phaser.awaitAdvance}, {@code ForkJoinPool.invoke} and an executor's {@code close()} (as a
     * try-with-resources compiles it, on the interface and on concrete types, and as a reference) go to
     * the hooks too, and still work on a plain thread.
     */
    @Test
    void phaserPoolAndExecutorWaitsGoToTheHooks() throws Exception {
        byte[] rewritten = new ClassRewriter(1000).rewrite(bytes(Waiting.class), getClass().getClassLoader(), internal(Waiting.class));
        ClassNode cn = node(rewritten);
        assertThat(waits(method(cn, "awaitPhase"))).containsExactly("awaitAdvance(Ljava/util/concurrent/Phaser;I)I");
        assertThat(waits(method(cn, "invokeIn")))
                .containsExactly("invoke(Ljava/util/concurrent/ForkJoinPool;Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;");
        assertThat(waits(method(cn, "closeAll"))).isNotEmpty().allMatch("close(Ljava/util/concurrent/ExecutorService;)V"::equals);
        assertThat(waits(method(cn, "closeLater"))).containsExactly("close(Ljava/util/concurrent/ExecutorService;)V");
        Class<?> again = new TestClasses.DefiningLoader(getClass().getClassLoader()).define(Waiting.class.getName(), rewritten);
        assertThat(again.getMethod("awaitPhase", java.util.concurrent.Phaser.class, int.class).invoke(null, new java.util.concurrent.Phaser(1), 3))
                .isEqualTo(0);
        var pool = new java.util.concurrent.ForkJoinPool(1);
        assertThat(again.getMethod("invokeIn", java.util.concurrent.ForkJoinPool.class, java.util.concurrent.ForkJoinTask.class)
                .invoke(null, pool, java.util.concurrent.ForkJoinTask.adapt(() -> "v"))).isEqualTo("v");
        var e = java.util.concurrent.Executors.newSingleThreadExecutor();
        var t = (java.util.concurrent.ThreadPoolExecutor) java.util.concurrent.Executors.newFixedThreadPool(1);
        assertThat(again.getMethod("closeAll", java.util.concurrent.ExecutorService.class, java.util.concurrent.ThreadPoolExecutor.class,
                java.util.concurrent.ForkJoinPool.class).invoke(null, e, t, pool)).isEqualTo(3);
        assertThat(e.isTerminated() && t.isTerminated() && pool.isTerminated()).isTrue();
        var u = (java.util.concurrent.ThreadPoolExecutor) java.util.concurrent.Executors.newFixedThreadPool(1);
        ((Runnable) again.getMethod("closeLater", java.util.concurrent.ThreadPoolExecutor.class).invoke(null, u)).run();
        assertThat(u.isTerminated()).isTrue();
    }

    /**
     * {@code ForkJoinTask.invokeAll}'s three forms, and {@code join} and {@code quietlyJoin} on a
     * subclass's own type, go to the hooks when the owner is a subclass that inherits them (an unqualified
     * call in {@code compute}) or the JDK's class, and still work on a plain thread; so do
     * {@code StampedLock}'s two locks; a class's own static method of that shape is left alone.
     */
    @Test
    void invokeAllGoesToTheHooksOnAnyOwnerThatInheritsIt() throws Exception {
        byte[] rewritten = new ClassRewriter(1000).rewrite(bytes(Halves.class), getClass().getClassLoader(), internal(Halves.class));
        ClassNode cn = node(rewritten);
        assertThat(waits(method(cn, "compute")))
                .containsExactly("invokeAll(Ljava/util/concurrent/ForkJoinTask;Ljava/util/concurrent/ForkJoinTask;)V");
        assertThat(waits(method(cn, "all"))).containsExactly("invokeAll([Ljava/util/concurrent/ForkJoinTask;)V");
        assertThat(waits(method(cn, "list"))).containsExactly("invokeAll(Ljava/util/Collection;)Ljava/util/Collection;");
        Class<?> again = new TestClasses.DefiningLoader(getClass().getClassLoader()).define(Halves.class.getName(), rewritten);
        var a = java.util.concurrent.ForkJoinTask.adapt(() -> "a");
        var b = java.util.concurrent.ForkJoinTask.adapt(() -> "b");
        var halves = (java.util.concurrent.ForkJoinTask<?>) again.getConstructor(java.util.concurrent.ForkJoinTask.class,
                java.util.concurrent.ForkJoinTask.class).newInstance(a, b);
        halves.invoke();
        assertThat(a.join() + b.join()).isEqualTo("ab");
        var c = java.util.concurrent.ForkJoinTask.adapt(() -> "c");
        var d = java.util.concurrent.ForkJoinTask.adapt(() -> "d");
        again.getMethod("all", java.util.concurrent.ForkJoinTask[].class).invoke(null, (Object) new java.util.concurrent.ForkJoinTask<?>[] {c, d});
        assertThat(c.join() + d.join()).isEqualTo("cd");
        assertThat(waits(method(cn, "joinOwn")))
                .containsExactly("quietlyJoin(Ljava/util/concurrent/ForkJoinTask;)V", "join(Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;");
        assertThat(waits(method(cn, "invokeOwn"))).containsExactly("quietlyInvoke(Ljava/util/concurrent/ForkJoinTask;)V",
                "invoke(Ljava/util/concurrent/ForkJoinTask;)Ljava/lang/Object;");
        var h3 = again.getConstructor(java.util.concurrent.ForkJoinTask.class, java.util.concurrent.ForkJoinTask.class)
                .newInstance(java.util.concurrent.ForkJoinTask.adapt(() -> "h"), java.util.concurrent.ForkJoinTask.adapt(() -> "i"));
        assertThat(again.getMethod("invokeOwn", again, java.util.concurrent.ForkJoinTask.class)
                .invoke(null, h3, java.util.concurrent.ForkJoinTask.adapt(() -> "j"))).isEqualTo("j");
        assertThat(((java.util.concurrent.ForkJoinTask<?>) h3).isDone()).isTrue();
        assertThat(waits(method(cn, "stamps"))).containsExactly("writeLock(Ljava/util/concurrent/locks/StampedLock;)J",
                "readLock(Ljava/util/concurrent/locks/StampedLock;)J");
        var halves2 = again.getConstructor(java.util.concurrent.ForkJoinTask.class, java.util.concurrent.ForkJoinTask.class)
                .newInstance(java.util.concurrent.ForkJoinTask.adapt(() -> "f"), java.util.concurrent.ForkJoinTask.adapt(() -> "g"));
        assertThat(again.getMethod("joinOwn", again).invoke(null, halves2)).isNull(); // a RecursiveAction's join gives null
        assertThat(again.getMethod("stamps", java.util.concurrent.locks.StampedLock.class)
                .invoke(null, new java.util.concurrent.locks.StampedLock())).isEqualTo(1L);
        List<java.util.concurrent.ForkJoinTask<?>> ts = List.of(java.util.concurrent.ForkJoinTask.adapt(() -> "e"));
        assertThat(again.getMethod("list", List.class).invoke(null, ts)).isSameAs(ts);
        assertThat(ts.get(0).isDone()).isTrue();

        byte[] own = new ClassRewriter(1000).rewrite(bytes(OwnInvokeAll.class), getClass().getClassLoader(), internal(OwnInvokeAll.class));
        if (own != null) assertThat(waits(method(node(own), "callIt"))).isEmpty();
    }

    /** Subclasses of the JDK's waits, called on their own types. */
    public static final class OnSubclasses {
        public static final class MyLock extends ReentrantLock {}

        public static final class MySemaphore extends java.util.concurrent.Semaphore {
            public MySemaphore() {
                super(2);
            }
        }

        public static final class MyFuture extends java.util.concurrent.CompletableFuture<String> {}

        public static final class MyPhaser extends java.util.concurrent.Phaser {
            public MyPhaser() {
                super(1);
            }
        }

        public static final class MyStampedLock extends java.util.concurrent.locks.StampedLock {}

        /** A phaser of one party (its arrival is the last, so nothing waits) and a free stamped lock. */
        public static int phasedAndStamped(MyPhaser p, MyStampedLock l) {
            int next = p.arriveAndAwaitAdvance();
            p.awaitAdvance(next - 1); // not the current phase: returns at once
            l.unlockWrite(l.writeLock());
            l.unlockRead(l.readLock());
            return next;
        }

        public static String all(MyLock l, OwnLock own, MySemaphore s, MyFuture f) {
            l.lock();
            l.unlock();
            own.lock(); // declared by OwnLock: left as written
            own.unlock();
            s.acquireUninterruptibly();
            s.acquireUninterruptibly(1);
            return f.join();
        }
    }

    /**
     * A wait called on an application's subclass that inherits it ({@code invokevirtual MyLock.lock}) goes
     * to the wait's hook; one the subclass declares itself (an override) is left alone. Before, only the
     * JDK's owners were matched.
     */
    @Test
    void waitsOnASubclassThatInheritsThemGoToTheHooks() throws Exception {
        byte[] rewritten = new ClassRewriter(1000).rewrite(bytes(OnSubclasses.class), getClass().getClassLoader(),
                internal(OnSubclasses.class));
        assertThat(waits(method(node(rewritten), "all"))).containsExactly("lock(Ljava/util/concurrent/locks/Lock;)V",
                "acquireUninterruptibly(Ljava/util/concurrent/Semaphore;)V",
                "acquireUninterruptibly(Ljava/util/concurrent/Semaphore;I)V",
                "join(Ljava/util/concurrent/CompletableFuture;)Ljava/lang/Object;");
        Class<?> again = new TestClasses.DefiningLoader(getClass().getClassLoader()).define(OnSubclasses.class.getName(), rewritten);
        OnSubclasses.MyFuture f = new OnSubclasses.MyFuture();
        f.complete("done");
        OnSubclasses.MySemaphore sem = new OnSubclasses.MySemaphore();
        assertThat(again.getMethod("all", OnSubclasses.MyLock.class, OwnLock.class, OnSubclasses.MySemaphore.class,
                OnSubclasses.MyFuture.class).invoke(null, new OnSubclasses.MyLock(), new OwnLock(), sem, f)).isEqualTo("done");
        assertThat(sem.availablePermits()).isZero();
        assertThat(waits(method(node(rewritten), "phasedAndStamped"))).containsExactly(
                "arriveAndAwaitAdvance(Ljava/util/concurrent/Phaser;)I", "awaitAdvance(Ljava/util/concurrent/Phaser;I)I",
                "writeLock(Ljava/util/concurrent/locks/StampedLock;)J", "readLock(Ljava/util/concurrent/locks/StampedLock;)J");
        OnSubclasses.MyStampedLock stamped = new OnSubclasses.MyStampedLock();
        assertThat(again.getMethod("phasedAndStamped", OnSubclasses.MyPhaser.class, OnSubclasses.MyStampedLock.class)
                .invoke(null, new OnSubclasses.MyPhaser(), stamped)).isEqualTo(1);
        assertThat(stamped.isWriteLocked() || stamped.isReadLocked()).isFalse();
    }

    @Test
    void aSuperCallIsLeftAsWritten() throws Exception {
        byte[] rewritten = new ClassRewriter(1000).rewrite(bytes(OwnLock.class), getClass().getClassLoader(), internal(OwnLock.class));
        if (rewritten == null) return; // nothing to rewrite at all: left as written
        assertThat(waits(method(node(rewritten), "lock"))).isEmpty();
    }

    /** The Waits hooks a method calls or references, in order. */
    private static List<String> waits(MethodNode m) {
        List<String> out = new ArrayList<>();
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof MethodInsnNode call && call.owner.equals(WaitRewriter.WAITS)) out.add(call.name + call.desc);
            if (n instanceof InvokeDynamicInsnNode indy) {
                for (Object a : indy.bsmArgs) {
                    if (a instanceof Handle h && h.getOwner().equals(WaitRewriter.WAITS)) out.add(h.getName() + h.getDesc());
                }
            }
        }
        return out;
    }
}
