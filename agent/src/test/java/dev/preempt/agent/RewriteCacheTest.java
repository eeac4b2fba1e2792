package dev.preempt.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache=DIR}: an entry is found by checksums but only used for the very bytes it was made from. */
class RewriteCacheTest {

    @Test
    void aHitIsTheOutputStoredForTheseBytes(@TempDir Path dir) {
        RewriteCache cache = RewriteCache.open(dir.toString(), "test");
        byte[] original = {1, 2, 3, 4, 5}, rewritten = {9, 8, 7};
        String key = cache.key("a/B", original);
        assertThat(cache.get(key, original)).as("nothing stored yet").isNull();
        cache.put(key, original, rewritten);
        assertThat(cache.get(key, original)).containsExactly(rewritten);
        assertThat(cache.key("a/B", original.clone())).as("the key depends on the bytes alone").isEqualTo(key);
    }

    @Test
    void anEntryMadeFromOtherBytesUnderTheSameKeyIsAMiss(@TempDir Path dir) {
        RewriteCache cache = RewriteCache.open(dir.toString(), "test");
        byte[] original = {1, 2, 3, 4, 5}, other = {1, 2, 3, 4, 6};
        String key = cache.key("a/B", original);
        cache.put(key, original, new byte[] {9});
        // as if two class files had the same checksums and length: the stored bytes decide
        assertThat(cache.get(key, other)).isNull();
        assertThat(cache.get(key, new byte[] {1, 2, 3})).as("another length").isNull();
    }

    @Test
    void aClassLoadedUnchangedIsStoredAsAnEmptyOutput(@TempDir Path dir) {
        RewriteCache cache = RewriteCache.open(dir.toString(), "test");
        byte[] original = {7, 7, 7};
        String key = cache.key("a/C", original);
        cache.put(key, original, null);
        assertThat(cache.get(key, original)).isEmpty();
    }

    @Test
    void aLaterRunFindsTheEntriesInThePackByteForByte(@TempDir Path dir) throws Exception {
        byte[] a = {1, 2, 3, 4, 5}, b = {6, 7, 8}, outA = {9, 9};
        RewriteCache first = RewriteCache.open(dir.toString(), "test");
        first.put(first.key("a/A", a), a, outA);
        first.put(first.key("a/B", b), b, null);
        first.packIfStale(); // what its exit does: it stored entries
        RewriteCache second = RewriteCache.open(dir.toString(), "test");
        assertThat(second.get(second.key("a/A", a), a)).containsExactly(outA);
        assertThat(second.get(second.key("a/B", b), b)).as("loaded unchanged").isEmpty();
        assertThat(second.packHits.sum()).as("both from the pack").isEqualTo(2);
        // as if another class had a's checksums and length: the pack's stored bytes decide, as a file's do
        assertThat(second.get(second.key("a/A", a), new byte[] {1, 2, 3, 4, 6})).isNull();
        // stored after the pack was written: read from its file
        byte[] c = {4, 4};
        second.put(second.key("a/C", c), c, new byte[] {1});
        RewriteCache third = RewriteCache.open(dir.toString(), "test");
        assertThat(third.get(third.key("a/C", c), c)).containsExactly(1);
        assertThat(third.packHits.sum()).isZero();
    }

    @Test
    void aRunThatOnlyReadTheCacheLeavesItsPackAsItWas(@TempDir Path dir) throws Exception {
        byte[] a = {1, 2, 3};
        RewriteCache first = RewriteCache.open(dir.toString(), "test");
        first.put(first.key("a/A", a), a, new byte[] {5});
        first.packIfStale();
        Path pack = packOf(dir);
        FileTime written = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(pack, written);
        RewriteCache second = RewriteCache.open(dir.toString(), "test");
        assertThat(second.get(second.key("a/A", a), a)).containsExactly(5);
        second.packIfStale();
        assertThat(Files.getLastModifiedTime(pack)).as("not rewritten").isEqualTo(written);
    }

