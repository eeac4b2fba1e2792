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
    /** Classes loaded while we rewrite (our own, Byte Buddy's) must not come back in here. */
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();

    PreemptTransformer(ClassFilter filter, ClassRewriter rewriter) {
        this.filter = filter;
        this.rewriter = rewriter;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (classBeingRedefined != null || !filter.accepts(loader, className) || busy.get() != null) return null;
        busy.set(Boolean.TRUE);
        try {
            return rewriter.rewrite(classfileBuffer, loader, className);
        } catch (Throwable t) {
            String name = className.replace('/', '.');
            AgentLog.warnOnce(name, "cannot instrument " + name + " (" + t + "); it is loaded unchanged and"
                    + " runs without preemption points");
            return null;
        } finally {
            busy.remove();
        }
    }
}
