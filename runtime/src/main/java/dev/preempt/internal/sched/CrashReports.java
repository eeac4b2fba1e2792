package dev.preempt.internal.sched;

import dev.preempt.ExitReason;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Erlang's error report for a process that crashes: an exception escaped its body. Logged at ERROR
 * through {@link System.Logger} {@code dev.preempt} (so it goes wherever the application's logging goes:
 * java.util.logging by default, SLF4J or Log4j through their {@code System.Logger} bridges), with the pid,
 * the registered name, what the process was started as, and the exception with its stack trace.
 *
 * <p>Which crashes, {@code -Dpreempt.crashReports} (agent option {@code crashreports=}):
 * {@code unseen} (the default) reports a crash that no link or monitor hears of, so a crash is never
 * silent and a supervised one is not reported twice (supervisors report their children's crashes
 * themselves); {@code all} reports every crash; {@code off} none. An exit with a reason given by
 * {@code Preempt.exit}, a kill, or an exit signal from a linked process is not a crash.
 */
final class CrashReports {

    private static final Logger LOG = System.getLogger("dev.preempt");

    /** Which crashes are reported. */
    enum Which { UNSEEN, ALL, OFF }

    static final Which WHICH = which(System.getProperty("preempt.crashReports", "unseen"));

    private CrashReports() {}

    private static Which which(String v) {
        try {
            return Which.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("[preempt] warning: -Dpreempt.crashReports=" + v + " is not one of unseen, all, off; using unseen");
            return Which.UNSEEN;
        }
    }

    /**
     * Inside the ending process: reports it if its reason is a crash that the policy wants told, to the
     * log and to the default uncaught-exception handler if one is set (an error reporter's), on the
     * process's thread, as a thread's uncaught exception would reach it.
     */
    static void processEnded(Proc p, ExitReason reason, boolean seen) {
        if (WHICH == Which.OFF || (WHICH == Which.UNSEEN && seen)) return;
        Throwable t = reason.exceptionCause().orElse(null);
        if (t == null) return;
        try {
            if (LOG.isLoggable(Level.ERROR)) LOG.log(Level.ERROR, describe(p) + " crashed: " + t, t);
        } catch (Throwable ignored) {
            // a failing log must not disturb the exit
        }
        Thread.UncaughtExceptionHandler handler = Thread.getDefaultUncaughtExceptionHandler();
        if (handler == null) return;
        try {
            handler.uncaughtException(Thread.currentThread(), t);
        } catch (Throwable ignored) {
            // the JDK ignores what a handler throws too
        }
    }

    /** "process <0.42.0> ('name', started as com.acme.Worker)". */
    static String describe(Proc p) {
        String name = p.registeredName;
        return "process " + p.pid + " (" + (name != null ? "registered as '" + name + "', " : "")
                + "started as " + p.entryName() + ")";
    }
}
