package dev.preempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JFR layer is optional: without the jdk.jfr module, or switched off, the runtime runs without it. */
class NoJfrTest {

    static String run(String... jvmArgs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Dpreempt.quiet=true"));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NoJfrMain.class.getName()));
        java.lang.Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void withoutTheJfrModuleProcessesRun() throws Exception {
        assertThat(run("--limit-modules", "java.base,java.logging"))
                .contains("echo: ping").contains("exit: normal, jfr installed: false");
    }

    @Test
    void preemptJfrFalseLeavesTheLayerOut() throws Exception {
        assertThat(run("-Dpreempt.jfr=false")).contains("echo: ping").contains("exit: normal, jfr installed: false");
    }

    @Test
    void byDefaultTheLayerIsInstalled() throws Exception {
        assertThat(run()).contains("echo: ping").contains("exit: normal, jfr installed: true");
    }
}
