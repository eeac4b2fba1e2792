package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Errors the JVM raises inside processes never hang it: carriers survive, the JVM ends when it must. */
class ErrorsIT {

    @Test
    void aMailboxFloodThatExhaustsTheHeapEndsTheJvmWithAMessageAndStatus3() {
        long t0 = System.nanoTime();
        Jvm.Result r = Jvm.withAgent("carriers=2").jvmArg("-Xmx256m").timeout(60).run("dev.preempt.it.apps.MailboxFlood");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("[preempt] fatal: OutOfMemoryError").contains("oom=process");
        assertThat((System.nanoTime() - t0) / 1_000_000_000).as("seconds to end").isLessThan(30);
    }

    @Test
    void withOomProcessOnlyTheProcessEndsAndEveryCarrierGoesOn() {
        Jvm.Result r = Jvm.withAgent("carriers=2,oom=process").jvmArg("-Xmx256m").timeout(60)
                .run("dev.preempt.it.apps.OutOfMemoryInProcess");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.value("oom", "reason")).startsWith("exception_java.lang.OutOfMemoryError");
        assertThat(r.longValue("after", "ran")).isEqualTo(8);
    }
}
