package dev.preempt.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The JVM calls the transformer from every thread that loads a class, so one {@link ClassRewriter} runs
 * for many classes at once. Each class must come out exactly as it does alone: a {@code <clinit>} that got
 * a plain {@code tick} could try to yield inside a class initialiser (a known VM crash), an ordinary method
 * that got {@code tickInInitializer} would never yield.
 */
class ConcurrentRewriteTest {

    @Test
    void classesRewrittenConcurrentlyComeOutAsTheyDoAlone() throws Exception {
        Map<String, byte[]> originals = new LinkedHashMap<>();
        for (String prefix : List.of("guava-33", "commons-lang3-")) originals.putAll(classesOf(jarOnClassPath(prefix)));
        ClassLoader loader = getClass().getClassLoader();

        Map<String, byte[]> alone = new LinkedHashMap<>();
        ClassRewriter sequential = new ClassRewriter(1000);
        for (Map.Entry<String, byte[]> e : originals.entrySet()) {
            alone.put(e.getKey(), rewriteOrNull(sequential, e.getValue(), loader, e.getKey()));
        }

        ClassRewriter shared = new ClassRewriter(1000);
        List<String> names = new ArrayList<>(originals.keySet());
        int threads = 8;
        CyclicBarrier go = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<String> differ = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> wrongHook = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t * names.size() / threads; // each thread starts elsewhere and goes round once
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((offset + i) % names.size());
                    byte[] out = rewriteOrNull(shared, originals.get(name), loader, name);
                    if (!Arrays.equals(out, alone.get(name))) differ.add(name);
                    if (out != null) wrongHook.addAll(wrongHooks(out));
                }
            }));
        }
        for (Thread w : workers) w.join();
        assertThat(originals).hasSizeGreaterThan(1000);
        assertThat(wrongHook).as("methods with the other kind of tick").isEmpty();
        assertThat(differ).as("classes that came out differently than when rewritten alone").isEmpty();
    }

    private static byte[] rewriteOrNull(ClassRewriter r, byte[] bytes, ClassLoader loader, String name) {
        try {
            return r.rewrite(bytes, loader, name);
        } catch (RuntimeException e) {
            return null; // as the transformer does: the class stays as it was
        }
    }

    /** Methods that call the hook meant for the other kind: tick in a static initialiser, or the reverse. */
    private static List<String> wrongHooks(byte[] classFile) {
        ClassNode cn = new ClassNode(Opcodes.ASM9);
        new ClassReader(classFile).accept(cn, 0);
        List<String> out = new ArrayList<>();
        for (MethodNode m : cn.methods) {
            String expected = m.name.equals("<clinit>") ? "tickInInitializer" : "tick";
            for (var insn : m.instructions) {
                if (insn instanceof MethodInsnNode mi && mi.owner.equals(ReductionInserter.HOOKS) && !mi.name.equals(expected)) {
                    out.add(cn.name + "." + m.name + " calls " + mi.name);
                    break;
                }
            }
        }
        return out;
    }

    private static Map<String, byte[]> classesOf(File jar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (JarFile jf = new JarFile(jar)) {
            for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (!n.endsWith(".class") || n.startsWith("META-INF/") || n.endsWith("module-info.class")) continue;
                try (InputStream in = jf.getInputStream(jf.getEntry(n))) {
                    out.put(n.substring(0, n.length() - 6), in.readAllBytes());
                }
            }
        }
        return out;
    }

    static File jarOnClassPath(String prefix) {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File f = new File(e);
            if (f.getName().startsWith(prefix) && f.getName().endsWith(".jar")) return f;
        }
        throw new AssertionError("no " + prefix + "*.jar on the class path");
    }
}
