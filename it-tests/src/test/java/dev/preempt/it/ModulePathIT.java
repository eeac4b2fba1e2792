package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime as the named module {@code dev.preempt} on the module path, with an application in named
 * modules of its own (sources in {@code src/test/modules}, compiled here against the runtime's jar): the
 * application runs processes, and the runtime's internals are closed to it, at compile time and by
 * reflection. Every other it-test runs the runtime on the class path, where its module descriptor is
 * ignored.
 */
class ModulePathIT {

    private static final String OPENS = "--add-opens=java.base/java.lang=dev.preempt";
    private static Path runtime;
    private static Path compiled;

    @BeforeAll
    static void compileTheApplication() throws IOException {
        runtime = Jvm.runtimeOnClassPath();
        compiled = Jvm.work().resolve("modules");
        JavacResult r = javac(compiled, "app", "lib");
        assertThat(r.status()).as("javac of the modules app and lib:%n%s", r.output()).isZero();
    }

    @Test
    void aProcessRunsWithTheRuntimeAsANamedModule() {
        Jvm.Result r = Jvm.bare().jvmArg(OPENS).jvmArg("-Dpreempt.quiet=true").modulePath(runtime, compiled)
                .run("app/dev.preempt.modapp.Main", "run");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("reply pong").contains("run reason=normal runtime=dev.preempt");
    }

    /**
     * Under PreemptLoader ({@code java @agent/preempt.args}) a program launched from a module starts (its
     * classes are not rewritten: named modules are not covered). With {@code -m} the JVM resolves that
     * module's graph alone, which left out {@code java.instrument}, and the loader could not be made:
     * the JVM did not start ({@code NoClassDefFoundError: java/lang/instrument/ClassFileTransformer}).
     * The args file adds the module now.
     */
    @Test
    void underTheLoaderAProgramLaunchedFromAModuleStarts() {
        Jvm.Result r = Jvm.bare().jvmArg("@" + Jvm.argsFile()).classPath(Jvm.agentJar()).modulePath(compiled)
                .run("jdk.compiler/com.sun.tools.javac.Main", "-version");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out() + r.err()).as(r.toString()).contains("javac ");
    }

    /** A JDK tool run under the agent: the warning says the main class is the JDK's (it said "it has no code to rewrite"). */
    @Test
    void underTheAgentAJdkMainClassIsNamedAsTheJdks() {
        Jvm.Result r = Jvm.withJavaAgent("").modulePath(compiled).run("jdk.compiler/com.sun.tools.javac.Main", "-version");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).contains("the main class com.sun.tools.javac.Main is the JDK's own (module jdk.compiler)")
                .doesNotContain("it has no code to rewrite");
    }

    @Test
    void withoutTheOpensTheErrorNamesTheModule() {
        Jvm.Result r = Jvm.bare().jvmArg("-Dpreempt.quiet=true").modulePath(runtime, compiled)
                .run("app/dev.preempt.modapp.Main", "run");
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err()).as(r.toString()).contains("does not open java.lang to module dev.preempt")
                .contains("--add-opens java.base/java.lang=dev.preempt");
    }

    @Test
    void theInternalsAreClosedToTheApplicationByReflection() {
        Jvm.Result r = Jvm.bare().jvmArg(OPENS).jvmArg("-Dpreempt.quiet=true").modulePath(runtime, compiled)
                .run("app/dev.preempt.modapp.Main", "internals");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().lines().toList()).as(r.toString()).containsExactly(
                "sched exported=false hooks exported=true",
                "current() refused: IllegalAccessException",
                "budget refused: IllegalAccessException",
                "setAccessible refused: InaccessibleObjectException");
    }

    @Test
    void theSchedulersMXBeanAnswers() {
        Jvm.Result r = Jvm.bare().jvmArg(OPENS).jvmArg("-Dpreempt.quiet=true").jvmArg("-Dpreempt.carriers=2")
                .modulePath(runtime, compiled).run("app/dev.preempt.modapp.Main", "jmx");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("bean carriers=2 live=1");
    }

    @Test
    void anApplicationThatUsesAnInternalDoesNotCompile() throws IOException {
        JavacResult r = javac(Jvm.work().resolve("modules-sneaky"), "sneaky");
        assertThat(r.status()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("package dev.preempt.internal.sched is not visible")
                .contains("does not export it to module sneaky");
    }

    /**
     * Under the agent, with the runtime and the application on the module path: the agent's jar (on the
     * class path) opens java.lang to the named runtime, and a class rewritten in a module that does not
     * require the runtime (lib) is given the read edge its ticks need; the hog is preempted on one carrier.
     */
    @Test
    void underTheAgentAHogInAModuleThatDoesNotRequireTheRuntimeIsPreempted() {
        // the agent itself: PreemptLoader rewrites class-path classes only
        Jvm.Result r = Jvm.withJavaAgent("carriers=1,spares=0").jvmArg("-Dpreempt.quiet=true").modulePath(runtime, compiled)
                .timeout(60).run("app/dev.preempt.modapp.Main", "hog");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("hog turns>0=true").contains("hog reason=normal")
                .contains("lib reads runtime=true");
        assertThat(r.err()).as(r.toString()).doesNotContain("cannot instrument");
    }

    private record JavacResult(int status, String output) {}

    private static JavacResult javac(Path out, String... modules) throws IOException {
        Path sources = Paths.get(System.getProperty("preempt.modules", "src/test/modules")).toAbsolutePath();
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-source-path", sources.toString(),
                "--module-path", runtime.toString(), "--module", String.join(",", modules)));
        try (Stream<Path> old = Files.exists(out) ? Files.walk(out) : Stream.empty()) {
            old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        StringWriter text = new StringWriter();
        PrintWriter w = new PrintWriter(text);
        int status = ToolProvider.findFirst("javac").orElseThrow().run(w, w, args.toArray(String[]::new));
        w.flush();
        return new JavacResult(status, text.toString());
    }
}
