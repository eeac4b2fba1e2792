package dev.preempt.test;

import dev.preempt.Call;
import dev.preempt.Down;
import dev.preempt.ExitReason;
import dev.preempt.Pid;
import dev.preempt.Preempt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Small concurrency bugs written as Preempt processes, each with its fix. A body throws (or a process
 * it watches crashes) when the bug shows. Without the agent the scheduling points are sends, calls,
 * name look-ups (each spends a reduction, so a slice can end there), receives, sleeps and yields.
 */
final class Bugs {

    private Bugs() {}

    /**
     * A named bug: its buggy and its fixed body. {@code deep}: it needs one process to run through many
     * blocking steps before another takes one, which a random walk (a fair coin at every step) almost
     * never does; {@code waitsWhenHit}: a hit on a normal scheduler waits out a real timeout (a 5 s call or
     * receive, or the run's own).
     */
    record Bug(String name, PreemptExtension.Body buggy, PreemptExtension.Body fixed, boolean deep, boolean waitsWhenHit) {
        Bug(String name, PreemptExtension.Body buggy, PreemptExtension.Body fixed) {
            this(name, buggy, fixed, false, false);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Bug> all() {
        return List.of(
                new Bug("lost update through a shared object (TRUST)", () -> lostUpdate(false), () -> lostUpdate(true)),
                new Bug("check-then-act on a registry name", () -> checkThenAct(false), () -> checkThenAct(true)),
                new Bug("ordering assumed across two senders", () -> twoSenders(false), () -> twoSenders(true)),
                new Bug("atomicity violation across two calls", () -> twoCalls(false), () -> twoCalls(true)),
                new Bug("deadlock of two calls", () -> callDeadlock(false), () -> callDeadlock(true), false, true),
                new Bug("supervisor restart race on a name", () -> restartRace(false), () -> restartRace(true)),
                new Bug("a late subscriber misses the end of a stream", () -> lateSubscriber(false), () -> lateSubscriber(true),
                        true, true),
                new Bug("a request that forgets its timeout", () -> forgottenTimeout(false), () -> forgottenTimeout(true), false, true));
    }

    /** Waits for a Down from each of {@code pids} and fails unless every one ended normally. */
    private static void awaitNormal(List<Pid> pids) {
        for (Pid p : pids) Preempt.monitor(p);
        for (int i = 0; i < pids.size(); i++) {
            Down d = Preempt.receive(Down.class);
            if (!d.reason().isNormal()) {
                throw new AssertionError(d.pid() + " ended with " + d.reason(), d.reason().exceptionCause().orElse(null));
            }
        }
    }

    // ---- 1. lost update: a mutable object shared through TRUST sends; read, send, write ----

    /** Mutable on purpose: shared between processes (the send policy must be TRUST). */
    static final class Counter {
        int value;
    }

    static void lostUpdate(boolean fixed) {
        Pid log = Preempt.spawn(() -> {
            while (true) Preempt.receive();
        });
        Counter shared = new Counter();
        Pid owner = fixed ? Preempt.spawn(() -> { // the fix: one process owns the count
            int n = 0;
            while (true) {
                Object m = Preempt.receive();
                if (m.equals("inc")) n++;
                else if (m instanceof Call c) Preempt.reply(c, n);
            }
        }) : null;
        List<Pid> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            workers.add(Preempt.spawn(() -> {
                if (fixed) {
                    Preempt.send(owner, "inc");
                } else {
                    Counter c = Preempt.receive(Counter.class);
                    int v = c.value;
                    Preempt.send(log, "read " + v); // a scheduling point between the read and the write
                    c.value = v + 1;
                }
            }));
        }
        if (!fixed) for (Pid w : workers) Preempt.send(w, shared);
        awaitNormal(workers);
        int total = fixed ? (Integer) Preempt.call(owner, "get") : shared.value;
        if (total != 2) throw new AssertionError("two increments, count " + total);
        Preempt.exit(log, ExitReason.KILL);
        if (owner != null) Preempt.exit(owner, ExitReason.KILL);
    }

    // ---- 2. check-then-act: whereis, then spawn and register ----

