package dev.preempt.det;

import dev.preempt.Call;
import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Schedule;
import dev.preempt.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A small program with every kind of scheduling event (spawns, sends from several senders, calls,
 * sleeps and a receive timeout on the virtual clock, monitors and Downs), used to compare traces within
 * one JVM and across JVMs ({@link #main}). Every process ends before the root does.
 */
public final class TraceScenario {

    private TraceScenario() {}

    /** What a run left: the trace, its hash and the order in which the collector saw the messages. */
    public record Result(String trace, long hash, List<String> order) {}

    /** Runs the scenario under {@code schedule}. */
    public static Result run(Schedule schedule) {
        List<String> order = new ArrayList<>();
        Scheduler s = Scheduler.builder().deterministic(schedule).build();
        try (s) {
            ExitReason r = s.run(() -> {
                Pid collector = Preempt.spawn(() -> {
                    for (int i = 0; i < 9; i++) {
                        Object m = Preempt.receive();
                        if (m instanceof Call c) Preempt.reply(c, "ok");
                        else order.add((String) m);
                    }
                    Preempt.receive(Duration.ofMillis(50)); // nothing comes: a virtual timeout
                });
                Preempt.monitor(collector);
                List<Pid> workers = new ArrayList<>();
                for (String name : List.of("a", "b", "c")) {
                    workers.add(Preempt.spawn(() -> {
                        Preempt.send(collector, name + "1");
                        Preempt.sleep(Duration.ofMillis(name.equals("b") ? 10 : 1));
                        Preempt.send(collector, name + "2");
                        Preempt.call(collector, "sync " + name);
                    }));
                }
                for (Pid w : workers) Preempt.monitor(w);
                for (int i = 0; i < 4; i++) Preempt.receive(Down.class);
            });
            if (!r.isNormal()) throw new AssertionError("scenario ended with " + r);
        }
        return new Result(s.trace(), s.traceHash(), order); // after close: the root's last slice has ended
    }

    /**
     * Prints the scenario's trace hash and trace under the schedule given as the arguments (a replay key).
     *
     * @param args the replay key's fields, e.g. {@code strategy=pct seed=3 depth=3 steps=40}
     */
    public static void main(String[] args) {
        Result r = run(Schedule.parse(String.join(" ", args)));
        System.out.println("hash " + Long.toHexString(r.hash()));
        System.out.print(r.trace());
    }
}
