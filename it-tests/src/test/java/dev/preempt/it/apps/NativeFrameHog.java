package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.send;
import static dev.preempt.Preempt.spawn;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import dev.preempt.ProcessInfo;

/**
 * A hog called through a native frame (reflection with {@code -Djdk.reflect.useNativeAccessorOnly=true}
 * goes through {@code NativeMethodAccessorImpl.invoke0}), where the VM refuses every yield, beside
 * another hog. Both must finish with the right values; the first one's refusals are pins.
 */
public final class NativeFrameHog {

    record Result(String who, long value, long pins) {}

    private NativeFrameHog() {}

    public static long hog() {
        long s = 0;
        for (int r = 0; r < 100; r++) {
            for (int i = 0; i < 1_000_000; i++) s += (i ^ r) & 7;
        }
        return s;
    }

    @Process
    public static void main(String[] args) throws Exception {
        Pid me = self();
        spawn(() -> {
            long v;
            try {
                v = (Long) NativeFrameHog.class.getMethod("hog").invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            send(me, new Result("reflective", v, Preempt.processInfo(self()).map(ProcessInfo::pins).orElse(-1L)));
        });
        spawn(() -> send(me, new Result("plain", hog(), Preempt.processInfo(self()).map(ProcessInfo::pins).orElse(-1L))));
        for (int i = 0; i < 2; i++) {
            Result r = receive(Result.class);
            System.out.printf("result who=%s value=%d pins=%d%n", r.who(), r.value(), r.pins());
        }
    }
}