    @Test
    void aRunThatReadAnEntryFromItsFileRepacksSoTheNextFindsItInThePack(@TempDir Path dir) throws Exception {
        byte[] a = {1, 2, 3}, c = {4, 4};
        RewriteCache first = RewriteCache.open(dir.toString(), "test");
        first.put(first.key("a/A", a), a, new byte[] {5});
        first.packIfStale();
        // another JVM stored c after that pack was written, and ended without packing (killed, say)
        RewriteCache killed = RewriteCache.open(dir.toString(), "test");
        killed.put(killed.key("a/C", c), c, new byte[] {6});
        RewriteCache reader = RewriteCache.open(dir.toString(), "test");
        assertThat(reader.get(reader.key("a/A", a), a)).containsExactly(5);
        assertThat(reader.get(reader.key("a/C", c), c)).containsExactly(6);
        assertThat(reader.packHits.sum()).as("c came from its file").isEqualTo(1);
        reader.packIfStale(); // it stored nothing, but read from a file: the pack is behind the files
        RewriteCache next = RewriteCache.open(dir.toString(), "test");
        assertThat(next.get(next.key("a/C", c), c)).containsExactly(6);
        assertThat(next.get(next.key("a/A", a), a)).containsExactly(5);
        assertThat(next.packHits.sum()).as("both from the new pack").isEqualTo(2);
    }

    @Test
    void aPackThatIsNotOneIsPassedOverAndTheEntriesAreReadFromTheirFiles(@TempDir Path dir) throws Exception {
        byte[] a = {1, 2, 3, 4};
        RewriteCache first = RewriteCache.open(dir.toString(), "test");
        first.put(first.key("a/A", a), a, new byte[] {7});
        first.packIfStale();
        Path pack = packOf(dir);
        byte[] torn = Files.readAllBytes(pack);
        Files.write(pack, java.util.Arrays.copyOf(torn, torn.length - 3)); // cut short, as by a full disk
        RewriteCache second = RewriteCache.open(dir.toString(), "test");
        assertThat(second.get(second.key("a/A", a), a)).containsExactly(7);
        assertThat(second.packHits.sum()).isZero();
        Files.write(pack, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}); // not a pack at all
        RewriteCache third = RewriteCache.open(dir.toString(), "test");
        assertThat(third.get(third.key("a/A", a), a)).containsExactly(7);
        third.packIfStale(); // it found no usable pack: it writes a good one
        RewriteCache fourth = RewriteCache.open(dir.toString(), "test");
        assertThat(fourth.get(fourth.key("a/A", a), a)).containsExactly(7);
        assertThat(fourth.packHits.sum()).isEqualTo(1);
    }

    /** The pack of the one salt directory under {@code dir}. */
    private static Path packOf(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            Path pack = s.filter(Files::isDirectory).findFirst().orElseThrow().resolve("pack");
            assertThat(pack).isRegularFile();
            return pack;
        }
    }

    @Test
    void otherOptionsUseOtherEntries(@TempDir Path dir) {
        byte[] original = {1, 2, 3};
        RewriteCache one = RewriteCache.open(dir.toString(), "stripmine=1000");
        RewriteCache two = RewriteCache.open(dir.toString(), "stripmine=0");
        one.put(one.key("a/D", original), original, new byte[] {1});
        assertThat(two.get(two.key("a/D", original), original)).isNull();
    }

    /**
     * Each agent build, JDK or class path makes a new key directory; old ones were never removed, so the
     * cache grew with every rebuild. A run that packs keeps its own and the seven used most recently,
     * removes older ones, and leaves alone any used within the hour (another JVM may be using it) and
     * anything that is not a key directory.
     */
    @Test
    void aRunThatPacksRemovesKeyDirectoriesUnusedForLong(@TempDir Path dir) throws Exception {
        long day = 24 * 3600 * 1000L, now = System.currentTimeMillis();
        java.util.List<Path> old = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) { // ten key directories of earlier builds, the first the most recent
            Path d = Files.createDirectories(dir.resolve(String.format("%016x", 0xa0L + i)));
            Files.writeString(d.resolve("pack"), "old");
            Files.setLastModifiedTime(d, java.nio.file.attribute.FileTime.fromMillis(now - (2 + i) * day));
            old.add(d);
        }
        Path young = Files.createDirectories(dir.resolve("00000000000000ff"));
        Path mine = Files.createDirectories(dir.resolve("not-a-key"));
        RewriteCache cache = RewriteCache.open(dir.toString(), "test");
        cache.put(cache.key("a/B", new byte[] {1}), new byte[] {1}, new byte[] {2});
        cache.packIfStale();
        assertThat(young).as("used within the hour").exists();
        assertThat(mine).as("not a key directory").exists();
        assertThat(old.subList(0, 7)).as("the seven used most recently").allMatch(Files::isDirectory);
        assertThat(old.subList(7, 10)).as("older ones").noneMatch(Files::exists);
        RewriteCache again = RewriteCache.open(dir.toString(), "test");
        assertThat(again.get(again.key("a/B", new byte[] {1}), new byte[] {1})).as("its own entries").containsExactly(2);
    }
}
