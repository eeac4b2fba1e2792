package dev.preempt.internal.sched;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What Preempt does when the heap runs out inside a process, a carrier or a scheduler thread.
 *
 * <p>By default ({@code -Dpreempt.oom=exit}, agent option {@code oom=exit}) the JVM ends at once with
 * exit status 3 and a message on stderr, as {@code -XX:+ExitOnOutOfMemoryError} does and as a BEAM node
 * does when an allocation fails. The heap is shared by every process, so an OutOfMemoryError in one says
 * the whole JVM is in trouble, and half-updated state in the others cannot be ruled out. Measured before
 * this existed: a mailbox flood under {@code -Xmx256m} killed a carrier with an OutOfMemoryError thrown
 * from its uncaught-exception handler, {@code main} waited forever, and SIGTERM was lost too (the JVM
 * could not allocate the thread that runs shutdown hooks): only {@code kill -9} ended it.
 *
 * <p>With {@code oom=process} the process that met the error ends with it as its exit reason (links,
 * monitors and supervisors see it), as a plain thread would die of it, and everything else runs on;
 * carriers never die either way.
 *
 * <p>The exit path allocates nothing before its headline is out (see {@link #HEADLINE}); a reserve of
 * heap is dropped so that a detail line may be built; {@code Runtime.halt} skips shutdown hooks (which
 * might need memory, or wait for threads that cannot get any).
 */
final class OutOfMemory {

    /** The exit status, the one {@code -XX:+ExitOnOutOfMemoryError} uses. */
    static final int EXIT_STATUS = 3;

    private static final boolean EXIT = !"process".equalsIgnoreCase(System.getProperty("preempt.oom", "exit"));

    /*
     * Everything the exit path needs exists before the heap runs out: even a string literal is an object
     * the VM creates the first time the code that names it runs (seen: an OutOfMemoryError thrown by the
     * exit path's first println), so the headline is bytes made here and written to stderr's descriptor.
     */
    private static final FileOutputStream STDERR = new FileOutputStream(FileDescriptor.err);
    private static final byte[] HEADLINE = ("[preempt] fatal: OutOfMemoryError inside Preempt's processes; Preempt"
            + " ends the JVM on it (exit status " + EXIT_STATUS + "; the agent option oom=process ends only the"
            + " process instead).\n").getBytes(StandardCharsets.UTF_8);

    /** {@code exiting}: a thread is on the exit path; {@code said}: it has written what it could. */
    private static volatile boolean exiting, said;

    /** Dropped before the detail line is built, so that building it can allocate. */
    @SuppressWarnings("unused")
    private static volatile byte[] reserve = new byte[1 << 20];

    private OutOfMemory() {}

    /**
     * Whether an OutOfMemoryError ends the JVM (the default) rather than only the process. Called when a
     * scheduler is created, so that this class is initialised (and its reserve allocated) while there is
     * memory: initialising it at the moment of an OutOfMemoryError would fail.
     */
    static boolean exits() {
        // Resolve now the classes that check and exit name: the first resolution of a class through the
        // application's loader calls that loader in Java, which allocates (seen: an OutOfMemoryError
        // thrown by check's own instanceof). null is never tested against a class, so pass an object.
        check(new Error("not out of memory"), null, null);
        Runtime.getRuntime();
        return EXIT;
    }

    /**
     * {@code t} reached Preempt's code in {@code where} (a process, a carrier): under the default policy
     * an OutOfMemoryError ends the JVM here; anything else returns.
     */
    static void check(Throwable t, SchedulerCore sched, Object where) {
        if (EXIT && t instanceof OutOfMemoryError) exit(t, sched, where);
    }

    private static void exit(Throwable t, SchedulerCore sched, Object where) {
        // Racy on purpose (two threads may both print): an atomic's first compareAndSet links a VarHandle
        // invoker, which allocates. The first to get here is almost always the only one. A later one lets the
        // first say why before it ends the JVM (up to 2 s; spinning allocates nothing): halting at once, it
        // could end the JVM before the first had written its headline, and once in an it-tests run the JVM
        // ended with status 3 and an empty stderr (ErrorsIT; not seen again in 20 runs by hand).
        if (exiting) {
            long until = System.nanoTime() + 2_000_000_000L;
            while (!said && System.nanoTime() - until < 0) Thread.onSpinWait();
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
        exiting = true;
        reserve = null;
        try {
            STDERR.write(HEADLINE); // a native write of bytes made at start-up: allocates nothing
        } catch (Throwable ignored) {
            // nothing left to say it with: exit anyway
        }
        try {
            String detail = detail(t, sched, where);
            if (detail != null) STDERR.write(detail.getBytes(StandardCharsets.UTF_8));
        } catch (Throwable ignored) {
            // the headline said enough
        }
        said = true;
        Runtime.getRuntime().halt(EXIT_STATUS);
    }

    /** "[preempt]   java.lang.OutOfMemoryError: ... in <where> ...", or null if it cannot be built. */
    private static String detail(Throwable t, SchedulerCore sched, Object where) {
        try {
            return "[preempt]   " + t + " in " + where + " (scheduler " + sched.name() + ")." + largestMailbox(sched) + "\n";
        } catch (Throwable ignored) {
            return null;
        }
    }

    /** " The longest mailbox: <pid> (n messages)." or "" (a mailbox flood is the usual cause). */
    private static String largestMailbox(SchedulerCore sched) {
        try {
            Proc longest = null;
            int most = -1;
            for (Proc p : sched.liveProcesses()) {
                int n = p.mailboxLength();
                if (n > most) {
                    most = n;
                    longest = p;
                }
            }
            return longest == null ? "" : " The longest mailbox: " + longest.pid() + " (" + most + " messages).";
        } catch (Throwable ignored) {
            return "";
        }
    }
}
