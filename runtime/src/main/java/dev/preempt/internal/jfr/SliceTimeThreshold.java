package dev.preempt.internal.jfr;

import java.util.Locale;
import java.util.Set;
import jdk.jfr.SettingControl;

/**
 * The {@code minSliceTime} setting of SliceEnd: slices shorter than this are not recorded, so that a
 * recording can keep only the long slices (a process that held its carrier) at little cost. Values
 * are JFR timespans ({@code "0 ns"}, {@code "500 us"}, {@code "10 ms"}, {@code "1 s"}); when several
 * recordings set it, the smallest wins (each gets at least what it asked for).
 */
public final class SliceTimeThreshold extends SettingControl {

    static final String DEFAULT = "0 ns";

    /** The value JFR last set, for the carriers' cheap pre-filter (there is one SliceEnd type). */
    private static volatile long smallest;

    private String value = DEFAULT;
    private volatile long nanos;

    /** JFR makes one per event type. */
    public SliceTimeThreshold() {}

    @Override
    public String combine(Set<String> values) {
        String min = null;
        long minNanos = Long.MAX_VALUE;
        for (String v : values) {
            long n = parse(v);
            if (n < minNanos) {
                minNanos = n;
                min = v;
            }
        }
        return min == null ? DEFAULT : min;
    }

    @Override
    public void setValue(String v) {
        value = v;
        nanos = parse(v);
        smallest = nanos;
    }

    @Override
    public String getValue() {
        return value;
    }

    long nanos() {
        return nanos;
    }

    /** The minSliceTime in force now, in nanoseconds (0 when no recording set one). */
    static long smallest() {
        return smallest;
    }

    /** "10 ms", "10ms", "0" → nanoseconds; something unreadable counts as 0 (record every slice). */
    static long parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) i++;
        if (i == 0) return 0;
        long n;
        try {
            n = Long.parseLong(t.substring(0, i));
        } catch (NumberFormatException e) {
            return 0;
        }
        return switch (t.substring(i).trim()) {
            case "", "ns" -> n;
            case "us" -> n * 1_000;
            case "ms" -> n * 1_000_000;
            case "s" -> n * 1_000_000_000;
            case "m" -> n * 60_000_000_000L;
            default -> 0;
        };
    }
}
