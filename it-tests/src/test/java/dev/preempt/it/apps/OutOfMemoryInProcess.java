package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.spawnMonitor;

import dev.preempt.Down;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code OutOfMemoryInProcess}: a process fills the heap (run with a small one and {@code oom=process});
 * it ends with the error as its reason, and the rest goes on: prints the reason and that a process spawned
 * afterwards ran on every carrier.
 */
public final class OutOfMemoryInProcess {
    private OutOfMemoryInProcess() {}

    @Process
    public static void main(String[] args) {
        var hog = spawnMonitor(() -> {
            List<long[]> keep = new ArrayList<>();
            while (true) keep.add(new long[1 << 16]);
        });
        Down d = (Down) receive(m -> m instanceof Down dn && dn.ref().equals(hog.ref()));
        System.out.println("oom reason=" + d.reason().toString().replace(' ', '_'));
        int carriers = 2;
        int ran = 0;
        for (int i = 0; i < 4 * carriers; i++) {
            var p = spawnMonitor(() -> { });
            receive(m -> m instanceof Down dn && dn.ref().equals(p.ref()));
            ran++;
        }
        System.out.println("after ran=" + ran);
    }
}
