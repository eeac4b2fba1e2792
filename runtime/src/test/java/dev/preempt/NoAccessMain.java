package dev.preempt;

/** Started in a JVM without the agent and without --add-opens: spawning must say what is missing. */
public final class NoAccessMain {
    private NoAccessMain() {}

    public static void main(String[] args) {
        try {
            Preempt.spawn(() -> {});
            System.out.println("UNEXPECTED: spawned");
        } catch (IllegalStateException e) {
            System.out.println("ERROR: " + e.getMessage());
        }
    }
}
