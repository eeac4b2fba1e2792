package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * PreemptLoader, the rewriting without a JVMTI agent ({@code java @agent/preempt.args}), where it
 * differs from the agent: what it asks of the command line, and a library jar on the class path, which
 * it defines itself and must leave looking as it does to itself without Preempt. (Every other it-test
 * runs under it too, in the build's second pass.)
 */
class LoaderIT {

    private static final String LOADER = "-Djava.system.class.loader=dev.preempt.agent.PreemptLoader";

    @Test
    void withoutTheOpensItSaysWhichFlagsAreMissingAndStops() {
        Jvm.Result r = Jvm.bare().jvmArg(LOADER).jvmArg("-Xlog:cds=off").classPath(Jvm.agentJar())
                .run("dev.preempt.it.apps.OneScheduler");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).as("the program did not run").isEmpty();
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("[preempt] error: " + LOADER + " needs ")
                .contains("--add-opens java.base/java.lang=ALL-UNNAMED")
                .contains("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED").contains("preempt.args");
    }

    @Test
    void aLibraryOnTheClassPathIsRewrittenAndKeepsItsManifestCodeSourceAndResources() {
        Path lang = Jvm.jarOnClassPath("commons-lang3-");
        Jvm.Result plain = Jvm.plain().jvmArg("-Dpreempt.quiet=true").classPath(lang).run("dev.preempt.it.apps.LibraryIdentity");
        Jvm.Result loader = Jvm.bare().jvmArg("@" + Jvm.argsFile()).jvmArg("-Dpreempt.options=carriers=1,spares=0,log=debug")
                .classPath(lang).classPath(Jvm.agentJar()).run("dev.preempt.it.apps.LibraryIdentity");
        assertThat(plain.exit()).as(plain.toString()).isZero();
        assertThat(loader.exit()).as(loader.toString()).isZero();
        String identity = plain.lines("identity").get(0);
        assertThat(identity).contains("version=3.").contains("source=file:").contains("sameLoader=true")
                .contains("systemLoader=true").contains("resource=true").contains("listed=1")
                .contains("moduleResource=true");
        assertThat(loader.lines("identity")).as(loader.toString()).containsExactly(identity);
        assertThat(loader.err()).as("StringUtils was rewritten").contains("instrumented org.apache.commons.lang3.StringUtils");
        assertThat(loader.longValue("hog", "witness")).as("the hog in commons-lang3 was preempted: %s", loader).isPositive();
    }
}
