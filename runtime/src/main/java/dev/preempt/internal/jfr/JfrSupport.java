package dev.preempt.internal.jfr;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Installs the JFR layer if it can. This class names no {@code jdk.jfr} type, so the runtime loads it
 * safely on a JVM without the {@code jdk.jfr} module; {@link JfrLayer} is touched only when the
 * module is there. {@code -Dpreempt.jfr=false} skips the layer altogether (for comparison).
 */
public final class JfrSupport {

    private static final Logger LOG = Logger.getLogger("dev.preempt");
    private static boolean tried;
    private static volatile boolean installed;

    private JfrSupport() {}

    /** Called by the scheduler's static initialiser, so before any scheduler exists. Idempotent. */
    public static synchronized void install() {
        if (tried) return;
        tried = true;
        if ("false".equalsIgnoreCase(System.getProperty("preempt.jfr"))) return;
        if (ModuleLayer.boot().findModule("jdk.jfr").isEmpty()) return;
        try {
            JfrLayer.install();
            installed = true;
        } catch (Throwable t) { // a JVM whose recorder cannot start must still run processes
            LOG.log(Level.FINE, "Preempt: JFR events are off", t);
        }
    }

    /**
     * Whether the JFR layer is installed.
     *
     * @return false if JFR could not be set up in this JVM
     */
    public static boolean isInstalled() {
        return installed;
    }
}
