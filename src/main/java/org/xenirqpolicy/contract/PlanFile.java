package org.xenirqpolicy.contract;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;

/**
 * The applied plan's format, version 4: a directory (see {@link PlanStore} for where it lives and
 * how it is replaced or changed) of small files, each one line that a POSIX shell reads with one
 * {@code read -r}, so that the irqbalance hook reads one file of some 40 bytes per call, without a
 * fork, and a whole-plan text file for the engine and for admins. All three kinds carry the
 * format version and a generation (one number per save, growing), so that a reader that reads
 * two files of one plan can tell whether both are of the same plan: a directory's files are
 * written at its first generation, its base (the number in its name), and a save that changes
 * only placements rewrites the files it changes in place, at its own generation. So an IRQ's file
 * belongs to the header read beside it when its generation lies between the header's base and
 * the header's generation.
 * <pre>
 * irq.241   4 9 2 0,2-3 vif26.0-q0-tx    version, generation it was written at, CPU, usable CPUs,
 *                                        name (the rest of the line: any bytes but NUL and
 *                                        newline); one per placed IRQ
 * header    4 9 7 0,2-3 63 vif12.* dom:7 version, generation (the last save's), base (the
 *                                        directory's first), usable CPUs (the hook's fallback for
 *                                        an IRQ without a file of its own), then the selectors of
 *                                        EXCLUDE= and --banirq, each a word: 17, dom:12 or a glob
 * all       the whole plan, lines:
 *   # comment lines start with '#'
 *   xen-irq-policy-plan 4        format version: a reader that does not know it ignores the plan
 *   generation 9                 the last save's generation, as in the header
 *   base 7                       the directory's first generation, as in the header and its name
 *   strategy spread              the strategy that made the plan
 *   usable 0,2-3                 the CPUs event channels may use
 *   exclude vif12.*              one per selector
 *   irq 241 2 vif26.0-q0-tx      IRQ, CPU, name
 *   end 1                        the number of irq lines: a file without it is truncated
 * </pre>
 * Nothing else may appear; a reader distrusts a file that breaks any of this. The name is the
 * action name byte for byte as the hook's shell reads it ({@link org.xenirqpolicy.read.ShellRead}),
 * and the files are bytes, ISO-8859-1, so that every byte round-trips: a name the hook compares
 * is the very name the engine read. An IRQ the plan excludes has no file: the hook matches it
 * against the header's selectors, as it must for a channel born after the plan anyway.
 */
public final class PlanFile {
    public static final String MAGIC = "xen-irq-policy-plan";
    /**
     * 4 since a save may change a directory in place (files of several generations, the base in
     * the header); 3 was the directory written whole; 2 one file with exclude lines, 1 without them.
     */
    public static final int VERSION = 4;
    /** The whole plan, in the plan's directory. */
    public static final String WHOLE = "all";
    /** The usable CPUs and the selectors, in the plan's directory. */
    public static final String HEADER = "header";
    /** One IRQ's placement, in the plan's directory: this prefix and the IRQ number. */
    public static final String IRQ_PREFIX = "irq.";
    /**
     * In the plan's directory while a save changes it in place, so that the next save knows
     * whether one was cut short (its files then disagree with the whole plan): readers ignore it.
     */
    public static final String SAVING = "saving";

    /**
     * A generation as written, a regular expression: at most 18 digits (a long), no leading zero.
     * The plans' directories are named with it too (PlanStore).
     */
    static final String GENERATION_NUMBER = "0|[1-9][0-9]{0,17}";
    private static final Pattern GENERATION = Pattern.compile(GENERATION_NUMBER);

    private PlanFile() {
    }

    /** The whole-plan file's bytes: one byte per char, as the host's files are read. */
    public static byte[] bytes(Plan plan, long generation, long base) {
        return latin1(format(plan, generation, base));
    }

    /** The header file's bytes: version, generation, base, usable CPUs, selectors. */
    public static byte[] header(Plan plan, long generation, long base) {
        StringBuilder line = new StringBuilder().append(VERSION).append(' ').append(generation).append(' ')
                .append(base).append(' ').append(plan.usable().toList());
        for (Selector s : plan.excluded().selectors()) {
            line.append(' ').append(s.text());
        }
        return latin1(line.append('\n').toString());
    }

    /**
     * The file of one IRQ: version, the generation it is written at, CPU, usable CPUs
     * ({@code usable}, the plan's as a list, computed once per plan), name.
     */
    public static byte[] irq(long generation, String usable, Placement p) {
        return latin1(VERSION + " " + generation + " " + p.cpu() + " " + usable + " " + oneLine(p.name()) + "\n");
    }