    static void checkThenAct(boolean fixed) {
        Runnable cache = () -> {
            while (true) {
                if (Preempt.receive() instanceof Call c) Preempt.reply(c, "warm");
            }
        };
        List<Pid> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            clients.add(Preempt.spawn(() -> {
                if (Preempt.whereis("cache").isEmpty()) { // the check...
                    Pid p = Preempt.spawn(cache);
                    Preempt.call(p, "warm up"); // a call between the check and the act
                    if (fixed) {
                        try {
                            Preempt.register("cache", p);
                        } catch (IllegalArgumentException taken) { // ...and the fix: the act decides
                            Preempt.exit(p, ExitReason.KILL);
                        }
                    } else {
                        Preempt.register("cache", p); // ...then the act: the name may be taken by now
                    }
                }
                Preempt.send("cache", "hello");
            }));
        }
        awaitNormal(clients);
        Preempt.exit(Preempt.whereis("cache").orElseThrow(), ExitReason.KILL);
    }

    // ---- 3. ordering assumed across two senders ----

    static void twoSenders(boolean fixed) {
        Pid root = Preempt.self();
        Pid store = Preempt.spawn(() -> {
            // Per-pair order is the only order: "config" and "request" come from different processes.
            Object first = fixed ? Preempt.receive(m -> m.equals("config")) : Preempt.receive();
            if (!first.equals("config")) throw new IllegalStateException("a request came before the config: " + first);
            Preempt.receive(m -> m.equals("request"));
            Preempt.send(root, "served");
        });
        Preempt.monitor(store);
        Preempt.spawn(() -> Preempt.send(store, "config"));
        Preempt.spawn(() -> Preempt.send(store, "request"));
        Object m = Preempt.receive();
        if (m instanceof Down d) throw new AssertionError("the store ended with " + d.reason(), d.reason().exceptionCause().orElse(null));
    }

    // ---- 4. atomicity violation: read the balance in one call, write it in another ----

    record SetBalance(int value) {}

    record Withdraw(int amount) {}

