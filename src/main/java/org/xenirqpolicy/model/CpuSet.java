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

    /** irqbalance's NR_CPUS (cpumask.h, 1.8 to 1.9.5): its CPU lists and masks hold 4096 bits. */
    public static final int IRQBALANCE_BITS = 4096;

    /**
     * IRQBALANCE_BANNED_CPULIST as irqbalance reads it (bitmap_parselist in its bitmap.c), which
     * never refuses a value: white space is skipped until the first digit, after which white
     * space followed by anything stops the reading; an empty entry ({@code 1,,3}, a value of
     * only white space) is CPU 0; a trailing comma ends the list; {@code 0-} is CPU 0. At the
     * first error (a stray character, {@code 1-3-5}, {@code 3-1}, {@code 1-}, a CPU of 4096 or
     * more) it stops and keeps the entries read before, whole. A number too large for a C int is
     * taken as out of range (irqbalance 1.9.2 itself crashes on some of them).
     */
    public static CpuSet parseIrqbalanceList(String text) {
        if (text.isEmpty()) {
            return EMPTY; // irqbalance reads no empty variable
        }
        BitSet bits = new BitSet();
        int length = irqbalanceLength(text, false);
        int pos = 0;
        do {
            long first = 0;
            long last = 0;
            boolean range = false;
            boolean expectDigit = true;
            for (; pos < length; pos++) {
                char c = text.charAt(pos);
                if (isCSpace(c)) {
                    continue;
                }
                if (c == ',') {
                    break;
                }
                if (c == '-') {
                    if (expectDigit || range) {
                        return fromBits(bits);
                    }
                    range = true;
                    expectDigit = true;
                    last = 0;
                } else if (c >= '0' && c <= '9') {
                    last = Math.min(last * 10 + (c - '0'), Integer.MAX_VALUE + 1L);
                    if (!range) {
                        first = last;
                    }
                    expectDigit = false;
                } else {
                    return fromBits(bits);
                }
            }
            if (pos == length && length < text.length()) {
                return fromBits(bits); // stopped at white space inside: this entry is dropped
            }
            if (first > last || last >= IRQBALANCE_BITS) {
                return fromBits(bits);
            }
            bits.set((int) first, (int) last + 1);
            pos++; // past the comma; at the end of the text this ends the loop
        } while (pos < length);
        return fromBits(bits);
    }

    /**
     * IRQBALANCE_BANNED_CPUS as irqbalance reads it (bitmap_parse in its bitmap.c), which never
     * refuses a value: comma-separated words of up to 32 bits in hex digits of either case, most
     * significant first, leading zeros allowed; white space is skipped until the first digit,
     * after which white space followed by anything stops the reading. At the first error (an
     * empty word, a character that is no hex digit, such as the x of {@code 0x1}, a word over 32
     * bits, more than 4096 bits) it stops and keeps the words read before, whole, as the low
     * words: {@code ff,zz} is CPUs 0-7 and {@code 0x1} is no CPU at all.
     */
    public static CpuSet parseIrqbalanceMask(String text) {
        BitSet bits = new BitSet();
        int length = irqbalanceLength(text, true);
        int pos = 0;
        int words = 0;
        int nbits = 0;
        do {
            long word = 0;
            int digits = 0;
            for (; pos < length; pos++) {
                char c = text.charAt(pos);
                if (isCSpace(c)) {
                    continue;
                }
                if (c == ',') {
                    break;
                }
                int digit = Character.digit(c, 16);
                if (digit < 0 || c > 'f') {
                    return fromBits(bits);
                }
                if (word >= 1L << 28) {
                    return fromBits(bits); // one more digit would not fit in 32 bits
                }
                word = word << 4 | digit;
                digits++;
            }
            if (pos == length && length < text.length()) {
                return fromBits(bits);
            }
            if (digits == 0) {
                return fromBits(bits);
            }
            pos++;
            if (words == 0 && word == 0) {
                continue; // leading zero words are skipped
            }
            BitSet shifted = new BitSet();
            bits.stream().filter(b -> b + 32 < IRQBALANCE_BITS).forEach(b -> shifted.set(b + 32));
            bits = shifted;
            for (int b = 0; b < 32; b++) {
                if ((word >>> b & 1) != 0) {
                    bits.set(b);
                }
            }
            words++;
            nbits += words == 1 ? 64 - Long.numberOfLeadingZeros(word) : 32;
            if (nbits > IRQBALANCE_BITS) {
                return fromBits(bits);
            }
        } while (pos < length);
        return fromBits(bits);
    }

    /**
     * Where irqbalance stops reading {@code text}: at the first white space that follows a digit
     * and is followed by something other than white space, else at its end. What stands there
     * unfinished is dropped.
     */
    private static int irqbalanceLength(String text, boolean hex) {
        boolean digitSeen = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isCSpace(c)) {
                if (digitSeen) {
                    for (int j = i + 1; j < text.length(); j++) {
                        if (!isCSpace(text.charAt(j))) {
                            return i;
                        }
                    }
                    return text.length();
                }
            } else if (isDigit(c, hex)) {
                digitSeen = true;
            }
        }
        return text.length();
    }

    /** A digit of the list ({@code 0-9}) or, in a mask, of hex ({@code 0-9a-fA-F}, ASCII only). */
    private static boolean isDigit(char c, boolean hex) {
        boolean decimal = c >= '0' && c <= '9';
        boolean hexLetter = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        return decimal || (hex && hexLetter);
    }

    /** C's isspace in the C locale, as irqbalance and the shell see white space. */
    public static boolean isCSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
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

    /**
     * The set in a message or a table: its list, or {@code whenEmpty} ("none", "nothing") where an
     * empty list would leave a gap in the sentence.
     */
    public String toListOr(String whenEmpty) {
        return isEmpty() ? whenEmpty : toList();
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
