package dev.preempt.bench;

/** Placeholder entry point; the suites come next. */
public final class Report {
    private Report() {}

    public static void main(String[] args) {
        System.out.println("no suites yet");
    }
}