    static void twoCalls(boolean fixed) {
        Pid bank = Preempt.spawn(() -> {
            int balance = 100;
            while (true) {
                Call c = Preempt.receive(Call.class);
                switch (c.request()) {
                    case String q when q.equals("balance") -> Preempt.reply(c, balance);
                    case SetBalance s -> {
                        balance = s.value();
                        Preempt.reply(c, "ok");
                    }
                    case Withdraw w -> {
                        balance -= w.amount();
                        Preempt.reply(c, "ok");
                    }
                    default -> Preempt.reply(c, "?");
                }
            }
        });
        List<Pid> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            clients.add(Preempt.spawn(() -> {
                if (fixed) {
                    Preempt.call(bank, new Withdraw(10));
                } else {
                    int b = (Integer) Preempt.call(bank, "balance");
                    Preempt.call(bank, new SetBalance(b - 10));
                }
            }));
        }
        awaitNormal(clients);
        int left = (Integer) Preempt.call(bank, "balance");
        if (left != 80) throw new AssertionError("two withdrawals of 10 from 100 left " + left);
        Preempt.exit(bank, ExitReason.KILL);
    }

    // ---- 5. deadlock: each server calls the other while handling a call ----

    static void callDeadlock(boolean fixed) {
        Pid[] b = new Pid[1];
        Pid a = Preempt.spawn(() -> {
            while (true) {
                Call c = Preempt.receive(Call.class);
                if (c.request().equals("x")) Preempt.reply(c, "x:" + Preempt.call(b[0], "y"));
                else Preempt.reply(c, "w-ok");
            }
        });
        b[0] = Preempt.spawn(() -> {
            int served = 0;
            while (true) {
                Call c = Preempt.receive(Call.class);
                if (c.request().equals("y")) {
                    Preempt.reply(c, "y-ok");
                } else if (fixed) {
                    Preempt.reply(c, "z:" + served); // the fix: answer from its own state
                } else {
                    Preempt.reply(c, "z:" + Preempt.call(a, "w")); // waits on a, which may be waiting on us
                }
                served++;
            }
        });
        List<Pid> clients = List.of(Preempt.spawn(() -> Preempt.call(a, "x")), Preempt.spawn(() -> Preempt.call(b[0], "z")));
        awaitNormal(clients);
        Preempt.exit(a, ExitReason.KILL);
        Preempt.exit(b[0], ExitReason.KILL);
    }

    // ---- 6. a restart race: the restarted worker registers its name itself, a moment after it starts ----

    static void restartRace(boolean fixed) {
        Runnable worker = () -> {
            Preempt.register("worker", Preempt.self()); // the window: started, not registered yet
            while (true) {
                Object m = Preempt.receive();
                if (m.equals("crash")) Preempt.exit(ExitReason.of("asked_to_crash"));
                if (m instanceof Call c) Preempt.reply(c, "done");
            }
        };
        Pid sup = dev.preempt.Supervisor.start(dev.preempt.Supervisor.Flags.oneForOne(),
                List.of(dev.preempt.Supervisor.ChildSpec.worker("w", worker)));
        Pid client = Preempt.spawn(() -> {
            Pid old;
            while ((old = Preempt.whereis("worker").orElse(null)) == null) Preempt.yield();
            Preempt.send(old, "crash");
            if (fixed) { // wait for a new pid under the name
                Pid first = old;
                while (Preempt.whereis("worker").map(p -> p.equals(first)).orElse(true)) Preempt.yield();
            } else { // wait until the name no longer names the old worker: absent counts as restarted
                while (Preempt.whereis("worker").equals(java.util.Optional.of(old))) Preempt.yield();
            }
            Preempt.call("worker", "job"); // NoProcessException if nobody is registered yet
        });
        awaitNormal(List.of(client));
        dev.preempt.Supervisor.stop(sup);
    }

    // ---- 7. a late subscriber: the stream ends before it subscribes, and nobody tells it ----

    record Subscribe(Pid who) {}

    /**
     * Deep for a random walk: the bug needs the producer's twenty acknowledged publishes (twenty slices,
     * each ending in a call) to finish before the consumer's first step; PCT runs a high-priority
     * producer through them unless a change point intervenes.
     */
    static void lateSubscriber(boolean fixed) {
        Pid pub = Preempt.spawn(() -> {
            List<Pid> subscribers = new ArrayList<>();
            boolean finished = false;
            while (true) {
                Object m = Preempt.receive();
                if (m instanceof Subscribe s) {
                    subscribers.add(s.who());
                    if (fixed && finished) Preempt.send(s.who(), "done"); // the fix: the end is remembered
                } else if (m instanceof Call c && c.request().equals("publish")) {
                    for (Pid sub : subscribers) Preempt.send(sub, "event");
                    Preempt.reply(c, "ack");
                } else if (m.equals("finish")) {
                    for (Pid sub : subscribers) Preempt.send(sub, "done");
                    finished = true;
                }
            }
        });
        Preempt.spawn(() -> {
            for (int i = 0; i < 20; i++) Preempt.call(pub, "publish");
            Preempt.send(pub, "finish");
        });
        Pid consumer = Preempt.spawn(() -> {
            Preempt.send(pub, new Subscribe(Preempt.self()));
            if (Preempt.receive(m -> m.equals("done"), java.time.Duration.ofSeconds(5)).isEmpty()) {
                throw new IllegalStateException("the stream never ended for this subscriber");
            }
        });
        awaitNormal(List.of(consumer));
        Preempt.exit(pub, ExitReason.KILL);
    }

    // ---- 8. a request/reply that forgets its timeout: the request is dropped and the client waits for ever ----

    record Request(Pid from) {}

    static void forgottenTimeout(boolean fixed) {
        Pid config = Preempt.spawn(() -> {
            while (true) {
                if (Preempt.receive() instanceof Call c) Preempt.reply(c, "config");
            }
        });
        Pid server = Preempt.spawn(() -> {
            Preempt.register("server", Preempt.self());
            Preempt.call(config, "load");                                   // init takes a moment...
            while (Preempt.receive(Duration.ZERO).isPresent()) {
                // ...and then drops whatever came before it was ready (a request among it)
            }
            while (true) {
                if (Preempt.receive() instanceof Request r) Preempt.send(r.from(), "reply");
            }
        });
        Pid client = Preempt.spawn(() -> {
            while (Preempt.whereis("server").isEmpty()) Preempt.yield();
            if (fixed) { // the fix: a timeout, and a retry
                for (int attempt = 0; ; attempt++) {
                    Preempt.send("server", new Request(Preempt.self()));
                    if (Preempt.receive(m -> m.equals("reply"), Duration.ofSeconds(1)).isPresent()) break;
                    if (attempt == 3) throw new IllegalStateException("no reply after 4 attempts");
                }
            } else {
                Preempt.send("server", new Request(Preempt.self()));
                Preempt.receive(m -> m.equals("reply")); // no timeout: a dropped request waits for ever
            }
        });
        awaitNormal(List.of(client));
        Preempt.exit(server, ExitReason.KILL);
        Preempt.exit(config, ExitReason.KILL);
    }
}
