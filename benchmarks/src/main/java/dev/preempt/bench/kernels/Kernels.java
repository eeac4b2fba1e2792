package dev.preempt.bench.kernels;

import java.util.HashMap;
import java.util.stream.IntStream;

/**
 * Plain Java kernels, rewritten by the agent when it is present (this package is application code to
 * it). Each is deterministic and returns a value so the JIT cannot drop it.
 */
public final class Kernels {

    private Kernels() {}

    public static final int[] INTS = new int[100_000];
    static final double[][] A = new double[64][64], B = new double[64][64];
    static final int[] TO_SORT = new int[10_000];

    static {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < INTS.length; i++) INTS[i] = r.nextInt(1000);
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 64; j++) {
                A[i][j] = r.nextDouble();
                B[i][j] = r.nextDouble();
            }
        }
        for (int i = 0; i < TO_SORT.length; i++) TO_SORT[i] = r.nextInt();
    }

    /** A counted loop over an array: strip-mined, vectorisable. */
    public static long arraySum() {
        int[] a = INTS;
        long s = 0;
        for (int i = 0; i < a.length; i++) s += a[i];
        return s;
    }

    /** Nested counted loops. */
    public static double matrixMultiply() {
        int n = 64;
        double[][] a = A, b = B;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += a[i][k] * b[k][j];
                c[i][j] = sum;
            }
        }
        return c[n - 1][n - 1];
    }

    /** Recursion: a tick at every call. */
    public static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    public static int hashMapChurn() {
        HashMap<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < 2_000; i++) m.put(i, i * 2);
        int s = 0;
        for (int i = 0; i < 2_000; i++) s += m.get(i);
        for (int i = 0; i < 2_000; i += 2) m.remove(i);
        return s + m.size();
    }

    public static int stringBuilder() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2_000; i++) sb.append(i).append(',');
        return sb.toString().length();
    }

    public static long streamPipeline() {
        return IntStream.range(0, 20_000).filter(i -> i % 3 != 0).mapToLong(i -> (long) i * i).sum();
    }

    static final java.util.concurrent.locks.ReentrantLock LOCK = new java.util.concurrent.locks.ReentrantLock();
    static long locked;

    /**
     * 10,000 uncontended {@code lock()}/{@code unlock()} pairs around a counter: under the agent each
     * {@code lock()} is the runtime's {@code Waits.lock} (interruptible inside a process, so a kill ends
     * the wait), this measures what that costs.
     */
    public static long lockedCounter() {
        for (int i = 0; i < 10_000; i++) {
            LOCK.lock();
            try {
                locked++;
            } finally {
                LOCK.unlock();
            }
        }
        return locked;
    }

    /** A hand-written quicksort (the JDK's sort is not rewritten, so this is ours). */
    public static int sort() {
        int[] a = TO_SORT.clone();
        quicksort(a, 0, a.length - 1);
        return a[a.length / 2];
    }

    static void quicksort(int[] a, int lo, int hi) {
        while (lo < hi) {
            int p = a[(lo + hi) >>> 1], i = lo, j = hi;
            while (i <= j) {
                while (a[i] < p) i++;
                while (a[j] > p) j--;
                if (i <= j) {
                    int t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (j - lo < hi - i) {
                quicksort(a, lo, j);
                lo = i;
            } else {
                quicksort(a, i, hi);
                hi = j;
            }
        }
    }
}
