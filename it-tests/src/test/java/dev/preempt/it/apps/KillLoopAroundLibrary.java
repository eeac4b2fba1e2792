package dev.preempt.it.apps;

import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import org.apache.commons.lang3.StringUtils;

/**
 * A process whose loop spends nearly all its time inside one library call (commons-lang3 scanning a
 * 4 MB string, a few milliseconds a call) and calls nothing of the runtime, killed: the exit may land
 * only in its own code, once a call returns. Prints the longest time from a kill to its Down over the
 * rounds, and the calls each victim finished.
 */
public final class KillLoopAroundLibrary {

    private KillLoopAroundLibrary() {}

    static volatile long sink;

    @Process
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        String big = "a1".repeat(2 << 20);
        long worst = 0;
        for (int n = 0; n < rounds; n++) {
            Pid victim = Preempt.spawn(() -> {
                long calls = 0;
                while (true) {
                    if (StringUtils.isAlphanumeric(big)) calls++;
                    sink = calls;
                }
            });
            var ref = Preempt.monitor(victim);
            Preempt.sleep(300);
            long t0 = System.nanoTime();
            Preempt.exit(victim, ExitReason.KILL);
            Object d = Preempt.receive(m -> m instanceof Down dd && dd.ref().equals(ref), java.time.Duration.ofSeconds(30)).orElse(null);
            if (d == null) {
                System.out.println("aroundLibrary down=none");
                return;
            }
            worst = Math.max(worst, System.nanoTime() - t0);
        }
        System.out.println("aroundLibrary rounds=" + rounds + " worstKillMs=" + worst / 1_000_000 + " calls=" + sink);
    }
}
