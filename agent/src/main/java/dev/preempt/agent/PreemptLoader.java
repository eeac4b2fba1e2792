package dev.preempt.agent;

import dev.preempt.Preempt;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * Preempt without a JVMTI agent: the application's class loader, rewriting each class as it defines it.
 * Any {@code -javaagent} makes HotSpot send every virtual-thread mount and unmount through JVMTI, and
 * a process switch pays for it (a yield 240 against 167 ns here); this loader does the agent's
 * rewriting with no agent at all. Run with the argument file kept beside the agent's sources:
 *
 * <pre>{@code
 * java @agent/preempt.args -cp agent/target/preempt-agent.jar:app.jar com.acme.Main
 * java @agent/preempt.args -Dpreempt.options=carriers=2,budget=2000 -cp ... com.acme.Main
 * }</pre>
 *
 * The file ({@code agent/preempt.args}) holds {@code -Djava.system.class.loader=dev.preempt.agent.PreemptLoader},
 * the three {@code --add-opens}/{@code --add-exports} flags the agent would otherwise set itself,
 * {@code --add-modules=java.instrument} (this class implements a {@code ClassFileTransformer}'s work, and a
 * program launched with {@code -m} resolves only its own module's graph) and {@code -Xlog:cds=off}; {@code -Dpreempt.options} takes the agent's options, with the same errors for
 * bad ones.
 *
 * <p>How it loads: the JVM makes it the system class loader, with the JDK's application loader as its
 * parent, and the launcher loads the main class through it. It defines every class it finds on the
 * class path itself (child first, so the parent never defines an application class unrewritten), except
 * the JDK's (any package of the boot layer's modules) and Preempt's own runtime and agent, which it
 * leaves to the parent: one copy of each. Each class it defines goes through the agent's transformer,
 * so the filters, the warnings and the {@code @Process} main are the agent's. Classes keep their code
 * source (the jar or directory they came from) and jar manifests their package attributes. Resources
 * are the parent's alone ({@link #findResource}).
 *
 * <p>What it does not cover, where the agent does: classes that another loader defines (a framework's
 * own class loaders, a plugin system, a fat-jar launcher), named modules on the module path, and
 * classes loaded before the loader exists. Signed jars load, but their classes carry no certificates.
 *
 * <p>Thread contract: parallel capable; the JVM and the launcher call it from any thread.
 */