    public static String format(Plan plan, long generation, long base) {
        StringBuilder out = new StringBuilder(64 + plan.placements().size() * 32);
        out.append("# Written by 'xen-irq-policy apply', beside the files the irqbalance hook reads. See xen-irq-policy(8).\n");
        out.append(MAGIC).append(' ').append(VERSION).append('\n');
        out.append("generation ").append(generation).append('\n');
        out.append("base ").append(base).append('\n');
        out.append("strategy ").append(plan.strategy().id()).append('\n');
        out.append("usable ").append(plan.usable().toList()).append('\n');
        for (Selector s : plan.excluded().selectors()) {
            out.append("exclude ").append(s.text()).append('\n');
        }
        for (Placement p : plan.placements()) {
            out.append("irq ").append(p.irq()).append(' ').append(p.cpu()).append(' ').append(oneLine(p.name()))
                    .append('\n');
        }
        out.append("end ").append(plan.placements().size()).append('\n');
        return out.toString();
    }

    /** The plan in a whole-plan file's {@code text}, or empty if it is not a complete plan of this version. */
    public static Optional<Plan> parse(String text) {
        return parse(text, -1);
    }

    /**
     * The plan in a whole-plan file's {@code text}, or empty if it is not a complete plan of this
     * version of base {@code base} (-1: any), the directory it was read from.
     */
    public static Optional<Plan> parse(String text, long base) {
        try {
            return Optional.of(parseStrictly(text, base));
        } catch (InputException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Plan parseStrictly(String text, long base) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (!line.startsWith("#")) {
                lines.add(line);
            }
        }
        // The last element is what follows the final newline: empty in a complete file.
        if (lines.size() < 7 || !lines.get(lines.size() - 1).isEmpty()) {
            throw new InputException("truncated");
        }
        expect(lines.get(0).equals(MAGIC + " " + VERSION));
        long generation = number(lines.get(1), "generation ");
        long baseRead = number(lines.get(2), "base ");
        expect(baseRead <= generation && (base < 0 || baseRead == base));
        expect(lines.get(3).startsWith("strategy "));
        Strategy strategy = Strategy.parse(lines.get(3).substring("strategy ".length()));
        expect(lines.get(4).startsWith("usable "));
        CpuSet usable = CpuSet.parseList(lines.get(4).substring("usable ".length()));
        expect(!usable.isEmpty());
        List<Placement> placements = new ArrayList<>();
        List<Selector> excluded = new ArrayList<>();
        int last = lines.size() - 2;
        int i = 5;
        for (; i < last && lines.get(i).startsWith("exclude "); i++) {
            Selector s = Selector.parse(lines.get(i).substring("exclude ".length()));
            // Only the canonical form that format writes: the hook reads the words as they are.
            expect(s.text().equals(lines.get(i).substring("exclude ".length())));
            excluded.add(s);
        }
        for (; i < last; i++) {
            String[] f = lines.get(i).split(" ", 4);
            expect(f.length >= 3 && f[0].equals("irq") && digits(f[1], 9) && digits(f[2], 4));
            int cpu = Integer.parseInt(f[2]);
            expect(usable.contains(cpu));
            // No name of ours holds a NUL byte (the shell drops them); a carriage return is a
            // byte of the name like any other.
            expect(f.length < 4 || f[3].indexOf('\0') < 0);
            placements.add(new Placement(Integer.parseInt(f[1]), cpu, f.length == 4 ? f[3] : ""));
        }
        expect(lines.get(last).equals("end " + placements.size()));
        return new Plan(strategy, usable, placements, new Exclusions(excluded));
    }

    /** The generation on a line {@code prefix} and a number of at most 18 digits, no leading zero. */
    private static long number(String line, String prefix) {
        expect(line.startsWith(prefix) && GENERATION.matcher(line).region(prefix.length(), line.length()).matches());
        return Long.parseLong(line.substring(prefix.length()));
    }

    /**
     * Whether {@code s} is 1 to {@code most} ASCII digits. By hand rather than by a regular
     * expression: the whole plan is read by every adaptive run, a line per event channel, and a
     * run is over before the JIT compiles a matcher.
     */
    private static boolean digits(String s, int most) {
        if (s.isEmpty() || s.length() > most) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static void expect(boolean condition) {
        if (!condition) {
            throw new InputException("not a plan file");
        }
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Names read as the shell reads them hold neither; this keeps any other plan parseable. */
    private static String oneLine(String name) {
        return name.replace('\n', ' ').replace("\0", "");
    }
}
