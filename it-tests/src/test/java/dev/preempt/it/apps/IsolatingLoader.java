package dev.preempt.it.apps;

import java.io.IOException;
import java.io.InputStream;

/**
 * A class loader that defines one named class itself, from its parent's bytes, and leaves every other
 * class to the parent: a fresh copy of that class, as a second class loader of an application would
 * load it (so the agent rewrites it again, and its static initialiser runs again).
 */
final class IsolatingLoader extends ClassLoader {

    private final String name;

    IsolatingLoader(String name, ClassLoader parent) {
        super("isolated", parent);
        this.name = name;
    }

    @Override
    protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
        if (!n.equals(name)) return super.loadClass(n, resolve);
        synchronized (getClassLoadingLock(n)) {
            Class<?> c = findLoadedClass(n);
            if (c != null) return c;
            try (InputStream in = getParent().getResourceAsStream(n.replace('.', '/') + ".class")) {
                byte[] b = in.readAllBytes();
                return defineClass(n, b, 0, b.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(n, e);
            }
        }
    }
}
