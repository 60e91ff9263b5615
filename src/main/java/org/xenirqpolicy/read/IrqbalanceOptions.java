package org.xenirqpolicy.read;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.xenirqpolicy.model.CpuSet;

/**
 * IRQBALANCE_ARGS read as irqbalance reads its command line (parse_command_line in its
 * irqbalance.c), for its --banirq: glibc's getopt_long with the short options
 * {@code odfjVi:p:s:c:l:m:t:e:} and the long options of {@link #LONG}, in getopt's default order
 * (options and other words mixed, {@code --} ends the options). A long option may be shortened
 * to a prefix that names one option alone ({@code --banir=5}; {@code --ban} is ambiguous); an
 * option that takes an argument takes the rest of its word or else the next word, whatever that
 * is ({@code -l -i5} names a policy script {@code -i5}); short options group ({@code -fi5}).
 * The --banirq value is read with strtoull, base 10, then cast to int ({@link #bannedIrq}).
 *
 * <p>irqbalance refuses to start (usage, exit status 1) on an unknown or ambiguous option, a
 * missing argument, an argument to an option that takes none, and a value it cannot read (of
 * --banirq, -c, -p, -t, -e; {@link #refusedValue}), and exits at once on --version: then nothing
 * is banned, as irqbalance does not run. The hook's {@code banned_by_irqbalance} reads the same
 * way (hook/BannedIrqsBothLanguagesTest).
 */
public final class IrqbalanceOptions {
    /** Long option to its short letter, followed by {@code :} where it takes an argument. */
    private static final Map<String, String> LONG = longOptions();
    private static final String SHORT = "odfjVi:p:s:c:l:m:t:e:";
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger ULONG_MAX = TWO_TO_64.subtract(BigInteger.ONE);

