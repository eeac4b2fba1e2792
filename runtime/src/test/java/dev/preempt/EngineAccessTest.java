package dev.preempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without the agent and without the flag, the runtime says exactly which flag is missing. */
class EngineAccessTest {

    @Test
    void withoutTheAgentOrTheFlagTheErrorNamesTheFlag() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        java.lang.Process p = new ProcessBuilder(List.of(java, "-cp", cp, NoAccessMain.class.getName()))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("ERROR: Preempt cannot create processes")
                .contains("--add-opens java.base/java.lang=ALL-UNNAMED")
                .contains("-javaagent:preempt-agent.jar")
                .doesNotContain("UNEXPECTED");
    }
}
