package dev.preempt.agent;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;
import org.objectweb.asm.ClassWriter;

/**
 * A ClassWriter that answers ASM's "common super class" question for frame computation from Byte
 * Buddy's TypePool, which reads class files through the defining loader without loading any class. (ASM's
 * default loads classes with Class.forName, through the wrong loader and at the worst moment.)
 */
final class PoolClassWriter extends ClassWriter {

    private final TypePool pool;

    PoolClassWriter(int flags, TypePool pool) {
        super(flags);
        this.pool = pool;
    }

    @Override
    protected String getCommonSuperClass(String type1, String type2) {
        TypeDescription a = describe(type1);
        TypeDescription b = describe(type2);
        if (a.isAssignableFrom(b)) return type1;
        if (b.isAssignableFrom(a)) return type2;
        if (a.isInterface() || b.isInterface()) return "java/lang/Object";
        do {
            TypeDescription.Generic sup = a.getSuperClass();
            if (sup == null) return "java/lang/Object";
            a = sup.asErasure();
        } while (!a.isAssignableFrom(b));
        return a.getInternalName();
    }

    private TypeDescription describe(String internalName) {
        TypePool.Resolution r = pool.describe(internalName.replace('/', '.'));
        if (!r.isResolved()) {
            throw new IllegalStateException("cannot find class " + internalName.replace('/', '.')
                    + " to compute stack map frames");
        }
        return r.resolve();
    }
}
