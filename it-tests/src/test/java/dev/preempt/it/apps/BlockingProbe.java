package dev.preempt.it.apps;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code BlockingProbe kind workers seconds}: {@code workers} processes that block or compute in JDK code
 * ({@code kind}: fsync, pipe, fifo, readall, sort, regex), or sleep where a virtual thread cannot unmount
 * ({@code clinit}: in a static initialiser; {@code native}: under a native frame, which needs
 * {@code -Djdk.reflect.useNativeAccessorOnly=true}), beside a probe process that sleeps 1 ms at a time.
 * Prints how many samples the probe took (at 1 ms cadence it would take about 1000 a second), its
 * worst gap, and how many rounds the workers did.
 */
public final class BlockingProbe {
    private BlockingProbe() {}

    static final AtomicLong rounds = new AtomicLong();

    @Process
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int workers = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        Path dir = Files.createTempDirectory("preempt-blocking");
        Runnable work = switch (kind) {
            case "fsync" -> () -> fsync(dir);
            case "pipe" -> BlockingProbe::pipe;
            case "fifo" -> () -> fifo(dir);
            case "readall" -> () -> readAll(dir);
            case "sort" -> BlockingProbe::sort;
            case "regex" -> BlockingProbe::backtrack;
            case "clinit" -> BlockingProbe::sleepInClassInitializer;
            case "native" -> BlockingProbe::sleepUnderNativeFrame;
            default -> throw new IllegalArgumentException(kind);
        };
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < workers; i++) pids.add(Preempt.spawn(() -> {
            try {
                while (true) {
                    work.run();
                    rounds.incrementAndGet();
                }
            } catch (RuntimeException e) {
                System.out.println("worker failed " + e);
                throw e;
            }
        }));
        Preempt.sleep(200); // the workers are in their calls now
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long samples = 0, worst = 0, last = System.nanoTime();
        long rounds0 = rounds.get();
        while (System.nanoTime() < end) {
            Preempt.sleep(1);
            long now = System.nanoTime();
            worst = Math.max(worst, now - last);
            last = now;
            samples++;
        }
        long done = rounds.get() - rounds0;
        for (Pid p : pids) Preempt.exit(p, ExitReason.KILL);
        System.out.println("probe kind=" + kind + " samples=" + samples + " expected=" + seconds * 1000
                + " worstms=" + worst / 1_000_000 + " rounds=" + done);
        System.exit(0); // workers blocked in native reads need not wait for their calls to return
    }

    static void fsync(Path dir) {
        try {
            Path f = Files.createTempFile(dir, "sync", ".dat");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                for (int i = 0; i < 8; i++) {
                    ch.write(ByteBuffer.wrap(new byte[4096]));
                    ch.force(true);
                }
            }
            Files.delete(f);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Reads a child process's output, which comes slowly: the read blocks on the pipe. */
    static void pipe() {
        try {
            java.lang.Process child = new ProcessBuilder("sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.02; done").start();
            try (InputStream in = child.getInputStream()) {
                in.readAllBytes();
            }
            child.waitFor();
        } catch (IOException e) {
            throw new RuntimeException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }

    /** Reads a FIFO that a shell fills slowly: a plain FileInputStream read, not marked as blocking by the JDK. */
    static void fifo(Path dir) {
        try {
            Path fifo = dir.resolve("fifo-" + Thread.currentThread().threadId() + "-" + System.nanoTime());
            new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
            new ProcessBuilder("sh", "-c", "for i in 1 2 3 4 5; do echo x; sleep 0.02; done > " + fifo).start();
            try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                in.readAllBytes();
            }
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            throw new RuntimeException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }

    private static volatile Path big;

    static void readAll(Path dir) {
        try {
            Path f = big;
            if (f == null) {
                synchronized (BlockingProbe.class) {
                    if (big == null) {
                        Path p = dir.resolve("big.dat");
                        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                            raf.setLength(32L << 20);
                        }
                        big = p;
                    }
                    f = big;
                }
            }
            if (Files.readAllBytes(f).length != 32 << 20) throw new IllegalStateException();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Its initialiser sleeps: a park inside {@code <clinit>} cannot unmount, it holds the carrier's thread. */
    public static final class SleepsWhenInitialised {
        static {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private SleepsWhenInitialised() {}
    }

    /** Initialises a fresh copy of {@link SleepsWhenInitialised}, in a class loader of its own. */
    static void sleepInClassInitializer() {
        String name = SleepsWhenInitialised.class.getName();
        ClassLoader parent = BlockingProbe.class.getClassLoader();
        ClassLoader fresh = new IsolatingLoader(name, parent);
        try {
            Class.forName(name, true, fresh);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void sleep20() throws InterruptedException {
        Thread.sleep(20);
    }

    /** Sleeps under a native frame (a native reflective call): the park cannot unmount either. */
    static void sleepUnderNativeFrame() {
        try {
            BlockingProbe.class.getMethod("sleep20").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.util.regex.Pattern BACKTRACKING = java.util.regex.Pattern.compile("(a|aa)+b");

    /** A regular expression that backtracks exponentially: one long call with no tick in it. */
    static void backtrack() {
        if (BACKTRACKING.matcher("a".repeat(30)).matches()) throw new IllegalStateException();
    }

    static void sort() {
        int[] a = new Random(42).ints(4 << 20).toArray();
        Arrays.sort(a);
    }
}
