package dev.preempt.internal.sched.det;

/**
 * The deterministic scheduler's random numbers: SplitMix64 (Steele, Lea and Flood, 2014), written out
 * here so that a seed means the same stream on every JDK (the JDK's generators are specified too, but
 * this keeps the replay contract in one small file).
 *
 * <p>Not thread-safe: one scheduler's carrier thread draws from it.
 *
 * <pre>{@code
 * SplitMix r = new SplitMix(42);
 * int i = r.nextInt(3);   // 0, 1 or 2, the same for seed 42 every time
 * }</pre>
 */
final class SplitMix {

    private long state;

    /**
     * A stream for {@code seed}.
     *
     * @param seed any value
     */
    public SplitMix(long seed) {
        this.state = seed;
    }

    /**
     * The next 64 random bits.
     *
     * @return a uniformly distributed long
     */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A uniform value in {@code [0, bound)} (Lemire's multiply-shift with rejection: no modulo bias).
     *
     * @param bound the exclusive upper bound, at least 1
     * @return the value
     */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /**
     * A value in {@code [1, max]}, log-uniform: as likely in 1, 2-3, 4-7, ... as in any other power-of-two
     * band, so that short slices (ending at almost every scheduling point) are as common as long ones.
     *
     * @param max the largest value, at least 1
     * @return the value
     */
    public int logUniform(int max) {
        int bands = 32 - Integer.numberOfLeadingZeros(max); // 1 -> 1 band, 64 -> 7 bands
        int e = nextInt(bands);
        int lo = 1 << e;
        int v = lo + nextInt(lo);
        return Math.min(v, max);
    }
}
