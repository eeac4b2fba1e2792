package dev.preempt.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.BasicVerifier;

/**
 * Every class of two real libraries, rewritten by the agent's {@link ClassRewriter}, passes ASM's
 * analyzer (types on the stack and in locals agree at every instruction). The it-tests load the same
 * classes through the agent in a JVM, which verifies the stack map frames too.
 */
class VerificationCorpusTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"guava-33", "commons-lang3-"})
    void everyRewrittenClassPassesTheAnalyzer(String jarPrefix) throws IOException {
        File jar = jarOnClassPath(jarPrefix);
        ClassRewriter rewriter = new ClassRewriter(1000);
        ClassLoader loader = getClass().getClassLoader();
        int classes = 0, rewritten = 0, ticks = 0, mined = 0, waits = 0;
        List<String> failures = new ArrayList<>();
        try (JarFile jf = new JarFile(jar)) {
            for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String n = entry.getName();
                if (!n.endsWith(".class") || n.startsWith("META-INF/") || n.endsWith("module-info.class")) continue;
                byte[] original;
                try (InputStream in = jf.getInputStream(entry)) {
                    original = in.readAllBytes();
                }
                String name = n.substring(0, n.length() - 6);
                classes++;
                ClassRewriter.Rewritten result;
                try {
                    result = rewriter.rewriteWithStats(original, loader, name);
                } catch (RuntimeException ex) {
                    failures.add(name + ": rewriter threw " + ex);
                    continue;
                }
                byte[] out = result.bytes();
                if (out == null) continue;
                rewritten++;
                ticks += result.stats().ticks();
                mined += result.stats().stripMined();
                waits += result.stats().waits();
                ClassNode cn = new ClassNode(Opcodes.ASM9);
                new ClassReader(out).accept(cn, 0);
                for (MethodNode m : cn.methods) {
                    try {
                        new Analyzer<BasicValue>(new BasicVerifier()).analyze(cn.name, m);
                    } catch (AnalyzerException ex) {
                        failures.add(name + "." + m.name + m.desc + ": " + ex.getMessage());
                    }
                }
            }
        }
        System.out.printf("%s: %d classes, %d rewritten, %d ticks, %d strip-mined loops, %d waits%n", jar.getName(), classes,
                rewritten, ticks, mined, waits);
        assertThat(failures).isEmpty();
        assertThat(classes).isGreaterThan(300);
        assertThat(rewritten).as("classes with code that can run long").isGreaterThan(classes / 2);
        assertThat(mined).as("some counted loops are strip-mined").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"guava-33"})
    void rewrittenCodeCallsTheTickHook(String jarPrefix) throws IOException {
        File jar = jarOnClassPath(jarPrefix);
        try (JarFile jf = new JarFile(jar); InputStream in = jf.getInputStream(jf.getEntry("com/google/common/collect/Lists.class"))) {
            byte[] out = new ClassRewriter(1000).rewrite(in.readAllBytes(), getClass().getClassLoader(), "com/google/common/collect/Lists");
            ClassNode cn = new ClassNode(Opcodes.ASM9);
            new ClassReader(out).accept(cn, 0);
            long hooks = cn.methods.stream().flatMap(m -> java.util.Arrays.stream(m.instructions.toArray()))
                    .filter(i -> i instanceof MethodInsnNode mi && mi.owner.equals(ReductionInserter.HOOKS)).count();
            assertThat(hooks).isGreaterThan(10);
        }
    }

    private static File jarOnClassPath(String prefix) {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File f = new File(e);
            if (f.getName().startsWith(prefix) && f.getName().endsWith(".jar")) return f;
        }
        throw new AssertionError("no " + prefix + "*.jar on the class path");
    }
}
