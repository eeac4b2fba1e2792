package dev.preempt.agent;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code cache=DIR}: rewritten classes kept on disk between runs, so that a second start-up reads them
 * instead of rewriting them (rewriting is most of what the agent adds to start-up: ~530 ms for the 600
 * classes of a small Jackson app, ASM still cold). Thread-safe: classes load on many threads at once;
 * each entry is written to a temporary file and moved into place atomically, so a reader sees a whole
 * entry or none.
 *
 * <p>An entry's key is a SHA-256 over everything the output depends on: the class's bytes and name, the
 * rewriting options, the agent jar (its size and modification time), the JDK's version, and the
 * application class path (each entry's path, size and modification time: the stack map frames the
 * rewriter computes depend on the class hierarchy it finds there). Only classes of the application class
 * loader are cached; other loaders may see another hierarchy. An empty entry means "loaded unchanged".
 * Any failure to read or write an entry falls back to rewriting, with one warning for the directory.
 */
final class RewriteCache {

    private final Path dir;
    /** SHA-256 that has absorbed the salt; cloned per key (a provider look-up per class was slow). */
    private final MessageDigest salted;
    final LongAdder hits = new LongAdder(), stores = new LongAdder();

    private RewriteCache(Path dir, byte[] salt) {
        this.dir = dir;
        try {
            salted = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
        salted.update(salt);
    }

    /** A cache in {@code dir} (created if missing) for the given rewriting options, or null with a warning if unusable. */
    static RewriteCache open(String dir, String options) {
        try {
            Path d = Path.of(dir).toAbsolutePath();
            Files.createDirectories(d);
            StringBuilder salt = new StringBuilder("preempt-rewrite-cache-1\n").append(options).append('\n')
                    .append(System.getProperty("java.runtime.version")).append('\n').append(fileStamp(agentJar())).append('\n');
            String cp = System.getProperty("java.class.path", "");
            for (String entry : cp.split(File.pathSeparator)) {
                if (!entry.isEmpty()) salt.append(fileStamp(Path.of(entry))).append('\n');
            }
            return new RewriteCache(d, salt.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) { // IllegalStateException included: no SHA-256
            AgentLog.warnOnce("cache " + dir, "cannot use cache=" + dir + " (" + e + "); classes are rewritten at every start");
            return null;
        }
    }

    private static Path agentJar() {
        try {
            return Path.of(PreemptAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception | LinkageError e) {
            return Path.of("?");
        }
    }

    /** Path, size and modification time; a missing file is stamped as such (it may appear later). */
    private static String fileStamp(Path p) {
        try {
            return p.toAbsolutePath() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException | RuntimeException e) {
            return p + " missing";
        }
    }

    /** Whether classes of {@code loader} are cached (only the application class loader's). */
    static boolean caches(ClassLoader loader) {
        return loader != null && loader == ClassLoader.getSystemClassLoader();
    }

    String key(String className, byte[] bytes) {
        MessageDigest sha;
        try {
            sha = (MessageDigest) salted.clone(); // clone() leaves the prototype as it was: safe from any thread
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e); // the JDK's SHA-256 is cloneable
        }
        sha.update(className.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(bytes);
        return HexFormat.of().formatHex(sha.digest());
    }

    private Path file(String key) {
        return dir.resolve(key.substring(0, 2)).resolve(key + ".class");
    }

    /** The cached output (empty: unchanged), or null if there is none. */
    byte[] get(String key) {
        try {
            byte[] b = Files.readAllBytes(file(key));
            hits.increment();
            return b;
        } catch (NoSuchFileException missing) {
            return null;
        } catch (IOException | RuntimeException e) {
            AgentLog.warnOnce("cache read " + dir, "cannot read the rewrite cache in " + dir + " (" + e + "); rewriting instead");
            return null;
        }
    }

    /** Stores {@code out} (null: the class loads unchanged) under {@code key}. */
    void put(String key, byte[] out) {
        Path target = file(key);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), key.substring(0, 8), ".tmp");
            Files.write(tmp, out == null ? new byte[0] : out);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            stores.increment();
        } catch (IOException | RuntimeException e) {
            AgentLog.warnOnce("cache write " + dir, "cannot write the rewrite cache in " + dir + " (" + e + "); it is not kept");
        }
    }
}
