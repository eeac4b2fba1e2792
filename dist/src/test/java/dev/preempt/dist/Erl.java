package dev.preempt.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs real Erlang for the tests: one-shot {@code erl -noshell -eval} scripts, and named nodes that a
 * test starts and must {@link #close()}. Fails with a clear message when {@code erl} is not installed,
 * so that a machine without Erlang fails these tests instead of skipping them.
 */
final class Erl implements AutoCloseable {

    private static final List<Erl> LIVE = new ArrayList<>();

    static {
        // A crashed test JVM must not leave erl nodes behind either.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (LIVE) {
                for (Erl e : LIVE) e.process.destroyForcibly();
            }
        }));
    }

    final Process process;
    final String name;
    final Path log;

    private Erl(Process process, String name, Path log) {
        this.process = process;
        this.name = name;
        this.log = log;
    }

    /** The erl executable, or a failure that says how to install it. */
    static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "erl");
            if (Files.isExecutable(p)) return p.toString();
        }
        throw new AssertionError("erl is not on the PATH: these tests run against real Erlang/OTP 25+ "
                + "(apt-get install -y erlang-base; .ci/run installs it)");
    }

    /** Starts epmd if none runs (epmd -daemon returns at once when one is already there). */
    static void ensureEpmd() throws IOException, InterruptedException {
        executable();
        Process p = new ProcessBuilder("epmd", "-daemon").redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("epmd -daemon did not return in 10 s");
        }
    }

    /**
     * Runs {@code erl -noshell -eval script} (the script must end with {@code halt().}) and returns what
     * it printed; fails if it does not end within {@code seconds} or exits non-zero.
     */
    static String eval(String script, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(executable(), "-noshell", "-eval", script).redirectErrorStream(true).start();
        byte[] out;
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("erl did not finish in " + seconds + " s: " + script);
            }
            out = p.getInputStream().readAllBytes();
        } finally {
            p.destroyForcibly();
        }
        String s = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new AssertionError("erl exited with " + p.exitValue() + ": " + s);
        return s;
    }

    /**
     * Starts {@code erl -sname name -setcookie cookie -noshell -eval script}: a named node that runs
     * until the script halts or {@link #close()} kills it. Its output goes to a log file.
     */
    static Erl node(String name, String cookie, String script, String... extraArgs) throws IOException, InterruptedException {
        return start("-sname", name, cookie, script, extraArgs);
    }

    /** {@link #node} with {@code erl -name name}: long (fully qualified) names, such as {@code e@127.0.0.1}. */
    static Erl longNameNode(String name, String cookie, String script) throws IOException, InterruptedException {
        return start("-name", name, cookie, script);
    }

    private static Erl start(String nameFlag, String name, String cookie, String script, String... extraArgs)
            throws IOException, InterruptedException {
        ensureEpmd();
        Path log = Files.createTempFile("erl-" + name, ".log");
        List<String> cmd = new ArrayList<>(List.of(executable(), nameFlag, name, "-setcookie", cookie, "-noshell"));
        cmd.addAll(List.of(extraArgs));
        cmd.addAll(List.of("-eval", script));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Erl e = new Erl(p, name, log);
        synchronized (LIVE) {
            LIVE.add(e);
        }
        return e;
    }

    /** What the node printed so far. */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Waits until the node printed {@code text}; fails after {@code seconds} with its output. */
    void awaitOutput(String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!output().contains(text)) {
            if (!process.isAlive() && !output().contains(text)) {
                throw new AssertionError("erl node " + name + " ended without printing '" + text + "':\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("erl node " + name + " did not print '" + text + "' in " + seconds + " s:\n" + output());
            }
            Thread.sleep(20);
        }
    }

    /** Sends the node's OS process a signal ({@code STOP}, {@code CONT}) with kill(1). */
    void signal(String sig) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
        if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) throw new AssertionError("kill -" + sig + " failed");
    }

    /** Kills the node with SIGKILL (which also ends a SIGSTOPped one) and waits for it. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (LIVE) {
            LIVE.remove(this);
        }
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) s.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        return s.toString().toUpperCase();
    }

    static byte[] unhex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return b;
    }
}
