package dev.preempt.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
    void otherOptionsUseOtherEntries(@TempDir Path dir) {
        byte[] original = {1, 2, 3};
        RewriteCache one = RewriteCache.open(dir.toString(), "stripmine=1000");
        RewriteCache two = RewriteCache.open(dir.toString(), "stripmine=0");
        one.put(one.key("a/D", original), original, new byte[] {1});
        assertThat(two.get(two.key("a/D", original), original)).isNull();
    }
}
