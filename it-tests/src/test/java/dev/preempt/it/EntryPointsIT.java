package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code @Process} methods, the program's end, kills, and one scheduler per JVM. */
class EntryPointsIT {

    @Test
    void processMethodsSpawnAndTheProgramEndsWhenMainEndsThoughAHogRuns() {
        Jvm.Result r = Jvm.withAgent("").timeout(60).run("dev.preempt.it.apps.EntryRules");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.value("main inProcess", "inProcess")).isEqualTo("true");
        assertThat(r.out()).contains("spawned static=true instance=true distinct=true texts=hello static|hello instance")
                .contains("hog started=true").contains("main returns");
        assertThat(r.err()).doesNotContain("warning");
    }

    @Test
    void aRootProcessThatThrowsIsPrintedAndExitsWithStatusOne() {
        Jvm.Result r = Jvm.withAgent("").run("dev.preempt.it.apps.EntryRules", "throw");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("Exception in root process of dev.preempt.it.apps.EntryRules.main")
                .contains("IllegalStateException: root process failed on purpose");
    }

    /** A checked exception from main is printed as itself, as plain java prints it (it came wrapped in UndeclaredThrowableException). */
    @Test
    void aRootProcessThatThrowsACheckedExceptionPrintsThatException() {
        Jvm.Result r = Jvm.withAgent("").run("dev.preempt.it.apps.EntryRules", "throwChecked");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).as(r.toString())
                .contains("Exception in root process of dev.preempt.it.apps.EntryRules.main: java.io.IOException: checked from main")
                .doesNotContain("UndeclaredThrowableException");
    }

    @Test
    void withoutTheAgentProcessMethodsArePlainCallsAndOneWarningSaysSo() {
        Jvm.Result r = Jvm.plain().jvmArg("--add-opens=java.base/java.lang=ALL-UNNAMED").run("dev.preempt.it.apps.NoAgent");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("work a on main").contains("work b on main").contains("root ran")
                .contains("root ran again").contains("main returns");
        assertThat(r.err().lines().filter(l -> l.contains("running without -javaagent")).count()).as(r.toString())
                .isEqualTo(1);
    }

    @ParameterizedTest(name = "ticks={0}")
    @ValueSource(strings = {"count", "flag"})
    void killEndsAnEndlessLoopRunningItsFinallyAndReleasingItsLock(String ticks) {
        Jvm.Result r = Jvm.withAgent("ticks=" + ticks).timeout(60).run("dev.preempt.it.apps.KillLoop");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("kill looper=killed finally=true lockFree=true stubborn=killed");
    }

    @Test
    void theRuntimeAlsoOnTheApplicationClassPathGivesOneScheduler() {
        Path runtime = Jvm.runtimeOnClassPath();
        Jvm.Result alone = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.OneScheduler");
        Jvm.Result both = Jvm.withAgent("carriers=2").classPath(runtime).run("dev.preempt.it.apps.OneScheduler");
        assertThat(alone.exit()).as(alone.toString()).isZero();
        assertThat(both.exit()).as(both.toString()).isZero();
        assertThat(alone.value("runtime", "from")).contains("preempt-agent.jar");
        assertThat(both.value("runtime", "from")).as("the application's copy is the one in use")
                .doesNotContain("preempt-agent.jar");
        assertThat(both.value("runtime", "inProcess")).isEqualTo("true");
        assertThat(both.value("runtime", "carriers")).isEqualTo("2");
        assertThat(alone.value("runtime", "carriers")).isEqualTo("2");
    }

    @Test
    void aProcessTestMethodRunsAsAProcessAndItsFailureReachesTheFramework() {
        Jvm.Result r = Jvm.withAgent("carriers=2").classPath(Jvm.jarOnClassPath("junit-jupiter-api"))
                .classPath(Jvm.jarOnClassPath("opentest4j")).classPath(Jvm.jarOnClassPath("junit-platform-commons"))
                .run("dev.preempt.it.apps.TestMethodEntry");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.value("testmethods", "failing")).as("what the failing test threw at its caller")
                .isEqualTo("AssertionFailedError");
        assertThat(r.value("testmethods", "passingBodyRanInProcess")).as("the call returned after its body, run as a process")
                .isEqualTo("true");
        assertThat(r.value("testmethods", "mutableArgument")).as("an ArrayList crossing into a process")
                .isEqualTo("refused");
    }

    @Test
    void anUnlinkedCrashIsReportedOnStderrAndThreadDumpsNameProcessesByPidInTheirSchedulersContainer() throws java.io.IOException {
        java.nio.file.Path dump = Jvm.work().resolve("visible-threads.txt");
        Jvm.Result r = Jvm.withAgent("carriers=2").run("dev.preempt.it.apps.Visible", dump.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        // one report, at ERROR (java.util.logging's SEVERE), with the pid, the entry and the stack
        assertThat(r.err().lines().filter(l -> l.contains("crashed: java.lang.IllegalStateException"))).hasSize(1);
        assertThat(r.err()).contains("SEVERE").contains("started as dev.preempt.it.apps.Visible (lambda)")
                .contains("nobody is linked to me").contains("at dev.preempt.it.apps.Visible.crashes");
        String waiter = r.value("visible", "waiter");
        assertThat(r.value("visible", "dumped")).isEqualTo("true");
        assertThat(java.nio.file.Files.readString(dump)).as("the thread dump")
                .contains(waiter + " visible-waiter");
        // Processes are in their scheduler's thread container, which reads the process table, not in the
        // JDK's root container (whose set of virtual threads costs a 32-byte node per thread).
        String json = java.nio.file.Files.readString(java.nio.file.Path.of(dump + ".json"));
        int ours = json.indexOf("\"container\": \"Preempt scheduler 'preempt'");
        int root = json.indexOf("\"container\": \"<root>\"");
        int thread = json.indexOf("\"name\": \"" + waiter + " visible-waiter\"");
        assertThat(ours).as("the scheduler's container in the JSON dump").isPositive();
        assertThat(thread).as("the waiting process in the JSON dump").isPositive();
        assertThat(root).as("the root container").isPositive().isLessThan(ours);
        int next = json.indexOf("\"container\":", ours + 1);
        assertThat(thread).as("the process is listed in the scheduler's container").isGreaterThan(ours)
                .isLessThan(next < 0 ? Integer.MAX_VALUE : next);
    }
}
