package dev.preempt.it.apps;

import java.util.function.LongSupplier;

/** Work that {@link Shapes} loads through a second class loader. */
public final class LoadedWork implements LongSupplier {

    @Override
    public long getAsLong() {
        long s = 0;
        for (int i = 0; i < 3_000_000; i++) s += mix(i ^ 0x5bd1e995) >>> 7;
        return s;
    }

    /** Its own copy: a class from another loader is in another runtime package, so no package access. */
    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        return x ^ (x >>> 29);
    }
}
