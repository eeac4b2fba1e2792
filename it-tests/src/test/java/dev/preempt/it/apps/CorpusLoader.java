package dev.preempt.it.apps;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * {@code CorpusLoader jar...}: loads and initialises every class of the given jars through a fresh
 * class loader (so that the agent, when present, rewrites them all), which makes the VM verify each
 * one. Prints one {@code corpus} summary line and one {@code failed} line per class that did not
 * initialise, with the error's class: a test compares these with and without the agent.
 */
public final class CorpusLoader {

    private CorpusLoader() {}

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String a : args) urls.add(new File(a).toURI().toURL());
        int classes = 0, initialised = 0, verifyErrors = 0;
        TreeSet<String> failed = new TreeSet<>();
        try (URLClassLoader loader = new URLClassLoader("corpus", urls.toArray(new URL[0]),
                CorpusLoader.class.getClassLoader())) {
            for (String a : args) {
                try (JarFile jar = new JarFile(a)) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (!n.endsWith(".class") || n.contains("module-info") || n.contains("package-info")
                                || n.startsWith("META-INF/")) {
                            continue;
                        }
                        String name = n.substring(0, n.length() - 6).replace('/', '.');
                        classes++;
                        try {
                            Class.forName(name, true, loader);
                            initialised++;
                        } catch (VerifyError | ClassFormatError v) {
                            verifyErrors++;
                            failed.add(name + " " + v);
                        } catch (Throwable t) {
                            failed.add(name + " " + t.getClass().getName());
                        }
                    }
                }
            }
        }
        System.out.println("corpus classes=" + classes + " initialised=" + initialised + " verifyErrors=" + verifyErrors);
        for (String f : failed) System.out.println("failed " + f);
    }
}
