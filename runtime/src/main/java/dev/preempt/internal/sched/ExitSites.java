package dev.preempt.internal.sched;

import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;

/**
 * Where at a tick an exit may be thrown, and which JDK wait of a parked process an exit may interrupt.
 * {@link #here}: owner only, it walks the calling process's own stack, and only once an exit has waited
 * past its deadline (a process that reaches no runtime operation, or a clean-up past its grace), at most
 * once a slice or once every {@link #LOOKS_PER_WALK} looks. {@link #parked}: any thread, given the frames
 * of a process kept unmounted ({@code Proc.interruptParked}).
 *
 * <p>A tick inside a library's code may sit between two steps of a shared structure's update: thrown there,
 * an exit acts as {@code Thread.stop}. Seen by helpers: a Caffeine cache bounded at 100 kept 106 to
 * 1,000,000 entries after its fillers were killed (the exit landed inside its write-buffer and eviction code, which
 * also caught it and logged "Exception thrown when submitting maintenance task"), a Lucene
 * {@code IndexWriter} was closed as tragic. A tick in the process's own code sits between calls into the
 * library: thrown there, the exit is what the library is written for, an exception from the caller (or
 * from the caller's callback). So past its deadline an exit is thrown only at:
 * <ol>
 *   <li>a tick of the process's own code: the ticking method's class comes from the same code source
 *       (jar or directory) as the process's entry, the deepest frame on its stack that is neither the
 *       runtime's nor the JDK's (the spawned lambda, the {@code @Process} method, the {@code Server}); or
 *       from a directory of classes (an application's build output: a test in {@code target/test-classes}
 *       that spawns application code in {@code target/classes}); else</li>
 *   <li>any tick, once {@link #IN_LIBRARY_NANOS} more of the process's own time have passed: a process that
 *       never leaves a library's loop still ends.</li>
 * </ol>
 * Never under a class initialiser ({@link Site#INITIALIZER}): an exit escaping it leaves the class unusable
 * for the rest of the JVM. An application shaded into one jar with its libraries is its own code throughout:
 * there the first rule never waits.
 */
final class ExitSites {

    private ExitSites() {}

    /** What the stack of the ticking process says about throwing an exit here. */
    enum Site {
        /** The ticking method is the process's own code (rule 1): throw. */
        OWN,
        /** The ticking method is a library's: throw only past {@link #IN_LIBRARY_NANOS}. */
        LIBRARY,
        /** A class initialiser is on the stack: never throw. */
        INITIALIZER
    }

    /**
     * How much longer than its deadline an exit waits for a tick in the process's own code, counted in the
     * process's own time (the time it sat in a run queue does not count, see {@code Proc.mounting}). Long,
     * because a library's call that lasts is doing work that a kill should not cut, as BEAM waits for a
     * NIF to return: at 1 s (of wall time), a helper's Lucene writer was still closed as tragic in 4 runs
     * of 5, each time by an exit thrown inside a segment flush ({@code Lucene103BlockTreeTermsWriter},
     * {@code MSBRadixSorter}, {@code FixedBitSet.set}) that 4 indexing processes on 2 carriers ran for
     * over a second.
     */
    static final long IN_LIBRARY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    /** A clean-up past its grace ticks often (every tick looks): only every this many looks walks. */
    static final int LOOKS_PER_WALK = 32;

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** A class's code source location as a string, "" for none (the JDK's, most hidden classes of the JDK). */
    private static final ClassValue<String> LOCATION = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> c) {
            ProtectionDomain pd = c.getProtectionDomain();
            CodeSource cs = pd == null ? null : pd.getCodeSource();
            URL u = cs == null ? null : cs.getLocation();
            return u == null ? "" : u.toString();
        }
    };

    private static final String RUNTIME = LOCATION.get(ExitSites.class);

    /**
     * Owner, at a tick, an exit past its deadline: how long to put it off here. A class initialiser on the
     * stack puts it off by {@link Proc#EXIT_AT_TICK_NANOS} (thrown under one, it escapes as an
     * {@code ExceptionInInitializerError} and the class is unusable for the rest of the JVM's life,
     * {@code NoClassDefFoundError: Could not initialize class}: a helper's killed HTTP client left OkHttp so;
     * the initialiser's own ticks never throw, {@code Reductions.tickInInitializer}). A tick in a library's
     * code puts it off to the next look (the next slice's end, the watchdog's next scan) until
     * {@link #IN_LIBRARY_NANOS} after {@code since}.
     *
     * @param since when the exit's deadline passed
     * @return -1 to throw it here, else how long to put it off
     */
    static long putOff(long since) {
        return switch (here()) {
            case OWN -> -1;
            case INITIALIZER -> Proc.EXIT_AT_TICK_NANOS;
            case LIBRARY -> System.nanoTime() - since >= IN_LIBRARY_NANOS ? -1 : 0;
        };
    }

    /**
     * Owner: the site of the tick the calling thread is at (the topmost frame that is neither the runtime's
     * nor the JDK's is the method that ticked).
     *
     * @return where the tick is
     */
    static Site here() {
        return WALKER.walk(frames -> site(frames, false));
    }

    /**
     * Where a parked process waits, from its frames (newest first, read by {@code UnmountedStack} under
     * the process's mount claim), for an exit that would interrupt the wait: {@link Site#OWN} if an
     * interrupt may end it now (a wait in the process's own code, or a socket or pipe read or write
     * anywhere: the JDK's {@code sun.nio.ch} channels, which an interrupt closes, and a library's client
     * takes a closed connection as a broken one). A wait in a library's code is {@link Site#LIBRARY}: an
     * interrupt there is an exception from inside the library, which it may not be written for. H2's
     * {@code MVMap.tryLock} naps between retries and turns the interrupt into a {@code RuntimeException}
     * that leaves its transaction open: a helper's bank, its tellers killed by a supervisor, lost a
     * transaction so in 3 runs of 44 ("An old transaction with the same id is still open").
     *
     * @param frames the parked process's frames, newest first
     * @return where it waits
     */
    static Site parked(java.util.stream.Stream<StackWalker.StackFrame> frames) {
        return site(frames, true);
    }

    private static Site site(java.util.stream.Stream<StackWalker.StackFrame> frames, boolean parked) {
        String top = null, entry = null;
        boolean socket = false;
        for (var it = frames.iterator(); it.hasNext(); ) {
            StackWalker.StackFrame f = it.next();
            if (f.getMethodName().equals("<clinit>")) return Site.INITIALIZER;
            String where = LOCATION.get(f.getDeclaringClass());
            if (where.isEmpty() && top == null && parked && socketWait(f.getClassName())) socket = true;
            if (where.isEmpty() || where.equals(RUNTIME)) continue;
            if (top == null) top = where;
            entry = where;
        }
        return top == null || socket || top.equals(entry) || dev.preempt.internal.CodeSources.isClassesDirectory(top)
                ? Site.OWN : Site.LIBRARY;
    }

    /** Whether a JDK frame above the ticking or waiting method is a socket's or pipe's wait (not a file's). */
    private static boolean socketWait(String jdkClass) {
        return jdkClass.startsWith("sun.nio.ch.") && !jdkClass.startsWith("sun.nio.ch.FileChannelImpl");
    }
}
