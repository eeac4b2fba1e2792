package dev.preempt;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The WARNING messages a JUL logger publishes while this is open. The tests' logging.properties turns
 * {@code dev.preempt} off, so this turns the logger on for the while, and back as it was on close.
 */
final class Warnings implements AutoCloseable {

    private final Logger jul;
    private final Level was;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel() == Level.WARNING) messages.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private Warnings(String logger) {
        jul = Logger.getLogger(logger);
        was = jul.getLevel();
        jul.setLevel(Level.ALL);
        jul.addHandler(handler);
    }

    /** Starts listening to {@code logger}'s warnings. */
    static Warnings of(String logger) {
        return new Warnings(logger);
    }

    /** What was warned so far (a live view). */
    List<String> messages() {
        return messages;
    }

    @Override
    public void close() {
        jul.removeHandler(handler);
        jul.setLevel(was);
    }
}
