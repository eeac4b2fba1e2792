package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forks a fresh JVM (the one running the tests) for a program in {@code dev.preempt.it.apps}, with or
 * without {@code -javaagent:preempt-agent.jar}, and collects its exit status and output; or starts one
 * in the background (a server) for the test to talk to.
 */
final class Jvm {

    private static final AtomicInteger RUNS = new AtomicInteger();

    /** What a forked JVM did. */
    record Result(int exit, String out, String err) {
        /** The lines of stdout that start with {@code prefix}. */
        List<String> lines(String prefix) {
            return out.lines().filter(l -> l.startsWith(prefix)).toList();
        }

        /** The value of {@code key=value} in the single stdout line that starts with {@code prefix}. */
        String value(String prefix, String key) {
            List<String> ls = lines(prefix);
            assertThat(ls).as("one line starting with '%s' in%n%s", prefix, this).hasSize(1);
            for (String part : ls.get(0).split(" ")) {
                if (part.startsWith(key + "=")) return part.substring(key.length() + 1);
            }
            throw new AssertionError("no " + key + "= in " + ls.get(0));
        }

        long longValue(String prefix, String key) {
            return Long.parseLong(value(prefix, key));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> classPath = new ArrayList<>();
    private long timeoutSeconds = 120;
    private Path directory;

    private Jvm() {
        classPath.add(apps().toString());
    }

    /**
     * How the preempted JVMs run: {@code agent} ({@code -javaagent:preempt-agent.jar=options}, the default) or
     * {@code loader} (no JVMTI agent: {@code java @agent/preempt.args -Dpreempt.options=options}, the agent
     * jar on the class path; see {@code PreemptLoader}). The build runs the it-tests both ways.
     */
    static final String LAUNCH = System.getProperty("preempt.launch", "agent");

    /** Whether this run launches the preempted JVMs through the class loader rather than the agent. */
    static boolean underLoader() {
        return LAUNCH.equals("loader");
    }

    /** The line a bad option gets, up to the message: the agent's or the loader's wording. */
    static String badOptionPrefix() {
        return underLoader() ? "[preempt] error: bad -Dpreempt.options value: " : "[preempt] error: bad -javaagent option: ";
    }

    /**
     * A JVM with Preempt's rewriting, as this run launches it ({@link #LAUNCH}); {@code options} is the
     * agent's option text (empty for none).
     */
    static Jvm withAgent(String options) {
        Jvm j = new Jvm();
        if (underLoader()) {
            j.jvmArgs.add("@" + argsFile());
            if (!options.isEmpty()) j.jvmArgs.add("-Dpreempt.options=" + options);
            j.loaderJar = true;
        } else if (LAUNCH.equals("agent")) {
            return withJavaAgent(options);
        } else {
            throw new IllegalArgumentException("-Dpreempt.launch=" + LAUNCH + ": agent or loader");
        }
        return j;
    }

    /** A JVM with {@code -javaagent:preempt-agent.jar=options} whatever {@link #LAUNCH} says (what only the agent does). */
    static Jvm withJavaAgent(String options) {
        Jvm j = new Jvm();
        j.jvmArgs.add("-javaagent:" + agentJar() + (options.isEmpty() ? "" : "=" + options));
        return j;
    }

    /** Under the loader: the agent jar goes last on the class path, whatever the test sets. */
    private boolean loaderJar;

    static Path argsFile() {
        Path p = Paths.get(System.getProperty("preempt.args", "../agent/preempt.args"));
        assertThat(p).as("the loader's argument file").isRegularFile();
        return p.toAbsolutePath().normalize();
    }

    /** A JVM without the agent and without the runtime (on the class path, the apps alone). */
    static Jvm bare() {
        return new Jvm();
    }

    /** A JVM without the agent (the program runs uninstrumented), with {@code preempt-runtime} on the class path. */
    static Jvm plain() {
        return new Jvm().classPath(runtimeOnClassPath());
    }

    Jvm jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    /** Puts {@code entry} on the class path after the apps. */
    Jvm classPath(Path entry) {
        classPath.add(entry.toString());
        return this;
    }

    /** Replaces the class path (the apps are no longer on it). */
    Jvm onlyClassPath(Path entry) {
        classPath.clear();
        classPath.add(entry.toString());
        return this;
    }

    /** Runs the JVM in {@code dir} (default: the test's own working directory). */
    Jvm directory(Path dir) {
        directory = dir;
        return this;
    }

    Jvm timeout(long seconds) {
        timeoutSeconds = seconds;
        return this;
    }

    /**
     * Puts {@code entries} on the module path; then {@link #run} takes {@code module/class} for the main
     * class (a named module's main class, {@code -m}).
     */
    Jvm modulePath(Path... entries) {
        for (Path e : entries) modulePath.add(e.toString());
        return this;
    }

    private final List<String> modulePath = new ArrayList<>();

    private List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xss1m");
        // The runtime's owner-only asserts on, as in surefire: they caught a process queued twice (a stack
        // taken from outside, see Proc.claimMount) under JfrRecordingIT, which runs without them unnoticed.
        cmd.add("-ea:dev.preempt...");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        List<String> cp = new ArrayList<>(classPath);
        if (loaderJar) cp.add(agentJar().toString());
        cmd.add(String.join(File.pathSeparator, cp));
        if (!modulePath.isEmpty()) {
            cmd.add("--module-path");
            cmd.add(String.join(File.pathSeparator, modulePath));
            cmd.add("-m");
        }
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Where a run's stdout and stderr go: {@code target/it-work/<n>-<Main>.out|.err}. */
    private static Path[] outputFiles(String mainClass) throws IOException {
        Path dir = work();
        int n = RUNS.incrementAndGet();
        String simple = mainClass.substring(Math.max(mainClass.lastIndexOf('.'), mainClass.lastIndexOf('/')) + 1);
        return new Path[] {dir.resolve(n + "-" + simple + ".out"), dir.resolve(n + "-" + simple + ".err")};
    }

    /**
     * Starts the JVM in the background (a server) and returns at once; {@link Running#close()} kills it,
     * so use it in try-with-resources.
     */
    Running start(String mainClass, String... args) {
        List<String> cmd = command(mainClass, args);
        try {
            Path[] files = outputFiles(mainClass);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(files[0].toFile()).redirectError(files[1].toFile());
            if (directory != null) pb.directory(directory.toFile());
            java.lang.Process p = pb.start();
            return new Running(String.join(" ", cmd), p, files[0], files[1]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A JVM running in the background. */
    static final class Running implements AutoCloseable {
        private final String command;
        private final java.lang.Process process;
        private final Path out, err;

        private Running(String command, java.lang.Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** Waits for a stdout line that starts with {@code prefix} and returns it; fails if the JVM ends first or time runs out. */
        String awaitLine(String prefix, long seconds) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                for (String l : Files.readAllLines(out)) {
                    if (l.startsWith(prefix)) return l;
                }
                if (!process.isAlive()) fail("%s ended (exit %d) before printing '%s'%n%s", command, process.exitValue(), prefix, this);
                if (System.nanoTime() - deadline > 0) fail("%s printed no '%s' within %d s%n%s", command, prefix, seconds, this);
                Thread.sleep(50);
            }
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** Waits for the JVM to end by itself and returns its exit status; fails if it is still running after {@code seconds}. */
        int awaitExit(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) fail("%s still running after %d s%n%s", command, seconds, this);
            return process.exitValue();
        }

        /** Kills the JVM (forcibly, with any process it started) and waits until it is gone. */
        @Override
        public void close() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }

        @Override
        public String toString() {
            try {
                return "--- stdout ---\n" + Files.readString(out) + "--- stderr ---\n" + Files.readString(err);
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        }
    }

    Result run(String mainClass, String... args) {
        List<String> cmd = command(mainClass, args);
        try {
            Path[] files = outputFiles(mainClass);
            Path out = files[0], err = files[1];
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (directory != null) pb.directory(directory.toFile());
            java.lang.Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                fail("%s did not end within %d s%n--- stdout ---%n%s--- stderr ---%n%s", String.join(" ", cmd),
                        timeoutSeconds, Files.readString(out), Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Path agentJar() {
        Path p = Paths.get(System.getProperty("preempt.agent.jar", "../agent/target/preempt-agent.jar"));
        assertThat(p).as("the agent jar (build the agent module first)").isRegularFile();
        return p.toAbsolutePath().normalize();
    }

    static Path apps() {
        return Paths.get(System.getProperty("preempt.apps", "target/test-classes")).toAbsolutePath();
    }

    /** The samples' classes (EchoServer, EchoLoad), for programs that reuse them. */
    static Path samples() {
        Path p = Paths.get(System.getProperty("preempt.samples", "../samples/target/classes")).toAbsolutePath().normalize();
        assertThat(p.resolve("dev/preempt/samples")).as("the samples' classes (build the samples module first)").isDirectory();
        return p;
    }

    /** The dist module's classes (the samples' Erlang node needs them). */
    static Path dist() {
        Path p = Paths.get(System.getProperty("preempt.dist", "../dist/target/classes")).toAbsolutePath().normalize();
        assertThat(p.resolve("dev/preempt/dist")).as("the dist module's classes (build the dist module first)").isDirectory();
        return p;
    }

    static Path work() throws IOException {
        return Files.createDirectories(Paths.get(System.getProperty("preempt.work", "target/it-work")).toAbsolutePath());
    }

    /** Where this JVM has {@code preempt-runtime}: its jar, or its classes directory in an IDE. */
    static Path runtimeOnClassPath() {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains("preempt-runtime") || e.replace('\\', '/').endsWith("runtime/target/classes")) return Paths.get(e);
        }
        throw new AssertionError("preempt-runtime is not on the class path: " + System.getProperty("java.class.path"));
    }

    /** The jar on this JVM's class path whose file name starts with {@code prefix}. */
    static Path jarOnClassPath(String prefix) {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Paths.get(e);
            if (p.getFileName().toString().startsWith(prefix) && e.endsWith(".jar")) return p;
        }
        throw new AssertionError("no " + prefix + "*.jar on the class path: " + System.getProperty("java.class.path"));
    }
}
