package dev.preempt.agent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The agent's few messages, on stderr, filtered by the {@code log} option. */
final class AgentLog {

    private static volatile int level = 1; // 0 off, 1 warn, 2 info, 3 debug
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private AgentLog() {}

    static void setLevel(String name) {
        level = switch (name) {
            case "off" -> 0;
            case "info" -> 2;
            case "debug" -> 3;
            default -> 1;
        };
    }

    /** Warns once per key. */
    static void warnOnce(String key, String message) {
        if (level >= 1 && WARNED.add(key)) System.err.println("[preempt] warning: " + message);
    }

    static void info(String message) {
        if (level >= 2) System.err.println("[preempt] " + message);
    }

    static void debug(String message) {
        if (level >= 3) System.err.println("[preempt] debug: " + message);
    }
}
