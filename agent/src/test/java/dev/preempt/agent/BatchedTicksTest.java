package dev.preempt.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * A back-edge of a loop with no call in it spends its reductions 32 at a time from a counter in a
 * local; a loop that calls keeps a tick per iteration. Either way the rewritten class verifies and
 * computes what the original does.
 */
class BatchedTicksTest {

    /** The code under rewrite. */
    static final class Loops {
        /** A call-free loop of the shape no strip-mining takes (the bound changes in the body). */
        static long callFree(int n) {
            long s = 0;
            int i = 0;
            while (i < n) {
                s += i * 31L;
                if ((s & 7) == 0) n--;
                i++;
            }
            return s;
        }

        /** A dispatch loop: a switch whose cases jump back, no call unless the code is bad. */
        static long dispatch(int[] code) {
            long acc = 0;
            int pc = 0;
            while (true) {
                switch (code[pc]) {
                    case 0 -> { acc += 1; pc++; }
                    case 1 -> { acc *= 3; pc++; }
                    case 2 -> { return acc; }
                    default -> pc = 0;
                }
            }
        }

        /** A loop that calls: a tick at every back-edge. */
        static long calling(int n) {
            long s = 0;
            for (int i = 0; i < n; i = next(i)) s += i;
            return s;
        }

        static int next(int i) {
            return i + 1;
        }
    }

    @Test
    void callFreeLoopsSpendBatchesAndCallingLoopsTickEachIteration() throws Exception {
        byte[] original = bytes(Loops.class);
        byte[] rewritten = new ClassRewriter(1000).rewrite(original, getClass().getClassLoader(), Type.internal(Loops.class));
        ClassNode cn = new ClassNode();
        new ClassReader(rewritten).accept(cn, 0);

        assertThat(hooks(method(cn, "callFree"))).containsExactly("tick()V", "tick(I)V@32");
        List<String> dispatch = hooks(method(cn, "dispatch"));
        assertThat(dispatch).first().isEqualTo("tick()V");
        assertThat(dispatch).filteredOn("tick()V"::equals).as("the entry tick only").hasSize(1);
        assertThat(dispatch).contains("tick(I)V@32");
        assertThat(hooks(method(cn, "calling"))).containsExactly("tick()V", "tick()V");

        Class<?> again = new DefiningLoader(getClass().getClassLoader()).define(Loops.class.getName(), rewritten);
        Method callFree = again.getDeclaredMethod("callFree", int.class);
        Method dispatchAgain = again.getDeclaredMethod("dispatch", int[].class);
        Method calling = again.getDeclaredMethod("calling", int.class);
        for (Method m : List.of(callFree, dispatchAgain, calling)) m.setAccessible(true); // another loader: another package
        for (int n : new int[] {0, 1, 31, 32, 33, 1_000, 100_000}) {
            assertThat(callFree.invoke(null, n)).isEqualTo(Loops.callFree(n));
            assertThat(calling.invoke(null, n)).isEqualTo(Loops.calling(n));
        }
        int[] program = new int[200];
        for (int i = 0; i < program.length - 1; i++) program[i] = i % 5 == 0 ? 1 : 0;
        program[program.length - 1] = 2;
        assertThat(dispatchAgain.invoke(null, (Object) program)).isEqualTo(Loops.dispatch(program));
    }

    /** The hook calls in order; a weighted one with the weight pushed just before it. */
    private static List<String> hooks(MethodNode m) {
        List<String> out = new ArrayList<>();
        for (AbstractInsnNode n = m.instructions.getFirst(); n != null; n = n.getNext()) {
            if (n instanceof MethodInsnNode call && call.owner.equals(ReductionInserter.HOOKS)) {
                String h = call.name + call.desc;
                if (call.desc.equals("(I)V") && call.getPrevious() instanceof IntInsnNode w && w.getOpcode() == Opcodes.BIPUSH) {
                    h += "@" + w.operand;
                }
                out.add(h);
            }
        }
        return out;
    }

    private static MethodNode method(ClassNode cn, String name) {
        return cn.methods.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    private static byte[] bytes(Class<?> c) throws IOException {
        try (InputStream in = c.getClassLoader().getResourceAsStream(Type.internal(c) + ".class")) {
            return in.readAllBytes();
        }
    }

    private static final class Type {
        static String internal(Class<?> c) {
            return c.getName().replace('.', '/');
        }
    }

    /** Defines one class from bytes, delegating the rest (the hooks) to its parent. */
    private static final class DefiningLoader extends ClassLoader {
        DefiningLoader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(String name, byte[] b) {
            return defineClass(name, b, 0, b.length);
        }
    }
}
