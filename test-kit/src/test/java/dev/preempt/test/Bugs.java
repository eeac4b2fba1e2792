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
                new Bug("a request that forgets its timeout", () -> forgottenTimeout(false), () -> forgottenTimeout(true), false, true),
                new Bug("SCTBench CS/account_bad: the check runs after both updates", () -> account(false), () -> account(true)),
                new Bug("SCTBench CS/bluetooth_driver_bad: stop between the check and the increment", () -> bluetooth(false),
                        () -> bluetooth(true)),
                new Bug("SCTBench CS/twostage_bad: a reader between the two stages", () -> twoStage(false), () -> twoStage(true)),
                new Bug("SCTBench CS/reorder_3_bad: a checker between a setter's two writes (TRUST)", () -> reorder(false),
                        () -> reorder(true)),
                new Bug("SCTBench CS/stack_bad: a pop guarded by a flag, not by the size", () -> stack(false), () -> stack(true)),
                new Bug("JaConTeBe-style JDK: StringBuffer.append(StringBuffer) reads length, then chars", () -> appendBuffer(false),
                        () -> appendBuffer(true)));
    }

    /** Waits for a Down from each of {@code pids} and fails unless every one ended normally. */
    private static void awaitNormal(List<Pid> pids) {
        for (Pid p : pids) Preempt.monitor(p);
        awaitMonitored(pids);
    }

    /**
     * Waits for a Down from each of {@code pids}, already monitored (before they could end: a monitor
     * set after a process ended gets {@code noproc}, not how it ended), and fails unless every one ended
     * normally.
     */
    private static void awaitMonitored(List<Pid> pids) {
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
        for (Pid w : workers) Preempt.monitor(w); // before they can end
        if (!fixed) for (Pid w : workers) Preempt.send(w, shared);
        awaitMonitored(workers);
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

    // ---- Ports of SCTBench (Thomson, Donaldson, Betts, PPoPP 2014) and JaConTeBe programs ----
    //
    // Each keeps its original's shape and the number of ordering constraints its bug needs (its depth);
    // a lock-protected variable becomes a process's state reached by calls (one critical section, one
    // call), and where the original's bug is a data race the variables are fields of an object shared
    // through TRUST sends, with a scheduling point (a send to a log process) where the original has a
    // preemption point between two accesses.

    /** An amount to add to an account (negative: a withdrawal). */
    record Add(int amount, String done) {}

    /**
     * CS/account_bad (CHESS): balance = x = 1; one thread deposits y = 2, one withdraws z = 4, each
     * under the lock and setting its done flag; a checker, created first, asserts under the lock that
     * {@code balance == (x - y) - z} once both flags are set: a wrong expectation that only the
     * interleavings in which the checker runs after both updates reach. Depth 2 (deposit before check,
     * withdraw before check). The fix is the right expectation, {@code x + y - z}.
     */
    static void account(boolean fixed) {
        int x = 1, y = 2, z = 4;
        Pid account = Preempt.spawn(() -> {
            int balance = x;
            boolean depositDone = false, withdrawDone = false;
            while (true) {
                Call c = Preempt.receive(Call.class);
                if (c.request() instanceof Add a) {
                    balance += a.amount();
                    if (a.done().equals("deposit")) depositDone = true;
                    else withdrawDone = true;
                    Preempt.reply(c, "ok");
                } else { // "check": the checker's critical section
                    int expected = fixed ? x + y - z : (x - y) - z;
                    Preempt.reply(c, !(depositDone && withdrawDone) || balance == expected ? "ok"
                            : "balance " + balance + ", expected " + expected);
                }
            }
        });
        Pid check = Preempt.spawn(() -> {
            Object verdict = Preempt.call(account, "check");
            if (!verdict.equals("ok")) throw new IllegalStateException(String.valueOf(verdict));
        });
        Pid deposit = Preempt.spawn(() -> Preempt.call(account, new Add(y, "deposit")));
        Pid withdraw = Preempt.spawn(() -> Preempt.call(account, new Add(-z, "withdraw")));
        awaitNormal(List.of(check, deposit, withdraw));
        Preempt.exit(account, ExitReason.KILL);
    }

    /**
     * CS/bluetooth_driver_bad (KISS, Qadeer and Wu, PLDI 2004): a driver's device extension counts
     * pending I/O (starting at 1) and has a stopping flag, a stopping event and a stopped flag. An adder
     * checks the stopping flag (outside the lock), then increments the count (under it), asserts the
     * device is not stopped, and decrements; the stopper sets the flag, decrements, waits for the event
     * (the count reaching 0) and marks the device stopped. The bug: the whole stop runs between the
     * adder's check and its increment, and the adder works on a stopped device. Depth 2 (the stopper's
     * flag after the adder's check, the stopped mark before the adder's work). The fix checks and
     * increments in one critical section (one call).
     */
    static void bluetooth(boolean fixed) {
        Pid device = Preempt.spawn(() -> {
            int pendingIo = 1;
            boolean stoppingFlag = false, stopped = false;
            Call waiter = null; // the stopper waiting for the stopping event
            while (true) {
                Call c = Preempt.receive(Call.class);
                switch ((String) c.request()) {
                    case "stopping?" -> Preempt.reply(c, stoppingFlag);
                    case "increment" -> {
                        pendingIo++;
                        Preempt.reply(c, 0);
                    }
                    case "enter" -> { // the fix: check and increment together
                        if (!stoppingFlag) pendingIo++;
                        Preempt.reply(c, stoppingFlag ? -1 : 0);
                    }
                    case "work" -> Preempt.reply(c, stopped ? "worked on a stopped device" : "ok");
                    case "decrement" -> {
                        if (--pendingIo == 0 && waiter != null) Preempt.reply(waiter, "event");
                        Preempt.reply(c, "ok");
                    }
                    case "stop" -> {
                        stoppingFlag = true;
                        Preempt.reply(c, "ok");
                    }
                    case "await event" -> {
                        if (pendingIo == 0) Preempt.reply(c, "event");
                        else waiter = c;
                    }
                    case "stopped" -> {
                        stopped = true;
                        Preempt.reply(c, "ok");
                    }
                    default -> Preempt.reply(c, "?");
                }
            }
        });
        Pid adder = Preempt.spawn(() -> {
            int status;
            if (fixed) {
                status = (Integer) Preempt.call(device, "enter");
            } else {
                status = (Boolean) Preempt.call(device, "stopping?") ? -1 : (Integer) Preempt.call(device, "increment");
            }
            if (status == 0) {
                Object w = Preempt.call(device, "work");
                if (!w.equals("ok")) throw new IllegalStateException(String.valueOf(w));
                Preempt.call(device, "decrement");
            }
        });
        Pid stopper = Preempt.spawn(() -> {
            Preempt.call(device, "stop");
            Preempt.call(device, "decrement");
            Preempt.call(device, "await event");
            Preempt.call(device, "stopped");
        });
        awaitNormal(List.of(adder, stopper));
        Preempt.exit(device, ExitReason.KILL);
    }

    /** A new value for a stage. */
    record Set(int value) {}

    /** A process holding one value (a variable and the lock that guards it). */
    private static Pid cell() {
        return Preempt.spawn(() -> {
            int value = 0;
            while (true) {
                Call c = Preempt.receive(Call.class);
                if (c.request() instanceof Set s) value = s.value();
                Preempt.reply(c, value);
            }
        });
    }

    /**
     * CS/twostage_bad (CB): two variables, each under its own lock; the writer sets data1 = 1 under the
     * first lock, then data2 = data1 + 1 under the second; the reader reads data1 under the first lock
     * (and stops if it is 0), then data2 under the second, and asserts data2 == data1 + 1. The bug: the
     * reader runs between the writer's two stages. Depth 2 (the reader's first read after the first
     * stage, its second read before the second). Here each variable is a process. The fix publishes in
     * the other order: the second stage first, so a reader that sees data1 sees data2 too.
     */
    static void twoStage(boolean fixed) {
        Pid data1 = cell(), data2 = cell();
        Pid writer = Preempt.spawn(() -> {
            if (fixed) {
                Preempt.call(data2, new Set(1 + 1));
                Preempt.call(data1, new Set(1));
            } else {
                int v = (Integer) Preempt.call(data1, new Set(1));
                Preempt.call(data2, new Set(v + 1));
            }
        });
        Pid reader = Preempt.spawn(() -> {
            int t1 = (Integer) Preempt.call(data1, "get");
            if (t1 == 0) return;
            int t2 = (Integer) Preempt.call(data2, "get");
            if (t2 != t1 + 1) throw new IllegalStateException("data1 " + t1 + ", data2 " + t2);
        });
        awaitNormal(List.of(writer, reader));
        Preempt.exit(data1, ExitReason.KILL);
        Preempt.exit(data2, ExitReason.KILL);
    }

    /** Mutable on purpose: the two variables of reorder, shared through TRUST sends. */
    static final class AB {
        int a, b;
        /** The fix: one immutable pair, replaced in one write. */
        int[] pair = {0, 0};
    }

    /**
     * CS/reorder_3_bad (CB): globals a = b = 0; setter threads write a = 1 then b = -1, a checker reads
     * a then b and asserts (a, b) is (0, 0) or (1, -1). A data race: the checker reads between a
     * setter's two writes (or the writes between its two reads). Two setters and a checker, three
     * threads as in the original's name. Depth 2. The fields are shared through TRUST sends, a send to
     * a log is the preemption point between two accesses; the fix writes and reads one immutable pair.
     */
    static void reorder(boolean fixed) {
        Pid log = Preempt.spawn(() -> {
            while (true) Preempt.receive();
        });
        AB shared = new AB();
        List<Pid> all = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            all.add(Preempt.spawn(() -> {
                AB s = Preempt.receive(AB.class);
                if (fixed) {
                    Preempt.send(log, "set");
                    s.pair = new int[] {1, -1};
                } else {
                    s.a = 1;
                    Preempt.send(log, "a set");
                    s.b = -1;
                }
            }));
        }
        all.add(Preempt.spawn(() -> {
            AB s = Preempt.receive(AB.class);
            int a, b;
            if (fixed) {
                int[] p = s.pair;
                Preempt.send(log, "read");
                a = p[0];
                b = p[1];
            } else {
                a = s.a;
                Preempt.send(log, "a read");
                b = s.b;
            }
            if (!((a == 0 && b == 0) || (a == 1 && b == -1))) throw new IllegalStateException("a " + a + ", b " + b);
        }));
        for (Pid p : all) Preempt.monitor(p); // before they can end
        for (Pid p : all) Preempt.send(p, shared);
        awaitMonitored(all);
        Preempt.exit(log, ExitReason.KILL);
    }

    /** A value to push. */
    record Push(int value) {}

    /**
     * CS/stack_bad (Inspect): a bounded stack and a flag under one lock; the pusher pushes SIZE = 5
     * values, setting the flag after each; the popper loops SIZE times and, when the flag is set, pops
     * and fails on an underflow. The flag says "something was pushed once", not "the stack is not
     * empty": the popper fails when it pops twice between two pushes. Depth 2 (the first push before
     * the first pop, the second pop before the second push). The stack and the flag are one process,
     * each critical section a call; the fix pops only when the stack is not empty, and retries.
     */
    static void stack(boolean fixed) {
        int size = 5;
        Pid stack = Preempt.spawn(() -> {
            int[] arr = new int[size];
            int top = 0;
            boolean flag = false;
            while (true) {
                Call c = Preempt.receive(Call.class);
                if (c.request() instanceof Push p) {
                    arr[top++] = p.value();
                    flag = true;
                    Preempt.reply(c, "ok");
                } else if (c.request().equals("pop if flag")) {
                    Preempt.reply(c, !flag ? "no flag" : top == 0 ? "underflow" : (Object) arr[--top]);
                } else { // "pop if not empty": the fix
                    Preempt.reply(c, top == 0 ? "empty" : (Object) arr[--top]);
                }
            }
        });
        Pid pusher = Preempt.spawn(() -> {
            for (int i = 0; i < size; i++) Preempt.call(stack, new Push(i));
        });
        Pid popper = Preempt.spawn(() -> {
            if (fixed) {
                for (int popped = 0; popped < size; ) {
                    if (Preempt.call(stack, "pop if not empty") instanceof Integer) popped++;
                    else Preempt.yield();
                }
            } else {
                for (int i = 0; i < size; i++) {
                    if (Preempt.call(stack, "pop if flag").equals("underflow")) throw new IllegalStateException("stack underflow");
                }
            }
        });
        awaitNormal(List.of(pusher, popper));
        Preempt.exit(stack, ExitReason.KILL);
    }

    /** Asks a buffer for its characters from 0 to {@code length}. */
    record GetChars(int length) {}

    /** Asks a buffer to append another buffer's contents. */
    record AppendFrom(Pid other) {}

    /** A string buffer as a process, each synchronized method one call; {@code fixed}: append copies in one call. */
    private static Pid buffer(String initial, boolean fixed) {
        return Preempt.spawn(() -> {
            StringBuilder sb = new StringBuilder(initial);
            while (true) {
                Call c = Preempt.receive(Call.class);
                switch (c.request()) {
                    case String q when q.equals("length") -> Preempt.reply(c, sb.length());
                    case String q when q.equals("setLength 0") -> {
                        sb.setLength(0);
                        Preempt.reply(c, "ok");
                    }
                    case String q when q.equals("snapshot") -> Preempt.reply(c, sb.toString());
                    case GetChars g -> Preempt.reply(c, g.length() > sb.length()
                            ? "StringIndexOutOfBoundsException: srcEnd " + g.length() + " > length " + sb.length()
                            : sb.substring(0, g.length()));
                    case AppendFrom a -> {
                        Object copied;
                        if (fixed) {
                            copied = Preempt.call(a.other(), "snapshot"); // the fix: one critical section of the other
                        } else {
                            int len = (Integer) Preempt.call(a.other(), "length"); // the other's lock, once...
                            copied = Preempt.call(a.other(), new GetChars(len)); // ...and again: it may have shrunk
                        }
                        if (((String) copied).startsWith("StringIndexOutOfBoundsException")) {
                            Preempt.reply(c, copied);
                        } else {
                            sb.append(copied);
                            Preempt.reply(c, "ok");
                        }
                    }
                    default -> Preempt.reply(c, "?");
                }
            }
        });
    }

    /**
     * The JDK's {@code StringBuffer.append(StringBuffer sb)} of the 1.4 era (a JDK atomicity violation of
     * the kind JaConTeBe collects, reconstructed from its well-known description, not from JaConTeBe's
     * source): synchronized on {@code this}, it
     * reads {@code sb.length()} and then calls {@code sb.getChars(0, len, ...)}, each synchronized on
     * {@code sb} separately, so a {@code sb.setLength(0)} in between makes the copy throw
     * {@code StringIndexOutOfBoundsException}. Two threads: one appends sb2 to sb1, one truncates sb2.
     * Depth 2 (the truncation after the length, before the copy). Each buffer is a process; the fix
     * copies the other's contents in one call.
     */
    static void appendBuffer(boolean fixed) {
        Pid sb1 = buffer("abc", fixed), sb2 = buffer("defgh", fixed);
        Pid appender = Preempt.spawn(() -> {
            Object r = Preempt.call(sb1, new AppendFrom(sb2));
            if (!r.equals("ok")) throw new IllegalStateException("sb1.append(sb2): " + r);
        });
        Pid truncater = Preempt.spawn(() -> Preempt.call(sb2, "setLength 0"));
        awaitNormal(List.of(appender, truncater));
        Preempt.exit(sb1, ExitReason.KILL);
        Preempt.exit(sb2, ExitReason.KILL);
    }
}
