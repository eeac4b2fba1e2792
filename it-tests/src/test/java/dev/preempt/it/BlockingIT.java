package dev.preempt.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eight processes that block their OS thread or run long JDK calls, on two carriers, beside a probe that
 * sleeps 1 ms at a time: the probe is served. The last two sleep where a virtual thread cannot unmount
 * (in a static initialiser, under a native frame), so the sleep holds the carrier's thread. Before the watchdog and spare carriers it got 0-41 samples
 * in 3 s (fsync, pipes, FIFOs) or none at all (readAllBytes, Arrays.sort); plain virtual threads get
 * ~2,300 with fsync and pipes, 4 with FIFOs, none with the last two.
 */
class BlockingIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fsync", "pipe", "fifo", "readall", "sort", "regex", "clinit", "native"})
    void aProbeIsServedBesideEightProcessesInBlockingOrLongJdkCalls(String kind) {
        Jvm.Result r = Jvm.withAgent("carriers=2").jvmArg("-Djdk.reflect.useNativeAccessorOnly=true").timeout(60)
                .run("dev.preempt.it.apps.BlockingProbe", kind, "8", "3");
        assertThat(r.exit()).as(r.toString()).isZero();
        // generous: a third of the samples a 1 ms cadence gives (measured on a quiet machine: 1,480-2,850
        // of 3,000, sort and regex lowest; before hand-off and time slices: 0-10, and plain virtual
        // threads: 4 for FIFO reads, none at all beside sort and readAllBytes)
        // readall is the exception, 280-1,930 in clean runs: every read of the 32 MB file is a blocking call
        // the JDK reports, so a spare carrier takes each reader's place at once, and with up to 8 spares
        // copying in the kernel the OS time-shares 2 cores between them and the probe's carrier.
        // Its bound only says the probe is not starved (before: stalls of 0.1-3.4 s).
        // regex, clinit and native on a 2-core AMD EPYC machine (2026-12-02): regex 944-993 (as low at the
        // commit before that day's watchdog change), clinit 384-953, native 650-930, against 1,480-2,850
        // on the Intel Xeon the figures above are from. Each regex call is ~36 us of JDK code, so the
        // probe waits for a cut at the time slice; each clinit round defines a class (rewritten by the
        // agent, no tick) before its 20 ms sleep. Another EPYC machine (2026-12-03) gave regex 1,170-1,429,
        // clinit 1,749-2,292, native 2,174-2,719, and so did that day's build: the low figures were that one
        // machine's. The bound stays low so that a slow machine passes; it still tells served from starved
        // (before: 1).
        long bound = switch (kind) {
            case "readall" -> 150;
            case "regex", "clinit", "native" -> 300;
            default -> 1000;
        };
        assertThat(r.longValue("probe", "samples")).as(r.toString()).isGreaterThanOrEqualTo(bound);
        assertThat(r.longValue("probe", "rounds")).as("the workers progressed too").isPositive();
    }
}