public final class PreemptLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final PreemptTransformer transformer;
    /**
     * The options, until the first class is asked for; then the recording ({@code jfr=FILE}) starts. Not
     * in the constructor: JFR's initialisation needs the system class loader, and while this one is
     * being made asking for it fails (measured: {@code ExceptionInInitializerError}).
     */
    private volatile AgentOptions pending;
    /** Packages the parent must define: every package of the boot layer (the JDK's modules). */
    private final Set<String> jdkPackages;
    /** Each class-path entry's manifest (null for a directory or a jar without one), by its URL. */
    private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
    private static final Manifest NO_MANIFEST = new Manifest();

    /**
     * Called by the JVM when {@code -Djava.system.class.loader} names this class.
     *
     * @param parent the JDK's application class loader
     */
    public PreemptLoader(ClassLoader parent) {
        super(classPath(), parent); // unnamed, as the JDK's own: a named loader shows in every stack trace ("name//")
        AgentOptions options = PreemptAgent.parseOrHalt(System.getProperty("preempt.options"), "-Dpreempt.options value");
        AgentLog.setLevel(options.log());
        requireOpen();
        jdkPackages = ModuleLayer.boot().modules().stream().flatMap(m -> m.getPackages().stream())
                .collect(Collectors.toUnmodifiableSet());
        transformer = PreemptAgent.install(options, new ModuleReads(null, Preempt.class.getModule()));
        pending = options;
        AgentLog.info("loader installed: budget=" + options.budget() + ", stripmine=" + options.stripMine());
    }

    /**
     * The agent opens these itself; without it the command line must. A missing one ends the JVM with
     * the flags to add (the argument file has them all).
     */
    private static void requireOpen() {
        Module base = Object.class.getModule();
        Module runtime = Preempt.class.getModule();
        List<String> missing = new ArrayList<>();
        if (!base.isOpen("java.lang", runtime)) missing.add("--add-opens java.base/java.lang=ALL-UNNAMED");
        if (!base.isOpen("jdk.internal.vm", runtime)) missing.add("--add-opens java.base/jdk.internal.vm=ALL-UNNAMED");
        if (!base.isExported("jdk.internal.misc", runtime)) missing.add("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED");
        if (missing.isEmpty()) return;
        System.err.println("[preempt] error: -Djava.system.class.loader=" + PreemptLoader.class.getName() + " needs "
                + String.join(" ", missing) + " (all of them are in agent/preempt.args: java @preempt.args ...)");
        System.err.flush();
        Runtime.getRuntime().halt(2);
    }

    private static URL[] classPath() {
        String cp = System.getProperty("java.class.path", "");
        List<URL> urls = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            try {
                urls.add(new File(entry).toURI().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("class path entry " + entry + ": " + e.getMessage(), e);
            }
        }
        return urls.toArray(URL[]::new);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (pending != null) startRecordingOnce();
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (parentDefines(name)) {
                    c = getParent().loadClass(name);
                } else {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException notOnClassPath) {
                        c = getParent().loadClass(name);
                    }
                }
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }

    private void startRecordingOnce() {
        try {
            if (ClassLoader.getSystemClassLoader() != this) return;
        } catch (IllegalStateException stillBeingMade) {
            return; // asked while the JVM makes this loader: the next request starts it
        }
        AgentOptions o;
        synchronized (this) {
            o = pending;
            pending = null;
        }
        if (o != null) PreemptAgent.startRecording(o);
    }

    /** The JDK's classes and Preempt's runtime and agent: the parent's, so that there is one copy of each. */
    private boolean parentDefines(String name) {
        int dot = name.lastIndexOf('.');
        String pkg = dot < 0 ? "" : name.substring(0, dot);
        if (jdkPackages.contains(pkg)) return true;
        return pkg.equals("dev.preempt") || pkg.startsWith("dev.preempt.internal") || pkg.startsWith("dev.preempt.agent");
    }

    /**
     * Resources are the parent's alone: it has the same class path, and answering here too made
     * {@code getResources} list each one twice (every jar's manifest, every {@code META-INF/services}
     * file), which a framework that reads them all would act on twice.
     */
    @Override
    public URL findResource(String name) {
        return null;
    }

    /** See {@link #findResource}: the parent's answer is the whole answer. */
    @Override
    public Enumeration<URL> findResources(String name) {
        return Collections.emptyEnumeration();
    }

    /**
     * A resource of this loader's unnamed module. {@link Module#getResourceAsStream} on a class this
     * loader defined asks here ({@code findResource(null, name)}) and not the parent, and the JDK's
     * default answers with {@link #findResource(String)}, null above: Kotlin's reflection, which reads
     * its built-ins that way ({@code kotlin/kotlin.kotlin_builtins}, in its multi-release jar's Java 9
     * {@code BuiltInsResourceLoader}), failed with "Built-in class kotlin.Any is not found". The JDK's
     * application loader answers for its unnamed module from the class path, which is this loader's
     * own, so this answers the same. {@code getResource} and {@code getResources} never come here: they
     * still list each resource once.
     */
    @Override
    protected URL findResource(String moduleName, String name) throws IOException {
        return moduleName == null ? super.findResource(name) : null;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = name.replace('.', '/') + ".class";
        URL url = super.findResource(path); // on this loader's own class path, for the bytes
        if (url == null) throw new ClassNotFoundException(name);
        byte[] bytes;
        String base;
        Manifest manifest;
        try {
            URLConnection conn = url.openConnection();
            base = entryOf(url, path);
            manifest = conn instanceof JarURLConnection jar ? manifest(base, jar) : null;
            try (InputStream in = conn.getInputStream()) {
                bytes = in.readAllBytes();
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ClassNotFoundException(name + " (reading " + url + ": " + e + ")", e);
        }
        URL codeBase;
        try {
            codeBase = new URL(base);
        } catch (MalformedURLException e) {
            throw new ClassNotFoundException(name, e);
        }
        definePackageOf(name, manifest, codeBase);
        ProtectionDomain domain = new ProtectionDomain(new CodeSource(codeBase, (Certificate[]) null), null, this, null);
        byte[] out = transformer.transform(null, this, name.replace('.', '/'), null, domain, bytes);
        byte[] b = out != null ? out : bytes;
        return defineClass(name, b, 0, b.length, domain);
    }

    /** The class-path entry a resource came from: {@code file:/a.jar} for {@code jar:file:/a.jar!/x/Y.class}. */
    private static String entryOf(URL url, String path) {
        String s = url.toString();
        if (s.startsWith("jar:")) return s.substring(4, s.indexOf("!/"));
        return s.substring(0, s.length() - path.length());
    }

    private Manifest manifest(String base, JarURLConnection jar) {
        Manifest m = manifests.computeIfAbsent(base, b -> {
            try {
                Manifest found = jar.getManifest();
                return found == null ? NO_MANIFEST : found;
            } catch (IOException e) {
                return NO_MANIFEST;
            }
        });
        return m == NO_MANIFEST ? null : m;
    }

    private void definePackageOf(String className, Manifest manifest, URL codeBase) {
        int dot = className.lastIndexOf('.');
        if (dot < 0) return;
        String pkg = className.substring(0, dot);
        if (getDefinedPackage(pkg) != null) return;
        try {
            if (manifest != null) {
                definePackage(pkg, manifest, codeBase);
            } else {
                definePackage(pkg, null, null, null, null, null, null, null);
            }
        } catch (IllegalArgumentException definedMeanwhile) {
            // another thread defined it first: the same package
        }
    }
}
