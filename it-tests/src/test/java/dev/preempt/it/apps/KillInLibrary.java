package dev.preempt.it.apps;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Processes that fill a bounded Caffeine cache in a tight loop that never calls the runtime, killed at
 * random while they run: each exit waits past its deadline and is then thrown at a tick. A tick inside
 * Caffeine's own code (between a write-buffer slot's reservation and its store, inside the eviction's
 * drain) broke the cache for everyone. Prints the cache's size after the kills against its bound, and
 * after one more put. With {@code inline}, the cache's maintenance runs in the filling processes too.
 */
public final class KillInLibrary {

    private KillInLibrary() {}

    static final int MAX = 100;

    @Process
    public static void main(String[] args) throws Exception {
        int workers = 8, kills = Integer.parseInt(args[0]);
        var builder = Caffeine.newBuilder().maximumSize(MAX);
        if (args.length > 1 && args[1].equals("inline")) builder.executor(Runnable::run); // maintenance in the killed process
        Cache<Integer, String> cache = builder.build();
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < workers; i++) pids.add(filler(cache));
        long worst = 0;
        for (int n = 0; n < kills; n++) {
            Preempt.sleep(2 + n % 7);
            int i = ThreadLocalRandom.current().nextInt(workers);
            Pid victim = pids.get(i);
            var ref = Preempt.monitor(victim);
            long t0 = System.nanoTime();
            Preempt.exit(victim, ExitReason.KILL);
            Preempt.receive(m -> m instanceof Down d && d.ref().equals(ref));
            worst = Math.max(worst, System.nanoTime() - t0);
            pids.set(i, filler(cache));
        }
        for (Pid p : pids) {
            var ref = Preempt.monitor(p);
            Preempt.exit(p, ExitReason.KILL);
            Preempt.receive(m -> m instanceof Down d && d.ref().equals(ref));
        }
        cache.cleanUp();
        long size = cache.estimatedSize(), entries = cache.asMap().size();
        cache.put(-1, "after");
        cache.cleanUp();
        System.out.println("cache kills=" + kills + " max=" + MAX + " size=" + size + " entries=" + entries
                + " after=" + cache.asMap().size() + " worstKillMs=" + worst / 1_000_000);
    }

    static Pid filler(Cache<Integer, String> cache) {
        return Preempt.spawn(() -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            while (true) {
                int k = r.nextInt(100_000);
                cache.put(k, "v" + k);
            }
        });
    }
}
