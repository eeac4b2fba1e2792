package dev.preempt.agent;

import java.io.IOException;
import java.io.InputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/** Test helpers: a class's bytes, its tree, one of its methods, and a loader that defines rewritten bytes. */
final class TestClasses {

    private TestClasses() {}

    static String internal(Class<?> c) {
        return c.getName().replace('.', '/');
    }

    static byte[] bytes(Class<?> c) throws IOException {
        try (InputStream in = c.getClassLoader().getResourceAsStream(internal(c) + ".class")) {
            return in.readAllBytes();
        }
    }

    static ClassNode node(byte[] b) {
        ClassNode cn = new ClassNode();
        new ClassReader(b).accept(cn, 0);
        return cn;
    }

    static MethodNode method(ClassNode cn, String name) {
        return cn.methods.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    /** Defines one class from bytes, delegating the rest (the hooks) to its parent. */
    static final class DefiningLoader extends ClassLoader {
        DefiningLoader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(String name, byte[] b) {
            return defineClass(name, b, 0, b.length);
        }
    }
}
