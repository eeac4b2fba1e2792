package dev.preempt.it.apps;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * {@code CorpusLoader [--threads N] jar...}: loads and initialises every class of the given jars through a
 * fresh class loader (so that the agent, when present, rewrites them all), which makes the VM verify
 * each one. Prints one {@code corpus} summary line and one {@code failed} line per class that did not
 * initialise, with the error's class: a test compares these with and without the agent. With
 * {@code --threads N} the classes are loaded by N threads at once, each taking every Nth class, so the
 * agent transforms many classes concurrently; they are then not initialised (concurrent initialisation
 * in arbitrary order deadlocks Guava's static initialisers on their own, agent or not).
 */
public final class CorpusLoader {

    private CorpusLoader() {}

    public static void main(String[] args) throws Exception {
        int threads = 1;
        List<String> jars = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads")) threads = Integer.parseInt(args[++i]);
            else jars.add(args[i]);
        }
        List<URL> urls = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String a : jars) {
            urls.add(new File(a).toURI().toURL());
            try (JarFile jar = new JarFile(a)) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String n = e.nextElement().getName();
                    if (!n.endsWith(".class") || n.contains("module-info") || n.contains("package-info")
                            || n.startsWith("META-INF/")) {
                        continue;
                    }
                    names.add(n.substring(0, n.length() - 6).replace('/', '.'));
                }
            }
        }
        AtomicInteger initialised = new AtomicInteger(), verifyErrors = new AtomicInteger();
        Set<String> failed = new ConcurrentSkipListSet<>();
        try (URLClassLoader loader = new URLClassLoader("corpus", urls.toArray(new URL[0]),
                CorpusLoader.class.getClassLoader())) {
            List<Thread> loaders = new ArrayList<>();
            int n = threads;
            boolean initialise = threads == 1;
            for (int t = 0; t < n; t++) {
                int first = t;
                loaders.add(Thread.ofPlatform().start(() -> {
                    for (int i = first; i < names.size(); i += n) {
                        String name = names.get(i);
                        try {
                            Class.forName(name, initialise, loader);
                            initialised.incrementAndGet();
                        } catch (VerifyError | ClassFormatError v) {
                            verifyErrors.incrementAndGet();
                            failed.add(name + " " + v);
                        } catch (Throwable x) {
                            failed.add(name + " " + x.getClass().getName());
                        }
                    }
                }));
            }
            for (Thread t : loaders) t.join();
        }
        int classes = names.size();
        System.out.println("corpus classes=" + classes + " initialised=" + initialised + " verifyErrors=" + verifyErrors);
        for (String f : failed) System.out.println("failed " + f);
    }
}
