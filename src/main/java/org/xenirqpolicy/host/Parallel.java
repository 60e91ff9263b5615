package org.xenirqpolicy.host;

import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Per-IRQ file work, spread over the CPUs: thousands of small reads and writes of /proc and
 * /sys, each waiting on the kernel and independent of the others.
 */
public final class Parallel {
    private Parallel() {
    }

    /** f(0) .. f(n - 1), computed in parallel, returned in order. */
    public static <T> List<T> map(int n, IntFunction<T> f) {
        return IntStream.range(0, n).parallel().mapToObj(f).toList();
    }
}
