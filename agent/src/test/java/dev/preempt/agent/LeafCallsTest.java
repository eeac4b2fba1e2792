package dev.preempt.agent;

import static dev.preempt.agent.TestClasses.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * A method that calls only JDK leaves ({@code VarHandle}, the atomics, {@code Math}, {@code Object.<init>})
 * gets no tick, so no exit can be thrown between a lock-free structure's reservation and its store (the
 * Caffeine write buffer a killed process left with a slot reserved and never filled); one that calls
 * something that calls back, or application code, keeps its entry tick.
 */
class LeafCallsTest {

    /** The code under rewrite: helpers of the kind lock-free queues are built from. */
    public static final class Helpers {
        static final VarHandle ARRAY = MethodHandles.arrayElementVarHandle(Object[].class);

        public static void soElement(Object[] buffer, int i, Object e) {
            ARRAY.setRelease(buffer, i, e);
        }

        public static int bump(AtomicInteger a) {
            return Math.max(a.incrementAndGet(), 0);
        }

        public static int update(AtomicInteger a) {
            return a.updateAndGet(x -> x + 1); // calls back into the lambda
        }

        public static int calls(AtomicInteger a) {
            return bump(a);
        }
    }

    /** A node whose constructor only calls Object's: no tick. */
    public static final class Node {
        final Object item;

        public Node(Object item) {
            this.item = item;
        }
    }

    @Test
    void methodsCallingOnlyLeavesGetNoTick() throws Exception {
        ClassNode cn = node(new ClassRewriter(1000).rewrite(bytes(Helpers.class), getClass().getClassLoader(), internal(Helpers.class)));
        assertThat(ticks(method(cn, "soElement"))).isZero();
        assertThat(ticks(method(cn, "bump"))).isZero();
        assertThat(ticks(method(cn, "update"))).as("a call that calls back").isEqualTo(1);
        assertThat(ticks(method(cn, "calls"))).as("a call of application code").isEqualTo(1);
    }

    @Test
    void aConstructorThatOnlyCallsObjectsGetsNoTick() throws Exception {
        byte[] rewritten = new ClassRewriter(1000).rewrite(bytes(Node.class), getClass().getClassLoader(), internal(Node.class));
        assertThat(rewritten).as("nothing to rewrite").isNull();
    }

    private static int ticks(MethodNode m) {
        int n = 0;
        for (AbstractInsnNode i = m.instructions.getFirst(); i != null; i = i.getNext()) {
            if (i instanceof MethodInsnNode call && call.owner.equals(ReductionInserter.HOOKS)) n++;
        }
        return n;
    }
}
