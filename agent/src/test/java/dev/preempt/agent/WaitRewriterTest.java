package dev.preempt.agent;

import static dev.preempt.agent.TestClasses.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
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
