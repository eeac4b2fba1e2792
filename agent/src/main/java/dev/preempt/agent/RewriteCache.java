package dev.preempt.agent;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * {@code cache=DIR}: rewritten classes kept on disk between runs, so that a second start-up reads them
 * instead of rewriting them (rewriting is most of what the agent adds to start-up: ~530 ms for the 600
 * classes of a small Jackson app, ASM still cold). Thread-safe: classes load on many threads at once;
 * each entry is written to a temporary file and moved into place atomically, so a reader sees a whole
 * entry or none.
 *
 * <p>What an entry depends on besides the class itself (the rewriting options, the agent jar's size and
 * modification time, the JDK's version, and the application class path: each entry's path, size and
 * modification time, since the stack map frames the rewriter computes depend on the class hierarchy it
 * finds there) names a subdirectory: a SHA-256 of it, computed once. In it, an entry is found by two
 * CRCs of the class's bytes and their length, and holds those bytes before its output: a hit is one
 * whose stored bytes are the class's, byte for byte, so no checksum collision can load the wrong class.
 * Not a SHA-256 per class: at start-up, while the JIT is cold, that cost 50 ms for the 600 classes of
 * the Jackson app, most of what reading the cache took (66-80 ms); the CRCs are intrinsics even in the
 * interpreter (3 ms). Only classes of the system class loader are cached; other loaders may see another
 * hierarchy. An empty output means "loaded unchanged". Any failure to read or write an entry falls back
 * to rewriting, with one warning for the directory.
 *
 * <p>The pack: reading one file per class was most of what a start-up with a full cache still spent in
 * the agent (602 files, 54-74 ms, the JIT still cold). So a run that stored entries, found no pack, or
 * read an entry from its file, writes every entry of the directory into one file, {@code pack}, as it
 * exits; the next run maps it at open and finds entries in it by their key, checked byte for byte as a
 * file entry is. An entry not in the pack (stored since) is read from its file. The pack is written to a
 * temporary file and moved into place, so a reader sees a whole pack or the previous one.
 */
final class RewriteCache {

    /** The entries of this salt: {@code cache=DIR}/{first 16 hex digits of the salt's SHA-256}. */
    private final Path dir;
    final LongAdder hits = new LongAdder(), stores = new LongAdder(), packHits = new LongAdder();
    /** Every entry in one file, mapped (read-only), or null if there was none. */
    private final ByteBuffer pack;
    /** Key to the offset of its entry's lengths in {@link #pack}. */
    private final Map<String, Integer> packIndex;

    private static final int PACK_MAGIC = 0x50524b31; // "PRK1"