    /** irqbalance's lopts, in its order. */
    private static Map<String, String> longOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        for (String option : List.of("oneshot=o", "debug=d", "foreground=f", "powerthresh=p:", "banirq=i:",
                "deepestcache=c:", "policyscript=l:", "pid=s:", "journal=j", "banmod=m:", "interval=t:", "version=V",
                "migrateval=e:")) {
            options.put(option.substring(0, option.indexOf('=')), option.substring(option.indexOf('=') + 1));
        }
        return Collections.unmodifiableMap(options);
    }

    /** An option as getopt returns it: its short letter and its argument, null if it takes none. */
    public record Option(char letter, String argument) {
    }

    private IrqbalanceOptions() {
    }

    /**
     * The options irqbalance reads from these words, in order; empty if it refuses them or meets
     * --version, as it then does not run.
     */
    public static Optional<List<Option>> parse(List<String> words) {
        List<Option> options = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("--")) {
                break;
            }
            boolean isLong = word.startsWith("--");
            boolean isShort = !isLong && word.startsWith("-") && word.length() > 1;
            if (isLong) {
                int equals = word.indexOf('=');
                String name = word.substring(2, equals < 0 ? word.length() : equals);
                String spec = longOption(name);
                if (spec == null) {
                    return Optional.empty();
                }
                boolean takesArgument = spec.length() == 2;
                String argument = null;
                if (takesArgument && equals >= 0) {
                    argument = word.substring(equals + 1);
                } else if (takesArgument && i + 1 < words.size()) {
                    argument = words.get(++i);
                } else if (takesArgument || equals >= 0) {
                    return Optional.empty();
                }
                if (spec.charAt(0) == 'V' || (argument != null && refusedValue(spec.charAt(0), argument))) {
                    return Optional.empty();
                }
                options.add(new Option(spec.charAt(0), argument));
            } else if (isShort) {
                for (int at = 1; at < word.length(); at++) {
                    char letter = word.charAt(at);
                    int inSpec = letter == ':' ? -1 : SHORT.indexOf(letter);
                    if (inSpec < 0 || letter == 'V') {
                        return Optional.empty();
                    }
                    boolean takesArgument = inSpec + 1 < SHORT.length() && SHORT.charAt(inSpec + 1) == ':';
                    if (!takesArgument) {
                        options.add(new Option(letter, null));
                        continue;
                    }
                    String argument;
                    if (at + 1 < word.length()) {
                        argument = word.substring(at + 1);
                    } else if (i + 1 < words.size()) {
                        argument = words.get(++i);
                    } else {
                        return Optional.empty();
                    }
                    if (refusedValue(letter, argument)) {
                        return Optional.empty();
                    }
                    options.add(new Option(letter, argument));
                    break;
                }
            }
        }
        return Optional.of(options);
    }

    /** The option a long name names: itself, else the one option it is a prefix of; null if none or several. */
    private static String longOption(String name) {
        if (LONG.containsKey(name)) {
            return LONG.get(name);
        }
        List<String> prefixOf = LONG.keySet().stream().filter(o -> o.startsWith(name)).toList();
        return prefixOf.size() == 1 ? LONG.get(prefixOf.get(0)) : null;
    }

    /**
     * Whether irqbalance refuses this value of the option {@code letter} (parse_command_line):
     * --banirq (i) and --powerthresh (p, unless a prefix of "off", as irqbalance 1.9.4 and
     * before read it; 1.9.5 takes any value that starts with "off") by strtoull, refused without
     * digits or at ULONG_MAX; --deepestcache (c) by strtoul, also refused below 1; --interval (t)
     * by strtol into an int, refused without digits or below 1; --migrateval (e) refused without
     * digits.
     */
    static boolean refusedValue(char letter, String value) {
        CNumber n = CNumber.read(value);
        return switch (letter) {
            case 'i' -> n == null || n.strtoull().equals(ULONG_MAX);
            case 'p' -> !"off".startsWith(value) && (n == null || n.strtoull().equals(ULONG_MAX));
            case 'c' -> n == null || n.strtoull().equals(ULONG_MAX) || n.strtoull().signum() == 0;
            case 't' -> n == null || n.strtolAsInt() < 1;
            case 'e' -> n == null;
            default -> false;
        };
    }

    /**
     * The IRQ number irqbalance bans for a --banirq value: strtoull (a minus negates modulo
     * 2^64), then the cast to int (the low 32 bits, signed). A negative result bans no IRQ there
     * is; empty if irqbalance refuses the value.
     */
    public static OptionalInt bannedIrq(String value) {
        if (refusedValue('i', value)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(CNumber.read(value).strtoull().intValue());
    }

    /**
     * A number as C's strto* functions read it: C white space, a sign, the leading decimal
     * digits; null without digits (where they set their end pointer to the start).
     */
    private record CNumber(boolean negative, BigInteger magnitude) {
        static CNumber read(String value) {
            int at = 0;
            while (at < value.length() && CpuSet.isCSpace(value.charAt(at))) {
                at++;
            }
            boolean negative = at < value.length() && value.charAt(at) == '-';
            if (at < value.length() && (value.charAt(at) == '-' || value.charAt(at) == '+')) {
                at++;
            }
            int end = at;
            while (end < value.length() && value.charAt(end) >= '0' && value.charAt(end) <= '9') {
                end++;
            }
            return end == at ? null : new CNumber(negative, new BigInteger(value.substring(at, end)));
        }

        /** strtoull's (and, on 64 bits, strtoul's) result: ULONG_MAX on overflow, a minus negating modulo 2^64. */
        BigInteger strtoull() {
            if (magnitude.compareTo(ULONG_MAX) > 0) {
                return ULONG_MAX;
            }
            return negative ? magnitude.negate().mod(TWO_TO_64) : magnitude;
        }

        /** strtol's result (LONG_MIN or LONG_MAX beyond them) assigned to an int: its low 32 bits. */
        int strtolAsInt() {
            BigInteger value = negative ? magnitude.negate() : magnitude;
            value = value.max(BigInteger.valueOf(Long.MIN_VALUE)).min(BigInteger.valueOf(Long.MAX_VALUE));
            return value.intValue();
        }
    }

    /** The IRQs these words ban, in order; none where irqbalance refuses them. */
    public static List<Integer> bannedIrqs(List<String> words) {
        Optional<List<Option>> options = parse(words);
        if (options.isEmpty()) {
            return List.of();
        }
        List<Integer> irqs = new ArrayList<>();
        for (Option o : options.get()) {
            OptionalInt irq = o.letter() == 'i' ? bannedIrq(o.argument()) : OptionalInt.empty();
            if (irq.isPresent() && irq.getAsInt() >= 0) {
                irqs.add(irq.getAsInt());
            }
        }
        return irqs;
    }
}
