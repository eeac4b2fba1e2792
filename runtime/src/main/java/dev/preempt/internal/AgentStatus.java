package dev.preempt.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/** Whether the agent installed itself in this JVM, and the one warning given when it did not. */
public final class AgentStatus {

    private static volatile boolean installed;
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private AgentStatus() {}

    /** Called by the agent's premain. */
    public static void markInstalled() {
        installed = true;
    }

    /**
     * Whether the agent's premain ran in this JVM.
     *
     * @return true under the agent
     */
    public static boolean isInstalled() {
        return installed;
    }

    /** Once per JVM, when the runtime starts without the agent. */
    public static void warnIfAbsent() {
        if (!installed && !Boolean.getBoolean("preempt.quiet") && WARNED.compareAndSet(false, true)) {
            System.err.println("[preempt] warning: running without -javaagent:preempt-agent.jar: code is not"
                    + " preempted (processes yield only in receive, sleep and yield) and @Process methods run as"
                    + " plain calls.");
        }
    }

    /**
     * A hint appended to errors about code that runs outside a process: what would make it one.
     *
     * @return the hint, starting with a space
     */
    public static String hint() {
        return installed
                ? " (to run main as the root process, annotate it with @dev.preempt.Process)"
                : " (@Process methods become processes only under -javaagent:preempt-agent.jar)";
    }
}
