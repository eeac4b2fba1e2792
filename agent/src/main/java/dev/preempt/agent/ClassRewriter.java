package dev.preempt.agent;

import java.util.function.Supplier;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.JSRInlinerAdapter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Rewrites one class file: {@code @Process} entry points, then reductions in every method and its calls
 * of waits that ignore interrupts ({@link WaitRewriter}). Returns null
 * when nothing changed. Throws on anything it cannot handle; the transformer then leaves the class as
 * it was. Thread-safe (classes are transformed concurrently, on the threads that load them): per-class
 * state lives in locals; the type-pool cache is locked.
 */
final class ClassRewriter {

    private final ReductionInserter reductions;
    private final ProcessEntryRewriter entries = new ProcessEntryRewriter();
    private final WaitRewriter waits = new WaitRewriter();
    private final Map<ClassLoader, TypePool> pools = new WeakHashMap<>();

    ClassRewriter(int stripMine) {
        this.reductions = new ReductionInserter(stripMine);
    }

    /** Counts for tests and the debug log. */
    record Stats(int methods, int ticks, int stripMined, int processEntries, int waits) {}

    /** A rewritten class and what was done to it; {@code bytes} is null when nothing changed. */
    record Rewritten(byte[] bytes, Stats stats) {}

    byte[] rewrite(byte[] bytes, ClassLoader loader, String name) {
        return rewriteWithStats(bytes, loader, name, false).bytes();
    }

    /** {@code library}: the class comes from a library's jar, not the application's ({@link TickEmitter#forMethod(String, boolean)}). */
    byte[] rewrite(byte[] bytes, ClassLoader loader, String name, boolean library) {
        return rewriteWithStats(bytes, loader, name, library).bytes();
    }

    Rewritten rewriteWithStats(byte[] bytes, ClassLoader loader, String name) {
        return rewriteWithStats(bytes, loader, name, false);
    }

    Rewritten rewriteWithStats(byte[] bytes, ClassLoader loader, String name, boolean library) {
        ClassReader reader = new ClassReader(bytes);
        ClassNode cn = new ClassNode(Opcodes.ASM9);
        reader.accept(cn, 0);
        if (isJfrEvent(cn) || (cn.access & (Opcodes.ACC_MODULE | Opcodes.ACC_ANNOTATION)) != 0) {
            return new Rewritten(null, new Stats(0, 0, 0, 0, 0));
        }
        int version = cn.version & 0xFFFF;
        boolean old = version < Opcodes.V1_6;
        if (old) inlineSubroutines(cn);

        int entriesRewritten = entries.rewrite(cn).size();
        boolean changed = entriesRewritten > 0;
        boolean frames = false;
        int methods = 0, ticks = 0, mined = 0, waitCalls = 0;
        DeclarationsFromPool declarations = new DeclarationsFromPool(() -> pool(loader, name, bytes));
        for (MethodNode m : cn.methods) {
            ReductionInserter.Result r = reductions.instrument(m, version, library);
            int w = waits.rewrite(m, declarations);
            waitCalls += w;
            if (r.changed() || w > 0) {
                changed = true;
                methods++;
                ticks += r.ticks();
                mined += r.stripMined();
                frames |= r.needsFrames();
            }
        }
        Stats stats = new Stats(methods, ticks, mined, entriesRewritten, waitCalls);
        if (!changed) return new Rewritten(null, stats);

        int flags = ClassWriter.COMPUTE_MAXS | (frames && !old ? ClassWriter.COMPUTE_FRAMES : 0);
        ClassWriter writer = new PoolClassWriter(flags, declarations.pool());
        cn.accept(writer);
        byte[] out = writer.toByteArray();
        AgentLog.debug("instrumented " + name.replace('/', '.') + ": " + methods + " methods, " + ticks + " ticks, "
                + mined + " strip-mined loops" + (waitCalls > 0 ? ", " + waitCalls + " waits" : "") + (entriesRewritten > 0 ? ", " + entriesRewritten + " @Process entries" : ""));
        return new Rewritten(out, stats);
    }

    /** Java 5 and older may use jsr/ret; inline them so that the code is plain (no frames are written for these). */
    private static void inlineSubroutines(ClassNode cn) {
        for (int i = 0; i < cn.methods.size(); i++) {
            MethodNode m = cn.methods.get(i);
            JSRInlinerAdapter inliner = new JSRInlinerAdapter(null, m.access, m.name, m.desc, m.signature,
                    m.exceptions.toArray(new String[0]));
            m.accept(inliner);
            MethodNode copy = new MethodNode(Opcodes.ASM9, m.access, m.name, m.desc, m.signature, m.exceptions.toArray(new String[0]));
            inliner.accept(copy);
            cn.methods.set(i, copy);
        }
    }

    /**
     * Answers {@link WaitRewriter.Declarations} from the class files (nothing is loaded), walking the owner's
     * superclasses; the class's type pool (also the frame writer's) is made at its first use. Null when a class in
     * the chain cannot be read: the call is then left as written.
     */
    private static final class DeclarationsFromPool implements WaitRewriter.Declarations {
        private final Supplier<TypePool> make;
        private TypePool pool;

        DeclarationsFromPool(Supplier<TypePool> make) {
            this.make = make;
        }

        /** The class's pool, made once. */
        TypePool pool() {
            if (pool == null) pool = make.get();
            return pool;
        }

        @Override
        public String declaring(String owner, String name, String desc) {
            try {
                TypePool.Resolution r = pool().describe(owner.replace('/', '.'));
                for (TypeDescription t = r.isResolved() ? r.resolve() : null; t != null; ) {
                    if (!t.getDeclaredMethods().filter(ElementMatchers.named(name).and(ElementMatchers.hasDescriptor(desc))).isEmpty()) {
                        return t.getInternalName();
                    }
                    TypeDescription.Generic up = t.getSuperClass();
                    t = up == null ? null : up.asErasure();
                }
            } catch (RuntimeException unreadable) { // Byte Buddy's IllegalStateException for a class it cannot find
                return null;
            }
            return null;
        }
    }

    private static boolean isJfrEvent(ClassNode cn) {
        return "jdk/jfr/Event".equals(cn.superName) || "jdk/internal/event/Event".equals(cn.superName);
    }

    /**
     * A TypePool per loader (cached, weakly), asked first about the class being defined (from its own
     * bytes: it may not be readable through the loader yet).
     */
    private TypePool pool(ClassLoader loader, String name, byte[] bytes) {
        TypePool base;
        synchronized (pools) {
            base = pools.computeIfAbsent(loader, l -> TypePool.Default.of(ClassFileLocator.ForClassLoader.of(l)));
        }
        ClassFileLocator self = ClassFileLocator.Simple.of(name.replace('/', '.'), bytes);
        return new TypePool.Default(new TypePool.CacheProvider.Simple(),
                new ClassFileLocator.Compound(self, ClassFileLocator.ForClassLoader.of(loader)),
                TypePool.Default.ReaderMode.FAST, base);
    }

}
