package dev.preempt.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

    @Test
    void emptyMeansDefaults() {
        AgentOptions o = AgentOptions.parse("");
        assertThat(o.budget()).isEqualTo(4000);
        assertThat(o.stripMine()).isEqualTo(1000);
        assertThat(o.include()).isEmpty();
        assertThat(AgentOptions.parse(null).budget()).isEqualTo(4000);
    }

    @Test
    void parsesEveryOption() {
        AgentOptions o = AgentOptions.parse("budget=100,include=com.acme:org.example.*,exclude=com.acme.gen,log=debug,stripmine=0");
        assertThat(o.budget()).isEqualTo(100);
        assertThat(o.stripMine()).isZero();
        assertThat(o.log()).isEqualTo("debug");
        assertThat(o.include()).allMatch(p -> p.startsWith("com/acme") || p.startsWith("org/example"));
        assertThat(o.exclude()).hasSize(1);
        assertThat(AgentOptions.parse("maxstack=512k").runtimeProperties()).containsEntry("preempt.maxStack", "524288");
        assertThat(AgentOptions.parse("maxstack=16m").runtimeProperties()).containsEntry("preempt.maxStack", "16777216");
        assertThat(AgentOptions.parse("maxstack=0").runtimeProperties()).containsEntry("preempt.maxStack", "0");
        assertThat(AgentOptions.parse("oom=process").runtimeProperties()).containsEntry("preempt.oom", "process");
        assertThat(AgentOptions.parse("timeslice=500us,handoff=20ms,spares=8").runtimeProperties())
                .containsEntry("preempt.timeslice", "500000").containsEntry("preempt.handoff", "20000000")
                .containsEntry("preempt.spares", "8");
        assertThat(AgentOptions.parse("handoff=0,timeslice=1s").runtimeProperties())
                .containsEntry("preempt.handoff", "0").containsEntry("preempt.timeslice", "1000000000");
        assertThat(AgentOptions.parse("ticks=flag,stats=true").runtimeProperties())
                .containsEntry("preempt.ticks", "flag").containsEntry("preempt.agentStats", "true");
        assertThat(AgentOptions.parse("cache=target/preempt-cache").runtimeProperties())
                .containsEntry("preempt.agentCache", "target/preempt-cache");
    }

    @Test
    void badOptionsSayWhatIsWrongAndWhatIsAccepted() {
        for (String bad : List.of("budget=0", "budget=many", "colour=red", "budget", "engine=quasar", "log=loud",
                "include=com..acme", "maxstack=big", "maxstack=-1m", "maxstack=", "oom=ignore", "timeslice=2", "handoff=fast",
                "handoff=-1ms", "spares=-1", "budget=100,budget=200", "ticks=fast", "stats=yes", "cache=",
                "include=com.acme,exclude=com.acme", "include=com.acme.app,exclude=com.acme")) {
            assertThatThrownBy(() -> AgentOptions.parse(bad)).as(bad).isInstanceOf(AgentOptions.Invalid.class)
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> AgentOptions.parse("colour=red")).hasMessageContaining("colour")
                .hasMessageContaining("budget=N");
        assertThatThrownBy(() -> AgentOptions.parse("budget=100,budget=200")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> AgentOptions.parse("include=com.acme,exclude=com.acme"))
                .hasMessageContaining("nothing under it would be rewritten");
        assertThat(AgentOptions.parse("include=com.acme:com.acme.Main").classLikePrefixes()).containsExactly("com.acme.Main");
        assertThat(AgentOptions.parse("include=com.acme.app,exclude=com.acme.app.gen").classLikePrefixes()).isEmpty();
    }
}
