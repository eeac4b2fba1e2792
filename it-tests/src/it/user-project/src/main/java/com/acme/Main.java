package com.acme;

import dev.preempt.Preempt;

/** A user's program: a hog and a worker that still gets its turn. */
public final class Main {

    private Main() {}

    static volatile long sink;

    /** Counts forever: no yield written anywhere. */
    static void hog() {
        long n = 0;
        while (true) sink = ++n;
    }

    @dev.preempt.Process
    public static void main(String[] args) {
        Preempt.spawn(Main::hog);
        Preempt.sleep(50);
        System.out.println("hello from " + Preempt.self() + " beside a hog");
    }
}
