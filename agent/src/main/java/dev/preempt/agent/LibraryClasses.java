package dev.preempt.agent;

import dev.preempt.internal.CodeSources;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;

/**
 * Which rewritten classes are a library's, so that their ticks get {@code Reductions.tickInLibrary}: a
 * class from a jar other than the main class's. A directory of classes (a build's output, a test's
 * classes, a fat jar's {@code BOOT-INF/classes}: {@code CodeSources.isClassesDirectory}) is the
 * application's own, as is a class with no code source, and the main class's jar (an
 * application run with {@code -jar}, or shaded with its libraries into one). It only decides which ticks
 * look at an exit that waits for the process's own code; where the exit may land is the runtime's
 * {@code ExitSites} rule (the process's entry, not the main class), so a wrong guess costs a look,
 * never a wrong landing. Thread-safe: immutable after construction.
 */
final class LibraryClasses {

    /** The main class's code source location, as {@link CodeSource#getLocation()} gives it; null until it loads. */
    private volatile String mainLocation;

    /** Whether a class defined with {@code domain} is a library's. */
    boolean isLibrary(ProtectionDomain domain) {
        String where = location(domain);
        return where != null && !CodeSources.isClassesDirectory(where) && !where.equals(mainLocation);
    }

    /**
     * The main class is being defined with {@code domain}: its jar is the application's. Known no earlier
     * (the agent's {@code premain}, and {@code PreemptLoader} while it becomes the system class loader,
     * cannot ask the system class loader for the class); the launcher loads the main class before the
     * classes it uses.
     */
    void mainLoads(ProtectionDomain domain) {
        mainLocation = location(domain);
    }

    private static String location(ProtectionDomain domain) {
        CodeSource cs = domain == null ? null : domain.getCodeSource();
        URL u = cs == null ? null : cs.getLocation();
        return u == null ? null : u.toString();
    }
}
