package dev.preempt;

import static dev.preempt.Preempt.exit;
import static dev.preempt.Preempt.monitor;
import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preempt.internal.hooks.Reductions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An exit thrown at a tick, because the process reached no runtime operation by its deadline, lands in
 * the process's own code, not inside a library it called ({@code ExitSites}): a library is a class from
 * a jar other than the one of the process's entry. Before, it landed at whatever tick came first, inside
 * the library's update (a helper's Caffeine cache bounded at 100 kept 118 to 67,000 entries after its
 * fillers were killed; {@code KillSafetyIT}).
 */
class KillSitesTest {

    private final Scheduler s = Procs.twoCarriers();

    @AfterEach
    void close() {
        s.close();
    }

    @Test
    void anExitPastItsDeadlineLandsBetweenTheLibrarysCallsNotInsideOne() throws Exception {
        Class<?> library = fromAJar();
        Method step = library.getMethod("step");
        killLoopsOfSteps(library, step, 5);
        assertThat(stepsCut(library)).as("steps cut in half by a kill").isZero();
    }

    /**
     * A kill of a process that loops around a long library call lands at the first tick of its own code
     * after the call returns: past the exit's deadline a library's tick puts the exit off, and from then
     * its own code's ticks look ({@code Proc.ownTickWanted}). Before, the exit was looked at only at a
     * slice's end, which in such a loop fell inside the library nearly every time: a helper's loop around
     * a Jackson parse took 0.2-3.9 s from its kill to its Down, and once {@code ExitSites.IN_LIBRARY_NANOS}
     * had passed, the exit was thrown inside the library after all (here: about 5 s, and steps cut).
     */
    @Test
    void aKillOfALoopAroundALongLibraryCallLandsAtItsOwnCodesNextTick() throws Exception {
        Class<?> library = fromAJar();
        long worstMs = killLoopsOfSteps(library, library.getMethod("longStep"), 300);
        assertThat(worstMs).as("the longest from a kill to its Down (the library's window is 5 s)").isLessThan(2_000);
        assertThat(stepsCut(library)).as("steps cut in half by a kill").isZero();
    }

    /**
     * A kill of a process parked on a lock inside a library's code waits for the lock and lands once the
     * library returns ({@code Waits.lock}). Before, the interrupt made the rewritten {@code lock()} throw
     * the exit there and then, between the library's two steps: a helper's Lucene writer lost its
     * {@code DocumentsWriterPerThread}'s state so, and H2 its connection's.
     */
    @Test
    void aKillOfAProcessWaitingForALockInALibraryLandsAfterTheLibraryReturns() throws Exception {
        Class<?> library = fromAJar();
        Method lockedStep = library.getMethod("lockedStep", ReentrantLock.class);
        ReentrantLock lock = new ReentrantLock();
        Procs.run(s, () -> {
            Pid tester = self();
            for (int round = 0; round < 3; round++) {
                lock.lock();
                Pid worker = spawn(() -> {
                    send(tester, Boolean.TRUE);
                    invoke(lockedStep, lock);
                    while (true) Reductions.tick(); // its own code
                });
                Ref r = monitor(worker);
                receive(m -> m == Boolean.TRUE);
                Procs.await(Duration.ofSeconds(10), lock::hasQueuedThreads, "the worker waits for the lock");
                exit(worker, ExitReason.KILL);
                Preempt.sleep(50);
                lock.unlock();
                assertThat(Procs.down(r, Duration.ofSeconds(10)).reason()).isEqualTo(ExitReason.KILLED);
            }
        });
        assertThat(library.getField("out").getLong(null)).as("steps begun").isEqualTo(3);
        assertThat(stepsCut(library)).as("steps cut at the lock by a kill").isZero();
    }

    /**
     * A kill of a process parked in a JDK wait inside a library's code does not interrupt that wait: the
     * wait ends by itself and the exit lands once the process is back in its own code. Before, the kill
     * interrupted the library's {@code Thread.sleep}, and the library's step failed half done: a helper's
     * H2 bank, its tellers killed by their supervisor, lost a transaction in {@code MVMap.tryLock}'s
     * retry nap ({@code RuntimeException} wrapping the {@code InterruptedException}, "An old transaction
     * with the same id is still open"), in 3 runs of 44.
     */
    @Test
    void aKillOfAProcessParkedInALibrarysWaitLetsTheWaitEnd() throws Exception {
        Class<?> library = fromAJar();
        Method sleepyStep = library.getMethod("sleepyStep");
        killLoopsOfSteps(library, sleepyStep, 30);
        assertThat(stepsCut(library)).as("steps cut at the library's nap by a kill").isZero();
    }

