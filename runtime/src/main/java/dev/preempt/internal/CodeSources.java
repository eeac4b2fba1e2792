package dev.preempt.internal;

/**
 * What a class's code source location (as {@code CodeSource.getLocation().toString()} gives it) says
 * about whose code the class is. Shared by the runtime's {@code ExitSites} (where an exit may land) and
 * the agent's {@code LibraryClasses} (which tick hook a class gets). Stateless.
 */
public final class CodeSources {

    private CodeSources() {}

    /**
     * Whether {@code location} is a directory of classes: a build's output ({@code file:/app/target/classes/}),
     * or a packaged application's own classes inside its jar (Spring Boot's {@code BOOT-INF/classes},
     * {@code jar:nested:/app.jar/!BOOT-INF/classes/!/} from 3.2 on, {@code jar:file:/app.jar!/BOOT-INF/classes!/}
     * before; a war's {@code WEB-INF/classes}). A jar inside a jar ({@code jar:nested:/app.jar/!BOOT-INF/lib/jackson.jar!/})
     * or a jar's root ({@code jar:file:/x.jar!/}) is not, though its URL ends with a slash too: taken for
     * a directory, a fat jar's libraries counted as the application's own code, and an exit could land
     * inside them.
     *
     * @param location a code source location
     * @return whether it is a directory of classes
     */
    public static boolean isClassesDirectory(String location) {
        if (!location.endsWith("/")) return false;
        if (!location.endsWith("!/")) return true;
        String inner = location.substring(0, location.length() - 2);
        if (inner.endsWith("/")) inner = inner.substring(0, inner.length() - 1);
        return inner.endsWith("/classes"); // BOOT-INF/classes, WEB-INF/classes, after "!" or "!/"
    }
}
