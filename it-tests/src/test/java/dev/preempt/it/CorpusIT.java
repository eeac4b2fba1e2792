package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every class of two real libraries (Guava, commons-lang3), rewritten by the agent as they load through
 * a second class loader, passes the VM's verifier: the same classes initialise as without the agent.
 * (The agent module's own test runs ASM's analyzer over the same rewritten classes.)
 */
class CorpusIT {

    @Test
    void guavaAndCommonsLangLoadAndVerifyUnderTheAgent() {
        assumeCorpusIsRewritten();
        Path guava = Jvm.jarOnClassPath("guava-33");
        Path lang = Jvm.jarOnClassPath("commons-lang3-");
        Path failureAccess = Jvm.jarOnClassPath("failureaccess-"); // Guava's one required dependency
        String[] jars = {guava.toString(), lang.toString(), failureAccess.toString()};
        Jvm.Result with = Jvm.withAgent("log=debug").timeout(300).run("dev.preempt.it.apps.CorpusLoader", jars);
        Jvm.Result without = Jvm.plain().timeout(300).run("dev.preempt.it.apps.CorpusLoader", jars);
        assertThat(with.exit()).as(with.err()).isZero();
        assertThat(without.exit()).as(without.toString()).isZero();

        assertThat(with.longValue("corpus", "verifyErrors")).as(String.join("\n", with.lines("failed"))).isZero();
        long classes = with.longValue("corpus", "classes");
        assertThat(classes).isGreaterThan(2_000);
        assertThat(with.longValue("corpus", "classes")).isEqualTo(without.longValue("corpus", "classes"));
        assertThat(with.longValue("corpus", "initialised")).isEqualTo(without.longValue("corpus", "initialised"));
        assertThat(with.lines("failed")).isEqualTo(without.lines("failed"));

        long instrumented = with.err().lines().filter(l -> l.contains("instrumented com.google.common.")
                || l.contains("instrumented org.apache.commons.lang3.")).count();
        assertThat(instrumented).as("classes the agent actually rewrote").isGreaterThan(classes / 2);
        assertThat(with.err()).doesNotContain("cannot instrument");
    }

    @Test
    void classesLoadedOnEightThreadsAtOnceGetTheTicksTheyGetAlone() {
        assumeCorpusIsRewritten();
        String[] jars = {Jvm.jarOnClassPath("guava-33").toString(), Jvm.jarOnClassPath("failureaccess-").toString()};
        String[] parallel = {"--threads", "8", jars[0], jars[1]};
        Jvm.Result alone = Jvm.withAgent("log=debug").timeout(300).run("dev.preempt.it.apps.CorpusLoader", jars);
        Jvm.Result atOnce = Jvm.withAgent("log=debug").timeout(300).run("dev.preempt.it.apps.CorpusLoader", parallel);
        assertThat(atOnce.exit()).as(atOnce.err()).isZero();
        assertThat(atOnce.longValue("corpus", "verifyErrors")).as(String.join("\n", atOnce.lines("failed"))).isZero();
        // "instrumented <class>: m methods, t ticks, s strip-mined loops": per class, as when loaded alone
        java.util.Set<String> expected = instrumented(alone), actual = instrumented(atOnce);
        assertThat(expected).hasSizeGreaterThan(1_000);
        assertThat(actual).isEqualTo(expected);
    }

    /**
     * CorpusLoader loads the jars with a URLClassLoader of its own, whose classes only the agent sees:
     * PreemptLoader rewrites what the system class loader defines (README, "Without a JVMTI agent"). The
     * rewriter is the same in both; these run in the agent's pass.
     */
    private static void assumeCorpusIsRewritten() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Jvm.underLoader(),
                "under PreemptLoader a class loader of the program's own is not rewritten");
    }

    private static java.util.Set<String> instrumented(Jvm.Result r) {
        return r.err().lines().filter(l -> l.contains("instrumented com.google.common."))
                .map(l -> l.substring(l.indexOf("instrumented "))).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }
}