    /**
     * A library's wait that never ends is interrupted once the library's window is over: the process
     * still ends. A socket read inside a library is interrupted at once (the interrupt closes the
     * socket, which a library handles as a broken connection), as is a wait in the process's own code.
     */
    @Test
    void aLibrarysEndlessWaitIsInterruptedAfterItsWindowASocketReadAtOnce() throws Exception {
        Class<?> library = fromAJar();
        Method awaitForever = library.getMethod("awaitForever");
        Method readOne = library.getMethod("readOne", InputStream.class);
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Procs.run(s, () -> {
                Pid tester = self();
                Pid waiter = spawn(() -> {
                    send(tester, Boolean.TRUE);
                    invoke(awaitForever);
                });
                Pid reader = spawn(() -> {
                    try (java.net.Socket socket = new java.net.Socket(server.getInetAddress(), server.getLocalPort())) {
                        send(tester, Boolean.TRUE);
                        invoke(readOne, socket.getInputStream());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                Ref rw = monitor(waiter), rr = monitor(reader);
                receive(m -> m == Boolean.TRUE);
                receive(m -> m == Boolean.TRUE);
                Preempt.sleep(50);
                long t0 = System.nanoTime();
                exit(reader, ExitReason.KILL);
                assertThat(Procs.down(rr, Duration.ofSeconds(10)).reason()).isEqualTo(ExitReason.KILLED);
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to the reader's Down").isLessThan(2_000);
                t0 = System.nanoTime();
                exit(waiter, ExitReason.KILL);
                assertThat(Procs.down(rw, Duration.ofSeconds(20)).reason()).isEqualTo(ExitReason.KILLED);
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to the waiter's Down").isGreaterThanOrEqualTo(1_000);
            });
        }
    }

    /**
     * A kill does not interrupt a process that runs: an interrupt closes an interruptible channel the
     * process (or a library it is in) uses next, as Lucene's {@code write.lock} was closed by a kill
     * (ClosedByInterruptException). Only a process parked in a JDK wait is interrupted.
     */
    @Test
    void aKillDoesNotInterruptAProcessThatRuns() throws Exception {
        Path file = Files.createTempFile("kill-sites", ".bin");
        AtomicBoolean interrupted = new AtomicBoolean();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Procs.run(s, () -> {
                Pid tester = self();
                for (int round = 0; round < 3; round++) {
                    Pid worker = spawn(() -> {
                        send(tester, Boolean.TRUE);
                        while (true) {
                            Reductions.tick();
                            if (Thread.currentThread().isInterrupted()) interrupted.set(true);
                            try {
                                channel.size();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                    });
                    Ref r = monitor(worker);
                    receive(m -> m == Boolean.TRUE);
                    Preempt.sleep(5);
                    exit(worker, ExitReason.KILL);
                    assertThat(Procs.down(r, Duration.ofSeconds(10)).reason()).isEqualTo(ExitReason.KILLED);
                }
            });
            assertThat(interrupted).as("a running process saw its interrupt status set").isFalse();
            assertThat(channel.isOpen()).as("the channel the killed processes used").isTrue();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A killed process that parks again and again inside a library (a loop of naps that swallows the
     * interrupt) is interrupted by one pending task at a time, on threads apart from the pool behind
     * {@code Preempt.blocking}. Before, each slice that ended in a nap queued another delayed interrupt
     * on that pool, each parked for longer: a helper's killed process in Logback's lock filled all 256
     * threads within half a second, and unrelated processes' {@code blocking} calls waited 0.3-10 s.
     */
    @Test
    void aKilledProcessThatKeepsParkingInALibraryTakesNoBlockingThreads() throws Exception {
        Method nap = fromAJar().getMethod("napForever");
        Procs.run(s, () -> {
            Pid tester = self();
            Pid napper = spawn(() -> {
                send(tester, Boolean.TRUE);
                invoke(nap);
            });
            Ref r = monitor(napper);
            receive(m -> m == Boolean.TRUE);
            exit(napper, ExitReason.KILL);
            Preempt.sleep(1_000);
            long blockingThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("preempt-blocking-")).count();
            assertThat(blockingThreads).as("threads of the blocking pool, none of them asked for").isLessThan(8);
            long t0 = System.nanoTime();
            assertThat((int) Preempt.blocking(() -> 42)).isEqualTo(42);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for a blocking call beside it").isLessThan(500);
            assertThat(Procs.down(r, Duration.ofSeconds(20)).reason()).isEqualTo(ExitReason.KILLED);
        });
    }

    /** A process that never leaves the library's loop still ends, the library's window (5 s of its own time) after the deadline. */
    @Test
    void aProcessThatNeverLeavesALibrarysLoopStillEnds() throws Exception {
        Method spin = fromAJar().getMethod("spin");
        Procs.run(s, () -> {
            Pid tester = self();
            Pid spinner = spawn(() -> {
                send(tester, Boolean.TRUE);
                invoke(spin);
            });
            Ref r = monitor(spinner);
            receive(m -> m == Boolean.TRUE);
            long t0 = System.nanoTime();
            exit(spinner, ExitReason.KILL);
            assertThat(Procs.down(r, Duration.ofSeconds(20)).reason()).isEqualTo(ExitReason.KILLED);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to the Down").isGreaterThanOrEqualTo(1_000);
        });
    }

    /**
     * Five rounds: a worker whose own loop calls {@code step} for good (one tick of its own a call), killed
     * {@code afterMs} after it began. Returns the longest time from a kill to its Down, in milliseconds.
     */
    private long killLoopsOfSteps(Class<?> library, Method step, long afterMs) throws Exception {
        long[] worst = {0};
        Procs.run(s, () -> {
            Pid tester = self();
            for (int round = 0; round < 5; round++) {
                Pid worker = spawn(() -> {
                    send(tester, Boolean.TRUE);
                    while (true) {
                        Reductions.tick(); // the own loop's back-edge
                        invoke(step);
                    }
                });
                Ref r = monitor(worker);
                receive(m -> m == Boolean.TRUE);
                Preempt.sleep(afterMs);
                long t0 = System.nanoTime();
                exit(worker, ExitReason.KILL);
                assertThat(Procs.down(r, Duration.ofSeconds(10)).reason()).isEqualTo(ExitReason.KILLED);
                worst[0] = Math.max(worst[0], (System.nanoTime() - t0) / 1_000_000);
            }
        });
        assertThat(library.getField("in").getLong(null)).as("steps done").isPositive();
        return worst[0];
    }

    /** The library's steps begun and not finished. */
    private static long stepsCut(Class<?> library) throws ReflectiveOperationException {
        return library.getField("out").getLong(null) - library.getField("in").getLong(null);
    }

    private static void invoke(Method m, Object... args) {
        try {
            m.invoke(null, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new AssertionError(e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A library in a Spring Boot fat jar ({@code jar:nested:/app.jar/!BOOT-INF/lib/ledger.jar!/}) is a
     * library too: its URL ends with a slash, and it was taken for a directory of the application's
     * classes, so a kill cut its steps as it cut every library's before the own-code rule.
     */
    @Test
    void aLibraryInsideAFatJarIsALibrary() throws Exception {
        Class<?> library = fromAJar("jar:nested:/opt/app/app.jar/!BOOT-INF/lib/ledger-1.0.jar!/");
        killLoopsOfSteps(library, library.getMethod("step"), 5);
        assertThat(stepsCut(library)).as("steps cut in half by a kill").isZero();
    }

    /** {@code dev.preempt.lib.LedgerLibrary} defined again, under the code source of a jar, as a library's classes are. */
    private static Class<?> fromAJar() throws Exception {
        return fromAJar("file:/opt/libs/ledger-1.0.jar");
    }

    /** {@code dev.preempt.lib.LedgerLibrary} defined again, with the code source {@code location}. */
    private static Class<?> fromAJar(String location) throws Exception {
        String name = "dev.preempt.lib.LedgerLibrary";
        byte[] bytes;
        try (InputStream in = KillSitesTest.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ClassLoader loader = new ClassLoader(KillSitesTest.class.getClassLoader()) {
            private final ProtectionDomain jar = new ProtectionDomain(
                    new CodeSource(url(location), (Certificate[]) null), null, this, null);

            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (!n.equals(name)) return super.loadClass(n, resolve);
                synchronized (getClassLoadingLock(n)) {
                    Class<?> c = findLoadedClass(n);
                    return c != null ? c : defineClass(n, bytes, 0, bytes.length, jar);
                }
            }
        };
        Class<?> c = loader.loadClass(name);
        assertThat(c.getProtectionDomain().getCodeSource().getLocation().toString()).isEqualTo(location);
        return c;
    }

    /** A URL of any scheme ({@code jar:nested:} has no handler here), as its string. */
    private static URL url(String location) throws Exception {
        return new URL(null, location, new java.net.URLStreamHandler() {
            @Override
            protected java.net.URLConnection openConnection(URL u) {
                throw new UnsupportedOperationException(u.toString());
            }
        });
    }
}
