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
 * without {@code -javaagent:preempt-agent.jar}, and collects its exit status and output.
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

    /** A JVM with the agent; {@code options} is the text after '=' (empty for none). */
    static Jvm withAgent(String options) {
        Jvm j = new Jvm();
        j.jvmArgs.add("-javaagent:" + agentJar() + (options.isEmpty() ? "" : "=" + options));
        return j;
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

    Result run(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xss1m");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classPath));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        try {
            Path dir = work();
            int n = RUNS.incrementAndGet();
            String simple = mainClass.substring(mainClass.lastIndexOf('.') + 1);
            Path out = dir.resolve(n + "-" + simple + ".out");
            Path err = dir.resolve(n + "-" + simple + ".err");
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
