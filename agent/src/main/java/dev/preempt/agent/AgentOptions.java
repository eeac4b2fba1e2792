package dev.preempt.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The agent's options: {@code -javaagent:preempt-agent.jar=budget=2000,include=com.acme:org.foo}.
 * Options are separated by commas; list values by colons (JaCoCo's convention). Every problem is
 * reported as one line saying what is wrong and what is accepted.
 *
 * <pre>{@code
 * AgentOptions o = AgentOptions.parse("budget=2000,include=com.acme,send=copy");
 * o.budget();    // 2000
 * o.include();   // [com/acme/]
 * }</pre>
 *
 * @param budget reductions per slice (default 4000)
 * @param carriers carrier threads; 0 when not given (the runtime then uses one per core)
 * @param include package prefixes to rewrite, in internal form ({@code com/acme/}); empty: all but the excluded
 * @param exclude package prefixes not to rewrite, in internal form
 * @param engine the continuation engine ({@code vm})
 * @param log the agent's log level: off, warn (the default), info or debug
 * @param send the send policy's name: immutable (the default), copy or trust
 * @param stripMine loop iterations between ticks in counted loops (default 1000; 0: a tick every iteration)
 * @param jfr the file to record Preempt's JFR events into, or null for no recording
 * @param runtimeProperties the system properties that carry the options to the runtime
 *        ({@code preempt.budget}, {@code preempt.maxStack}, ...), in the order given; unmodifiable
 */
public record AgentOptions(int budget, int carriers, List<String> include, List<String> exclude, String engine,
        String log, String send, int stripMine, String jfr, java.util.Map<String, String> runtimeProperties) {

    static final String ACCEPTED = "budget=N (reductions per slice, default " + dev.preempt.Scheduler.DEFAULT_BUDGET + "), carriers=N (default: cores),"
            + " include=pkg:pkg, exclude=pkg:pkg, engine=vm, log=off|warn|info|debug (default warn),"
            + " send=immutable|copy|trust (default immutable), stripmine=K (loop iterations between ticks in"
            + " counted loops, default 1000, 0 = a tick every iteration), maxstack=SIZE (the most heap a process's"
            + " stack may take, e.g. 16m (the default) or 512k; 0 = no bound), oom=exit|process (an OutOfMemoryError"
            + " in a process ends the JVM with status 3, the default, or only that process), timeslice=TIME (the"
            + " longest slice while others wait, default 2ms; 0 = no bound), handoff=TIME (how long a slice may"
            + " hold its carrier before a spare takes its place, default 10ms; 0 = never), spares=N (the most"
            + " spare carriers at once, default 256), blockingthreads=N (threads for Preempt.blocking, default 256),"
            + " jfr=FILE (record with Preempt's JFR settings into FILE, written at exit), crashreports=unseen|all|off"
            + " (which process crashes get an ERROR report, default unseen: those no link or monitor hears of),"
            + " ticks=count|flag (count: every method entry spends a reduction, the default; flag: only loops spend"
            + " them, calls are preempted by time, cheaper on call-heavy code), stats=true (at exit, one line: classes rewritten and the time spent rewriting them)";

    /** A malformed or unknown option. */
    public static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Parses the text after {@code =} in {@code -javaagent:jar=...}; null or empty means defaults.
     *
     * @param text the options, or null
     * @return the parsed options
     * @throws Invalid if an option is malformed, unknown, out of range or given twice, or an include is
     *         wholly excluded
     */
    public static AgentOptions parse(String text) {
        int budget = dev.preempt.Scheduler.DEFAULT_BUDGET;
        int carriers = 0;
        List<String> include = new ArrayList<>();
        List<String> exclude = new ArrayList<>();
        String engine = "vm";
        String log = "warn";
        String send = "immutable";
        int stripMine = 1000;
        String jfr = null;
        java.util.Map<String, String> props = new java.util.LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        if (text != null && !text.isBlank()) {
            for (String part : text.split(",", -1)) {
                int eq = part.indexOf('=');
                if (part.isBlank() || eq <= 0) {
                    throw new Invalid("malformed option '" + part + "' in '" + text + "': expected key=value. Accepted: " + ACCEPTED);
                }
                String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = part.substring(eq + 1).trim();
                if (!seen.add(key)) {
                    throw new Invalid("option " + key + " is given twice in '" + text + "' (lists take colons: include=com.acme:org.foo)");
                }
                switch (key) {
                    case "budget" -> {
                        budget = positiveInt(key, value, 1, 1_000_000_000);
                        props.put("preempt.budget", Integer.toString(budget));
                    }
                    case "carriers" -> {
                        carriers = positiveInt(key, value, 1, 4096);
                        props.put("preempt.carriers", Integer.toString(carriers));
                    }
                    case "include" -> include.addAll(packages(key, value));
                    case "exclude" -> exclude.addAll(packages(key, value));
                    case "engine" -> {
                        engine = oneOf(key, value, "vm");
                        props.put("preempt.engine", engine);
                    }
                    case "log" -> log = oneOf(key, value, "off", "warn", "info", "debug");
                    case "send" -> {
                        send = oneOf(key, value, "immutable", "copy", "trust");
                        props.put("preempt.send", send);
                    }
                    case "stripmine" -> stripMine = positiveInt(key, value, 0, 1_000_000);
                    case "maxstack" -> props.put("preempt.maxStack", Long.toString(bytes(key, value)));
                    case "jfr" -> {
                        if (value.isEmpty()) throw new Invalid("option jfr= needs a file name, as in jfr=preempt.jfr");
                        jfr = value;
                    }
                    case "crashreports" -> props.put("preempt.crashReports", oneOf(key, value, "unseen", "all", "off"));
                    case "cache" -> {
                        if (value.isEmpty()) throw new Invalid("cache= needs a directory (cache=target/preempt-cache)");
                        props.put("preempt.agentCache", value);
                    }
                    case "ticks" -> props.put("preempt.ticks", oneOf(key, value, "count", "flag"));
                    case "stats" -> props.put("preempt.agentStats", oneOf(key, value, "true", "false"));
                    case "oom" -> props.put("preempt.oom", oneOf(key, value, "exit", "process"));
                    case "timeslice" -> props.put("preempt.timeslice", Long.toString(nanos(key, value)));
                    case "handoff" -> props.put("preempt.handoff", Long.toString(nanos(key, value)));
                    case "spares" -> props.put("preempt.spares", Integer.toString(positiveInt(key, value, 0, 100_000)));
                    case "blockingthreads" -> props.put("preempt.blockingThreads", Integer.toString(positiveInt(key, value, 1, 100_000)));
                    default -> throw new Invalid("unknown option '" + key + "'. Accepted: " + ACCEPTED);
                }
            }
        }
        for (String in : include) {
            for (String ex : exclude) {
                if (in.startsWith(ex)) {
                    throw new Invalid("include=" + dotted(in) + " is excluded entirely by exclude=" + dotted(ex)
                            + ": nothing under it would be rewritten");
                }
            }
        }
        return new AgentOptions(budget, carriers, List.copyOf(include), List.copyOf(exclude), engine, log, send, stripMine,
                jfr, java.util.Collections.unmodifiableMap(props));
    }

    /** "com.acme" for the internal prefix "com/acme/". */
    static String dotted(String prefix) {
        return prefix.substring(0, prefix.length() - 1).replace('/', '.');
    }

    /** Package prefixes whose last name looks like a class's ({@code com.acme.Main}): the options take packages. */
    List<String> classLikePrefixes() {
        List<String> out = new ArrayList<>();
        for (String p : include) {
            String d = dotted(p);
            String last = d.substring(d.lastIndexOf('.') + 1);
            if (!last.isEmpty() && Character.isUpperCase(last.charAt(0))) out.add(d);
        }
        return out;
    }

    private static int positiveInt(String key, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new Invalid("option " + key + "=" + value + " is not a whole number from " + min + " to " + max);
        }
    }

    /** A duration in nanoseconds: digits with a unit, us, ms or s (0 needs none). */
    private static long nanos(String key, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        long unit;
        String digits;
        if (v.endsWith("us")) {
            unit = 1_000L;
            digits = v.substring(0, v.length() - 2);
        } else if (v.endsWith("ms")) {
            unit = 1_000_000L;
            digits = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            unit = 1_000_000_000L;
            digits = v.substring(0, v.length() - 1);
        } else {
            unit = 0;
            digits = v;
        }
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > 3_600_000_000L || (unit == 0 && n != 0)) throw new NumberFormatException();
            return n * unit;
        } catch (NumberFormatException e) {
            throw new Invalid("option " + key + "=" + value + " is not a duration (a whole number with us, ms or s,"
                    + " as in 2ms; or 0)");
        }
    }

    /** A size in bytes: digits with an optional k, m or g (binary units). */
    private static long bytes(String key, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        int shift = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? v : v.substring(0, v.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > (Long.MAX_VALUE >> 31)) throw new NumberFormatException();
            return n << shift;
        } catch (NumberFormatException e) {
            throw new Invalid("option " + key + "=" + value + " is not a size (a whole number with an optional k, m or g, as in 16m)");
        }
    }

    private static String oneOf(String key, String value, String... accepted) {
        String v = value.toLowerCase(Locale.ROOT);
        for (String a : accepted) {
            if (a.equals(v)) return a;
        }
        throw new Invalid("option " + key + "=" + value + " is not one of " + String.join(", ", accepted));
    }

    private static List<String> packages(String key, String value) {
        List<String> out = new ArrayList<>();
        for (String p : value.split(":", -1)) {
            String pkg = p.trim();
            if (pkg.endsWith(".*")) pkg = pkg.substring(0, pkg.length() - 2);
            if (pkg.isEmpty() || !pkg.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
                throw new Invalid("option " + key + "=" + value + ": '" + p + "' is not a package name (use com.acme or com.acme.*, separated by ':')");
            }
            out.add(pkg.replace('.', '/') + '/');
        }
        return out;
    }
}
