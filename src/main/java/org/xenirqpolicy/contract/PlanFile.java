package org.xenirqpolicy.contract;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;

/**
 * The applied plan, {@code /run/xen-irq-policy/plan}: what the irqbalance hook enforces and the
 * next apply keeps. Line-oriented so that a POSIX shell reads it with {@code read} alone:
 * <pre>
 * # comment lines start with '#'
 * xen-irq-policy-plan 2          format version: a reader that does not know it ignores the file
 * strategy spread                the strategy that made the plan
 * usable 0,2-3                   the CPUs event channels may use (the hook's fallback uses them)
 * exclude vif12.*                one per selector of EXCLUDE= and --banirq: 17, dom:12 or a glob;
 *                                the hook never moves a channel that one matches (version 2)
 * irq 241 2 vif26.0-q0-tx        IRQ, CPU, name (the rest of the line: any bytes but NUL and newline)
 * end 1                          the number of irq lines: a file without it is truncated
 * </pre>
 * Nothing else may appear; a reader distrusts a file that breaks any of this. The name is the
 * action name byte for byte as the hook's shell reads it ({@link org.xenirqpolicy.read.ShellRead}),
 * and the file is bytes, ISO-8859-1, so that every byte of it round-trips: a name the hook
 * compares is the very name the engine read.
 */
public final class PlanFile {
    public static final String MAGIC = "xen-irq-policy-plan";
    public static final int VERSION = 2;

    private PlanFile() {
    }

    /** The file's bytes: one byte per char, as the host's files are read. */
    public static byte[] bytes(Plan plan) {
        return format(plan).getBytes(StandardCharsets.ISO_8859_1);
    }

    public static String format(Plan plan) {
        StringBuilder out = new StringBuilder(64 + plan.placements().size() * 32);
        out.append("# Written by 'xen-irq-policy apply'; read by the irqbalance hook. See xen-irq-policy(8).\n");
        out.append(MAGIC).append(' ').append(VERSION).append('\n');
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

    /** The plan in {@code text}, or empty if the text is not a complete plan of this version. */
    public static Optional<Plan> parse(String text) {
        try {
            return Optional.of(parseStrictly(text));
        } catch (InputException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Plan parseStrictly(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (!line.startsWith("#")) {
                lines.add(line);
            }
        }
        // The last element is what follows the final newline: empty in a complete file.
        if (lines.size() < 5 || !lines.get(lines.size() - 1).isEmpty()) {
            throw new InputException("truncated");
        }
        expect(lines.get(0).equals(MAGIC + " " + VERSION));
        expect(lines.get(1).startsWith("strategy "));
        Strategy strategy = Strategy.parse(lines.get(1).substring("strategy ".length()));
        expect(lines.get(2).startsWith("usable "));
        CpuSet usable = CpuSet.parseList(lines.get(2).substring("usable ".length()));
        expect(!usable.isEmpty());
        List<Placement> placements = new ArrayList<>();
        List<Selector> excluded = new ArrayList<>();
        int last = lines.size() - 2;
        int i = 3;
        for (; i < last && lines.get(i).startsWith("exclude "); i++) {
            Selector s = Selector.parse(lines.get(i).substring("exclude ".length()));
            // Only the canonical form that format writes: the hook reads the words as they are.
            expect(s.text().equals(lines.get(i).substring("exclude ".length())));
            excluded.add(s);
        }
        for (; i < last; i++) {
            String[] f = lines.get(i).split(" ", 4);
            expect(f.length >= 3 && f[0].equals("irq") && f[1].matches("[0-9]{1,9}") && f[2].matches("[0-9]{1,4}"));
            int cpu = Integer.parseInt(f[2]);
            expect(usable.contains(cpu));
            // No name of ours holds a NUL byte (the shell drops them, and grep would take the
            // file for binary); a carriage return is a byte of the name like any other.
            expect(f.length < 4 || f[3].indexOf('\0') < 0);
            placements.add(new Placement(Integer.parseInt(f[1]), cpu, f.length == 4 ? f[3] : ""));
        }
        expect(lines.get(last).equals("end " + placements.size()));
        return new Plan(strategy, usable, placements, new Exclusions(excluded));
    }

    private static void expect(boolean condition) {
        if (!condition) {
            throw new InputException("not a plan file");
        }
    }

    /** Names read as the shell reads them hold neither; this keeps any other plan parseable. */
    private static String oneLine(String name) {
        return name.replace('\n', ' ').replace("\0", "");
    }
}
