package dev.preempt.agent;

import java.io.IOException;
import java.util.jar.JarFile;

/** The application's main class, from the launcher's command ({@code sun.java.command}), when it can be told. */
final class MainClass {

    private MainClass() {}

    /** Its internal name ({@code com/acme/Main}), or null (a source-file launch, an embedded JVM). */
    static String internalName() {
        String command = System.getProperty("sun.java.command", "").trim();
        if (command.isEmpty()) return null;
        String first = command.split("\\s+", 2)[0];
        if (first.endsWith(".jar")) {
            try (JarFile jar = new JarFile(first)) {
                var manifest = jar.getManifest();
                first = manifest == null ? null : manifest.getMainAttributes().getValue("Main-Class");
            } catch (IOException | SecurityException e) {
                return null;
            }
            if (first == null) return null;
        }
        if (first.endsWith(".java")) return null;
        int slash = first.indexOf('/'); // --module m/c.Main
        if (slash >= 0) first = first.substring(slash + 1);
        return first.replace('.', '/');
    }
}
