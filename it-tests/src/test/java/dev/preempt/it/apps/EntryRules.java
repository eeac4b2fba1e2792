package dev.preempt.it.apps;

import static dev.preempt.Preempt.receive;
import static dev.preempt.Preempt.self;
import static dev.preempt.Preempt.send;

import dev.preempt.Pid;
import dev.preempt.Preempt;
import dev.preempt.Process;

/**
 * The {@code @Process} rules. {@code EntryRules normal}: static and instance {@code @Process} methods
 * start processes and return at once ({@link Preempt#lastSpawned()} gives their pids); main then
 * returns while a hog still runs, and the program ends (like Go's main). {@code EntryRules throw}: the
 * root process ends with an exception: it is printed and the exit status is 1.
 */
public final class EntryRules {

    record Hello(Pid from, String text) {}

    private final String greeting;

    EntryRules(String greeting) {
        this.greeting = greeting;
    }

    @Process
    static void greet(Pid to, String who) {
        send(to, new Hello(self(), "hello " + who));
    }

    @Process
    void greetFromInstance(Pid to) {
        send(to, new Hello(self(), greeting));
    }

    @Process
    static void hog() {
        long n = 0;
        while (true) n++;
    }

    @Process
    public static void main(String[] args) throws java.io.IOException {
        System.out.println("main inProcess=" + Preempt.inProcess() + " self=" + (Preempt.inProcess() ? self() : "none"));
        if (args.length > 0 && args[0].equals("throw")) {
            throw new IllegalStateException("root process failed on purpose");
        }
        if (args.length > 0 && args[0].equals("throwChecked")) {
            throw new java.io.IOException("checked from main");
        }
        Pid me = self();
        greet(me, "static");
        Pid staticPid = Preempt.lastSpawned().orElseThrow();
        new EntryRules("hello instance").greetFromInstance(me);
        Pid instancePid = Preempt.lastSpawned().orElseThrow();
        Hello a = (Hello) receive(m -> m instanceof Hello h && h.text().equals("hello static"));
        Hello b = (Hello) receive(m -> m instanceof Hello h && h.text().equals("hello instance"));
        System.out.println("spawned static=" + staticPid.equals(a.from()) + " instance=" + instancePid.equals(b.from())
                + " distinct=" + !staticPid.equals(me) + " texts=" + a.text() + "|" + b.text());
        hog();
        System.out.println("hog started=" + Preempt.isAlive(Preempt.lastSpawned().orElseThrow()));
        System.out.println("main returns");
    }
}