    private RewriteCache(Path root, byte[] salt) {
        try {
            this.dir = root.resolve(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(salt)).substring(0, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
        ByteBuffer b = null;
        Map<String, Integer> index = Map.of();
        try {
            b = mapPack(dir.resolve("pack"));
            index = b == null ? Map.of() : indexPack(b);
        } catch (IOException | RuntimeException e) { // a torn or foreign file: use the entry files, write a new pack
            AgentLog.warnOnce("cache pack " + dir, "cannot read the rewrite cache's pack in " + dir + " (" + e + "); reading its entries one by one");
            b = null;
            index = Map.of();
        }
        this.pack = b;
        this.packIndex = index;
    }

    private static ByteBuffer mapPack(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (NoSuchFileException missing) {
            return null;
        }
    }

    /** The pack's layout: magic, count, then per entry: key length (short), key (ASCII), original length, output length, original, output. */
    private static Map<String, Integer> indexPack(ByteBuffer b) {
        if (b.getInt(0) != PACK_MAGIC) throw new IllegalStateException("not a pack");
        int count = b.getInt(4);
        Map<String, Integer> index = new HashMap<>(count * 2);
        int at = 8;
        for (int i = 0; i < count; i++) {
            int keyLength = b.getShort(at);
            byte[] key = new byte[keyLength];
            b.get(at + 2, key);
            at += 2 + keyLength;
            index.put(new String(key, StandardCharsets.ISO_8859_1), at);
            int original = b.getInt(at), output = b.getInt(at + 4);
            long next = (long) at + 8 + original + output;
            if (original < 0 || output < 0 || next > b.limit()) throw new IllegalStateException("entry " + i + " runs past the end");
            at = (int) next;
        }
        return index;
    }

    /** A cache in {@code dir} (created if missing) for the given rewriting options, or null with a warning if unusable. */
    static RewriteCache open(String dir, String options) {
        try {
            Path d = Path.of(dir).toAbsolutePath();
            Files.createDirectories(d);
            StringBuilder salt = new StringBuilder("preempt-rewrite-cache-2\n").append(options).append('\n')
                    .append(System.getProperty("java.runtime.version")).append('\n').append(fileStamp(agentJar())).append('\n');
            String cp = System.getProperty("java.class.path", "");
            for (String entry : cp.split(File.pathSeparator)) {
                if (!entry.isEmpty()) salt.append(fileStamp(Path.of(entry))).append('\n');
            }
            RewriteCache cache = new RewriteCache(d, salt.toString().getBytes(StandardCharsets.UTF_8));
            cache.markUsed();
            Runtime.getRuntime().addShutdownHook(new Thread(cache::packIfStale, "preempt-cache-pack"));
            return cache;
        } catch (IOException | RuntimeException e) { // IllegalStateException included: no SHA-256
            AgentLog.warnOnce("cache " + dir, "cannot use cache=" + dir + " (" + e + "); classes are rewritten at every start");
            return null;
        }
    }

    /** Sets this run's key directory's modification time (created if missing): what {@link #pruneOthers} keeps by. */
    private void markUsed() {
        try {
            Files.createDirectories(dir);
            Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException | RuntimeException e) {
            // an unwritable cache: its entries' writes warn
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

    /** The entry's name for these class bytes (the bytes themselves are checked on a hit). */
    String key(String className, byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes);
        CRC32 d = new CRC32();
        d.update(bytes);
        return HexFormat.of().toHexDigits((int) c.getValue()) + HexFormat.of().toHexDigits((int) d.getValue()) + "-" + bytes.length;
    }

    private Path file(String key) {
        return dir.resolve(key.substring(0, 2)).resolve(key + ".class");
    }

    /**
     * The cached output for {@code original} (empty: unchanged), or null if there is none: an entry whose
     * stored class bytes differ (another class with the same checksums) is a miss.
     */
    byte[] get(String key, byte[] original) {
        Integer at = packIndex.get(key);
        if (at != null) {
            int n = pack.getInt(at), o = pack.getInt(at + 4);
            if (n == original.length && pack.slice(at + 8, n).mismatch(ByteBuffer.wrap(original)) == -1) {
                hits.increment();
                packHits.increment();
                byte[] out = new byte[o];
                pack.get(at + 8 + n, out);
                return out;
            }
        }
        try {
            byte[] b = Files.readAllBytes(file(key));
            int n = original.length;
            if (originalLength(b) != n || !Arrays.equals(b, 4, 4 + n, original, 0, n)) return null;
            hits.increment();
            return Arrays.copyOfRange(b, 4 + n, b.length);
        } catch (NoSuchFileException missing) {
            return null;
        } catch (IOException | RuntimeException e) {
            AgentLog.warnOnce("cache read " + dir, "cannot read the rewrite cache in " + dir + " (" + e + "); rewriting instead");
            return null;
        }
    }

    /** An entry file's layout: the original's length (int), the original, the output. Its original's length, or -1 if it is not one. */
    private static int originalLength(byte[] entry) {
        int n = entry.length < 4 ? -1 : ByteBuffer.wrap(entry).getInt(0);
        return n < 0 || 4L + n > entry.length ? -1 : n;
    }

    /**
     * At exit: if this run stored entries, had no pack, or read an entry from its file (one stored after
     * the pack was written by a run that then did not pack: killed, or its write failed), writes every
     * entry of the directory into a new pack. Quietly does nothing on a failure (the entries stay; the
     * next run tries again).
     */
    void packIfStale() {
        if (stores.sum() == 0 && pack != null && hits.sum() == packHits.sum()) return;
        try {
            writePack();
        } catch (IOException | RuntimeException e) {
            AgentLog.warnOnce("cache pack write " + dir, "cannot write the rewrite cache's pack in " + dir + " (" + e + ")");
        }
        pruneOthers();
    }

    /** Key directories kept besides this run's and those used within {@link #IN_USE}: the most recently used. */
    static final int KEEP = 7;
    /** A key directory used more recently than this may be another JVM's now: never removed. */
    static final long IN_USE = 3_600_000L;

    /**
     * Removes the key directories of {@code DIR} (16 hex digits) that are neither this run's, nor used in
     * the last hour, nor among the {@link #KEEP} used most recently: an agent rebuilt, another JDK or a
     * changed class path each made one, and none was ever removed, so the cache grew with every build.
     * Runs only when this run packed (a new key directory always does at its first exit). "Used" is the
     * directory's modification time, which {@link #open} sets. Anything else in {@code DIR} is left alone,
     * and a failure leaves the rest as it is.
     */
    private void pruneOthers() {
        Path root = dir.getParent();
        long cutoff = System.currentTimeMillis() - IN_USE;
        List<Path> old;
        try (Stream<Path> all = Files.list(root)) {
            old = all.filter(p -> !p.equals(dir) && p.getFileName().toString().matches("[0-9a-f]{16}") && Files.isDirectory(p))
                    .filter(p -> lastUsed(p) < cutoff)
                    .sorted(Comparator.comparingLong(RewriteCache::lastUsed).reversed())
                    .toList();
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (Path p : old.subList(Math.min(KEEP, old.size()), old.size())) deleteTree(p);
    }

    private static long lastUsed(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: keep it
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException | RuntimeException e) {
            // in use elsewhere, or not ours to delete: leave what is left
        }
    }

    /** Every entry file of the directory, into {@code pack} (through a temporary file and a move). */
    void writePack() throws IOException {
        if (!Files.isDirectory(dir)) return;
        List<Path> entries;
        try (Stream<Path> files = Files.walk(dir, 2)) {
            entries = files.filter(f -> f.getFileName().toString().endsWith(".class")).sorted().toList();
        }
        Path tmp = Files.createTempFile(dir, "pack", ".tmp");
        int count = 0;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeInt(PACK_MAGIC);
            out.writeInt(0); // the count, set below
            for (Path f : entries) {
                byte[] b;
                try {
                    b = Files.readAllBytes(f);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                int n = originalLength(b);
                if (n < 0) continue; // not an entry
                String name = f.getFileName().toString();
                byte[] key = name.substring(0, name.length() - ".class".length()).getBytes(StandardCharsets.ISO_8859_1);
                out.writeShort(key.length);
                out.write(key);
                out.writeInt(n);
                out.writeInt(b.length - 4 - n);
                out.write(b, 4, b.length - 4);
                count++;
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, count), 4);
        }
        Files.move(tmp, dir.resolve("pack"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Stores {@code out} (null: the class loads unchanged) for {@code original} under {@code key}. */
    void put(String key, byte[] original, byte[] out) {
        Path target = file(key);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), key.substring(0, 8), ".tmp");
            byte[] o = out == null ? new byte[0] : out;
            Files.write(tmp, ByteBuffer.allocate(4 + original.length + o.length).putInt(original.length).put(original).put(o).array());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            stores.increment();
        } catch (IOException | RuntimeException e) {
            AgentLog.warnOnce("cache write " + dir, "cannot write the rewrite cache in " + dir + " (" + e + "); it is not kept");
        }
    }
}
