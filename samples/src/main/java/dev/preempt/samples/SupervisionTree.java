package dev.preempt.samples;


import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.send;

import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;
import dev.preempt.Supervisor;
import dev.preempt.Supervisor.ChildSpec;
import dev.preempt.Supervisor.Flags;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * A supervision tree that stays calm: four workers crash at random and are restarted; one worker turns
 * into a CPU hog (a plain endless loop) until a watchdog notices its heartbeats stopped and kills it,
 * and its supervisor restarts it. The output shows each crash, kill and restart as it happens. Under the
 * agent the hog is preempted, so the watchdog keeps running and the kill lands at the hog's next tick.
 *
 * <pre>
 * java -javaagent:preempt-agent.jar -cp preempt-samples.jar dev.preempt.samples.SupervisionTree [seconds]
 * </pre>
 */
public final class SupervisionTree {

    static final long T0 = System.nanoTime();
    static volatile long sink;

    private SupervisionTree() {}

    record Heartbeat(Pid from) {}

    @Process
    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        showRestarts();
        say("starting the tree: root -> {workers: crashy-1..4, hog}, watchdog");
        Pid root = Supervisor.start(Flags.oneForOne().intensity(10, Duration.ofSeconds(1)), List.of(
                ChildSpec.worker("watchdog", SupervisionTree::watchdog),
                ChildSpec.supervisor("workers", Flags.oneForOne().intensity(20, Duration.ofSeconds(1)), List.of(
                        ChildSpec.worker("crashy-1", SupervisionTree::crashy),
                        ChildSpec.worker("crashy-2", SupervisionTree::crashy),
                        ChildSpec.worker("crashy-3", SupervisionTree::crashy),
                        ChildSpec.worker("crashy-4", SupervisionTree::crashy),
                        ChildSpec.worker("hog", SupervisionTree::sometimesHogs)))));
        Preempt.sleep(Duration.ofSeconds(seconds));
        Pid workers = Supervisor.whichChildren(root).stream().filter(c -> c.id().equals("workers"))
                .findFirst().flatMap(Supervisor.Child::pid).orElseThrow();
        say("after " + seconds + " s: the workers' supervisor made " + Supervisor.countChildren(workers).restarts()
                + " restarts, the root " + Supervisor.countChildren(root).restarts() + "; every child is up: "
                + Supervisor.whichChildren(workers).stream().allMatch(c -> c.pid().isPresent()));
        Supervisor.stop(root);
        say("tree stopped");
    }

    /** Works a while, then crashes with bad luck. */
    static void crashy() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        Preempt.sleep(200 + rnd.nextInt(1500));
        say(self() + " " + "crashes on purpose");
        throw new IllegalStateException("bad luck");
    }

    /** Sends heartbeats to the watchdog; after a while, loops forever without them (a plain hog). */
    static void sometimesHogs() {
        long hogAfter = System.nanoTime() + Duration.ofMillis(700 + ThreadLocalRandom.current().nextInt(1500)).toNanos();
        while (System.nanoTime() < hogAfter) {
            Preempt.whereis("watchdog").ifPresent(w -> send(w, new Heartbeat(self())));
            Preempt.sleep(20);
        }
        say(self() + " starts hogging the CPU (no more heartbeats, no yield written)");
        long c = 0;
        while (true) {
            c++;
            if ((c & 0xFFFFFFFL) == 0) sink = c;
        }
    }

    /** Kills a process whose heartbeats stopped for 300 ms. */
    static void watchdog() {
        Preempt.register("watchdog", self());
        Map<Pid, Long> last = new HashMap<>();
        while (true) {
            Optional<Heartbeat> hb = Preempt.receive(Heartbeat.class, Duration.ofMillis(50));
            long now = System.nanoTime();
            hb.ifPresent(h -> last.put(h.from(), now));
            last.entrySet().removeIf(e -> {
                if (!Preempt.isAlive(e.getKey())) return true;
                if (now - e.getValue() > Duration.ofMillis(300).toNanos()) {
                    say("watchdog: " + e.getKey() + " missed its heartbeats for 300 ms: killing it");
                    Preempt.exit(e.getKey(), ExitReason.KILL);
                    return true;
                }
                return false;
            });
        }
    }

    static void say(String what) {
        System.out.printf("%6.3f s  %s%n", (System.nanoTime() - T0) / 1e9, what);
    }

    /** Prints the supervisors' restart log lines (logger dev.preempt.supervisor, level DEBUG/FINE). */
    static void showRestarts() {
        Logger log = Logger.getLogger("dev.preempt.supervisor");
        log.setLevel(Level.FINE);
        log.setUseParentHandlers(false);
        ConsoleHandler h = new ConsoleHandler() {
            {
                setOutputStream(System.out);
            }
        };
        h.setLevel(Level.FINE);
        h.setFormatter(new SimpleFormatter() {
            @Override
            public String format(LogRecord r) {
                return String.format("%6.3f s  %s%n", (System.nanoTime() - T0) / 1e9, r.getMessage());
            }
        });
        log.addHandler(h);
    }

}
