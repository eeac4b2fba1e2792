package dev.preempt.agent;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Hands each application class to the {@link ClassRewriter}. A class it cannot rewrite (an exception, a
 * class-file version ASM does not know, a method that would grow past 64 KB, a type it cannot resolve
 * for frames) is loaded unchanged, with one warning naming it; the program goes on.
 */
final class PreemptTransformer implements ClassFileTransformer {

    private final ClassFilter filter;
    private final ClassRewriter rewriter;
    /** The main class's internal name, if known: when it loads with nothing rewritten, the filters are wrong. */
    private final String mainClass;
    private final String filters;
    private final java.util.concurrent.atomic.AtomicInteger rewritten = new java.util.concurrent.atomic.AtomicInteger();
    /** Classes offered that the filters let through, and the nanoseconds spent rewriting them (all threads). */
    private final java.util.concurrent.atomic.LongAdder accepted = new java.util.concurrent.atomic.LongAdder(),
            rewriteNanos = new java.util.concurrent.atomic.LongAdder();
    /** Classes loaded while we rewrite (our own, Byte Buddy's) must not come back in here. */
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();

    /** Rewritten classes kept between runs ({@code cache=DIR}), or null. */
    private final RewriteCache cache;

    /** Read edges from the named modules of rewritten classes to the runtime's. */
    private final ModuleReads reads;

    /** Which classes are a library's, for their ticks' hook. */
    private final LibraryClasses libraries;

    PreemptTransformer(ClassFilter filter, ClassRewriter rewriter, String mainClass, String filters, RewriteCache cache,
            ModuleReads reads) {
        this.cache = cache;
        this.reads = reads;
        this.filter = filter;
        this.rewriter = rewriter;
        this.mainClass = mainClass;
        this.filters = filters;
        this.libraries = new LibraryClasses();
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (classBeingRedefined != null || busy.get() != null) return null;
        if (className != null && className.equals(mainClass)) libraries.mainLoads(protectionDomain); // even if filtered out
        if (!filter.accepts(loader, className)) {
            if (className != null && className.equals(mainClass)) mainLoads(jdkModule(module, loader));
            return null;
        }
        busy.set(Boolean.TRUE);
        long t0 = System.nanoTime();
        accepted.increment();
        try {
            boolean library = libraries.isLibrary(protectionDomain);
            String key = cache != null && RewriteCache.caches(loader) ? cache.key(className, classfileBuffer) + (library ? "-lib" : "") : null;
            byte[] hit = key == null ? null : cache.get(key, classfileBuffer);
            byte[] out;
            if (hit != null) {
                out = hit.length == 0 ? null : hit;
            } else {
                out = rewriter.rewrite(classfileBuffer, loader, className, library);
                if (key != null) cache.put(key, classfileBuffer, out);
            }
            if (out != null) {
                reads.rewrittenIn(module);
                rewritten.incrementAndGet();
            }
            if (className.equals(mainClass)) mainLoads(null);
            return out;
        } catch (Throwable t) {
            String name = className.replace('/', '.');
            AgentLog.warnOnce(name, "cannot instrument " + name + " (" + t + "); it is loaded unchanged and"
                    + " runs without preemption points");
            return null;
        } finally {
            rewriteNanos.add(System.nanoTime() - t0);
            busy.remove();
        }
    }

    /** One line for {@code stats=true}: what was rewritten, and how long the rewriting took in all. */
    String stats() {
        double ms = rewriteNanos.sum() / 1e6;
        return String.format("[preempt] agent stats: %d classes rewritten of %d the filters accepted, %.0f ms spent rewriting"
                + " (summed over loading threads; %.0f classes/s)%s", rewritten.get(), accepted.sum(), ms,
                ms > 0 ? accepted.sum() / (ms / 1e3) : 0.0,
                cache == null ? "" : String.format("; cache: %d read (%d from its pack), %d stored", cache.hits.sum(), cache.packHits.sum(), cache.stores.sum()));
    }

    /**
     * The main class is loading: {@code main} runs next. If no class has been rewritten by now, the
     * options left nothing preemptible (a class given where a package is wanted, a misspelt package):
     * processes would hold their carriers, and {@code @Process main} would be a plain call. Say so.
     */
    private void mainLoads(String jdkModule) {
        if (rewritten.get() > 0) return;
        String main = mainClass.replace('/', '.');
        if (jdkModule != null) { // java -m jdk.compiler/com.sun.tools.javac.Main under the agent: said "it has no code"
            AgentLog.warnOnce("nothing rewritten", "the main class " + main + " is the JDK's own (module " + jdkModule
                    + "), which Preempt does not rewrite; nothing is preemptible and @Process methods run as plain calls");
            return;
        }
        AgentLog.warnOnce("nothing rewritten", "no class had been rewritten when the main class "
                + main + " loaded: " + (filters.isEmpty() ? "it has no code to rewrite" : filters
                + " match none of the classes loaded so far (include and exclude take package prefixes, such as com.acme)")
                + "; nothing is preemptible and @Process methods run as plain calls");
    }

    /**
     * The JDK module a class is loaded into (a named module of the boot or platform loader, or of the
     * boot layer named java.* or jdk.*), else null.
     */
    private static String jdkModule(Module module, ClassLoader loader) {
        if (module == null || !module.isNamed()) return null; // the class path, or -Xbootclasspath/a
        String name = module.getName();
        boolean jdk = loader == null || loader == ClassLoader.getPlatformClassLoader()
                || (module.getLayer() == ModuleLayer.boot() && (name.startsWith("java.") || name.startsWith("jdk.")));
        return jdk ? name : null;
    }
}
