package org.xenirqpolicy.model;

import java.util.Arrays;
import java.util.BitSet;
import java.util.stream.IntStream;

/**
 * An immutable set of CPU ids, kept sorted. CPU ids are whatever the kernel calls them: a set
 * may have gaps ({@code 0,2-5,8}) and need not start at 0, so nothing here assumes 0..n-1.
 */
public final class CpuSet {
    /** Linux's NR_CPUS tops out at 8192; a larger id is a typo or garbage, not a CPU. */
    public static final int MAX_CPU_ID = 8191;

    private static final CpuSet EMPTY = new CpuSet(new int[0]);

    private final int[] ids;

    private CpuSet(int[] sortedDistinctIds) {
        this.ids = sortedDistinctIds;
    }

    public static CpuSet empty() {
        return EMPTY;
    }

    public static CpuSet of(int... ids) {
        BitSet bits = new BitSet();
        for (int id : ids) {
            checkId(id, null);
            bits.set(id);
        }
        return fromBits(bits);
    }

    public static CpuSet fromBits(BitSet bits) {
        return bits.isEmpty() ? EMPTY : new CpuSet(bits.stream().toArray());
    }

    /**
     * Parses the kernel's CPU list format ({@code 0,2-5,8}, as in {@code online} and
     * {@code smp_affinity_list}); surrounding white space and a trailing newline are allowed, an
     * empty string is the empty set. Also takes the stride form {@code 0-7:2} that the kernel
     * accepts on input.
     */
    public static CpuSet parseList(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return EMPTY;
        }
        BitSet bits = new BitSet();
        for (String part : s.split(",", -1)) {
            String range = part.strip();
            int stride = 1;
            int colon = range.indexOf(':');
            if (colon >= 0) {
                stride = parseNumber(range.substring(colon + 1), text);
                range = range.substring(0, colon);
                if (stride < 1) {
                    throw new InputException(Quote.of(text.strip()) + " is not a CPU list: stride must be at least 1");
                }
            }
            int dash = range.indexOf('-');
            int first;
            int last;
            if (dash < 0) {
                first = last = parseNumber(range, text);
            } else {
                first = parseNumber(range.substring(0, dash), text);
                last = parseNumber(range.substring(dash + 1), text);
            }
            if (first > last) {
                throw new InputException(Quote.of(text.strip()) + " is not a CPU list: range " + range + " runs backwards");
            }
            for (int id = first; id <= last; id += stride) {
                bits.set(id);
            }
        }
        return fromBits(bits);
    }

    /**
     * Parses a hexadecimal CPU mask as irqbalance and the kernel write it: comma-separated words
     * of at most 32 bits (8 hex digits), most significant word first, so {@code 1,00000000} is
     * CPU 32. An all-zero or empty mask is the empty set.
     */
    public static CpuSet parseMask(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return EMPTY;
        }
        String[] words = s.split(",", -1);
        BitSet bits = new BitSet();
        for (int w = 0; w < words.length; w++) {
            String word = words[words.length - 1 - w].strip();
            if (word.isEmpty() || word.length() > 8 && !word.substring(0, word.length() - 8).matches("0+")) {
                throw new InputException(Quote.of(s) + " is not a CPU mask: each comma-separated word is 1 to 8 hex digits");
            }
            long value;
            try {
                value = Long.parseLong(word, 16);
            } catch (NumberFormatException e) {
                throw new InputException(Quote.of(s) + " is not a CPU mask: " + Quote.of(word) + " is not hexadecimal");
            }
            for (int bit = 0; bit < 32; bit++) {
                if ((value >>> bit & 1) != 0) {
                    int id = w * 32 + bit;
                    checkId(id, s);
                    bits.set(id);
                }
            }
        }
        return fromBits(bits);
    }

    private static int parseNumber(String digits, String whole) {
        String d = digits.strip();
        if (d.isEmpty() || d.length() > 5 || !d.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InputException(Quote.of(whole.strip()) + " is not a CPU list");
        }
        int id = Integer.parseInt(d);
        checkId(id, whole.strip());
        return id;
    }

    private static void checkId(int id, String source) {
        if (id < 0 || id > MAX_CPU_ID) {
            // The caller names the file; a value read from one is shown as it was written.
            throw new InputException((source == null ? "" : Quote.of(source) + ": ") + "CPU " + id
                    + " is out of range 0-" + MAX_CPU_ID);
        }
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    public int size() {
        return ids.length;
    }

    /** The {@code index}-th CPU in ascending order. */
    public int get(int index) {
        return ids[index];
    }

    public boolean contains(int id) {
        return Arrays.binarySearch(ids, id) >= 0;
    }

    /** Position of {@code id} in ascending order, or -1. */
    public int indexOf(int id) {
        int i = Arrays.binarySearch(ids, id);
        return i >= 0 ? i : -1;
    }

    public boolean isSingle() {
        return ids.length == 1;
    }

    public IntStream stream() {
        return Arrays.stream(ids);
    }

    public CpuSet minus(CpuSet other) {
        BitSet bits = toBits();
        bits.andNot(other.toBits());
        return fromBits(bits);
    }

    public CpuSet intersect(CpuSet other) {
        BitSet bits = toBits();
        bits.and(other.toBits());
        return fromBits(bits);
    }

    public CpuSet union(CpuSet other) {
        BitSet bits = toBits();
        bits.or(other.toBits());
        return fromBits(bits);
    }

    public BitSet toBits() {
        BitSet bits = new BitSet();
        for (int id : ids) {
            bits.set(id);
        }
        return bits;
    }

    /** The kernel's list format, ranges folded: {@code 0,2-5,8}; the empty set is "". */
    public String toList() {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < ids.length) {
            int j = i;
            while (j + 1 < ids.length && ids[j + 1] == ids[j] + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(ids[i]);
            if (j > i) {
                out.append('-').append(ids[j]);
            }
            i = j + 1;
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet other && Arrays.equals(ids, other.ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return toList();
    }
}
