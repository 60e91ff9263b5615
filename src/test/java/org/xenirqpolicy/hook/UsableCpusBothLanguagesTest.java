package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.classify.XenDynRule;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.read.HostReader;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HookRun;
import org.xenirqpolicy.testing.HostTree;

/**
 * The usable-CPU rule in both languages, on one table: the engine's (plan/UsableCpus, on what
 * HostReader reads of a tree) and the hook's fallback (usable_now and allowed in
 * xen-irq-policy-hook: no plan, IRQ mod count over the usable CPUs), under dash and bash --posix.
 * The hook's usable set is seen from outside: it is run for consecutive IRQ numbers, more than
 * there are CPUs, and the CPUs it writes to smp_affinity_list are that set, each IRQ on the
 * (IRQ mod count)-th of them.
 *
 * <p>Both take the union of the banned list, the banned mask, isolated and nohz_full; irqbalance
 * 1.9 takes the mask, else the list (each if set and not empty), else isolated and nohz_full
 * (setup_banned_cpus in its cputree.c). Rows where it would choose otherwise say so.
 */
class UsableCpusBothLanguagesTest {
    /** Event channels the hook is asked about: 1000.. (more than any row's online CPUs). */
    private static final int FIRST_IRQ = 1000;
    private static final int IRQS = 24;
    private static final String NOT_WRITTEN = "untouched\n";
    private static final String ERROR = "error";

    /**
     * One set of inputs. Empty strings are absent files or unset variables.
     *
     * @param settings our /etc/sysconfig/xen-irq-policy, which the hook does not read
     * @param engine   the engine's usable CPUs, or {@link #ERROR}
     * @param hook     the hook's, "" where it writes nothing
     * @param why      why the two differ, "" where they agree
     */
    private record Row(String what, String online, String bannedList, String bannedMask, String isolated,
            String nohzFull, String settings, String engine, String hook, String why) {
    }

    private static final List<Row> TABLE = List.of(
            new Row("online only", "0-7", "", "", "", "", "", "0-7", "0-7", ""),
            new Row("gaps in online", "0,2-3,6", "", "", "", "", "", "0,2-3,6", "0,2-3,6", ""),
            new Row("banned list", "0-7", "1-2", "", "", "", "", "0,3-7", "0,3-7", ""),
            new Row("banned mask", "0-7", "", "c0", "", "", "", "0-5", "0-5", ""),
            // irqbalance: the mask alone, 0-6.
            new Row("list and mask", "0-7", "0", "80", "", "", "", "1-6", "1-6", ""),
            new Row("isolated", "0-7", "", "", "2-3", "", "", "0-1,4-7", "0-1,4-7", ""),
            new Row("nohz_full", "0-7", "", "", "", "4-5", "", "0-3,6-7", "0-3,6-7", ""),
            new Row("nohz_full unused", "0-7", "", "", "", "(null)", "", "0-7", "0-7", ""),
            // irqbalance: the list alone, 1-7.
            new Row("list, isolated, nohz_full", "0-7", "0", "", "1", "2", "", "3-7", "3-7", ""),
            // irqbalance: the mask alone, 1-7.
            new Row("mask and isolated", "0-7", "", "1", "6-7", "", "", "1-5", "1-5", ""),
            new Row("banned CPU offline", "0-3", "9", "", "", "", "", "0-3", "0-3", ""),
            new Row("isolated CPU offline", "0-3", "", "", "5", "", "", "0-3", "0-3", ""),
            new Row("EXCLUDE_ISOLATED=no", "0-7", "", "", "2-3", "6", "EXCLUDE_ISOLATED=no\n", "0-7", "0-1,4-5,7",
                    "the hook does not read our settings: its fallback always avoids isolated and nohz_full CPUs"),
            new Row("CPUS=", "0-7", "1", "", "", "", "CPUS=0-3\n", "0,2-3", "0,2-7",
                    "the hook does not read our settings: CPUS= holds for the plan only"),
            new Row("all banned", "0-3", "0-1", "c", "", "", "", ERROR, "",
                    "the engine refuses to plan; the hook leaves the IRQ where it is"),
            new Row("all isolated", "0-3", "", "", "0-3", "", "", ERROR, "",
                    "the engine refuses to plan; the hook leaves the IRQ where it is"));

    @TempDir
    Path tmp;

    private Path tree(Row row, int index) {
        Path root = Cli.sampleDom0(tmp.resolve("row" + index));
        HostTree t = HostTree.at(root);
        t.write("/sys/devices/system/cpu/online", row.online() + "\n");
        if (!row.isolated().isEmpty()) {
            t.write("/sys/devices/system/cpu/isolated", row.isolated() + "\n");
        }
        if (!row.nohzFull().isEmpty()) {
            t.write("/sys/devices/system/cpu/nohz_full", row.nohzFull() + "\n");
        }
        StringBuilder irqbalance = new StringBuilder();
        if (!row.bannedList().isEmpty()) {
            irqbalance.append("IRQBALANCE_BANNED_CPULIST=").append(row.bannedList()).append('\n');
        }
        if (!row.bannedMask().isEmpty()) {
            irqbalance.append("IRQBALANCE_BANNED_CPUS=").append(row.bannedMask()).append('\n');
        }
        t.write("/etc/sysconfig/irqbalance", irqbalance.toString());
        if (!row.settings().isEmpty()) {
            t.write("/etc/sysconfig/xen-irq-policy", row.settings());
        }
        for (int irq = FIRST_IRQ; irq < FIRST_IRQ + IRQS; irq++) {
            t.write("/sys/kernel/irq/" + irq + "/chip_name", "xen-dyn\n");
            t.write("/sys/kernel/irq/" + irq + "/actions", "vif" + irq + ".0\n");
        }
        return root;
    }

    private static String engine(Path root) {
        try {
            return Engine.usableCpus(HostReader.read(Host.at(root), XenDynRule.want(false))).toList();
        } catch (InputException e) {
            assertTrue(e.getMessage().startsWith("no CPU left for event channels: "), e.getMessage());
            return ERROR;
        }
    }

    /** Runs the hook for each IRQ with no plan; the CPU it wrote per IRQ, where it wrote one. */
    private static Map<Integer, Integer> hookPlaces(String shell, Path root, Row row) {
        HostTree t = HostTree.at(root);
        Map<Integer, Integer> placed = new TreeMap<>();
        for (int irq = FIRST_IRQ; irq < FIRST_IRQ + IRQS; irq++) {
            String affinity = "/proc/irq/" + irq + "/smp_affinity_list";
            t.write(affinity, NOT_WRITTEN);
            Map<String, String> env = new HashMap<>();
            if (!row.bannedList().isEmpty()) {
                env.put("IRQBALANCE_BANNED_CPULIST", row.bannedList());
            }
            if (!row.bannedMask().isEmpty()) {
                env.put("IRQBALANCE_BANNED_CPUS", row.bannedMask());
            }
            assertEquals(HookRun.Result.BANNED, HookRun.run(shell, root, irq, env), shell + " " + row.what() + " IRQ " + irq);
            String written = t.read(affinity);
            if (!written.equals(NOT_WRITTEN)) {
                placed.put(irq, Integer.parseInt(written.strip()));
            }
        }
        return placed;
    }

    /** The set the hook chose from, checked to be used by the seed script's rule. */
    private static String hook(String shell, Path root, Row row) {
        Map<Integer, Integer> placed = hookPlaces(shell, root, row);
        if (placed.isEmpty()) {
            return "";
        }
        assertEquals(IRQS, placed.size(), shell + " " + row.what() + ": some IRQs placed, some not: " + placed);
        CpuSet usable = CpuSet.of(placed.values().stream().mapToInt(Integer::intValue).toArray());
        for (Map.Entry<Integer, Integer> e : placed.entrySet()) {
            assertEquals(usable.get(e.getKey() % usable.size()), e.getValue(),
                    shell + " " + row.what() + ": IRQ " + e.getKey() + " is not on (IRQ mod " + usable.size() + ") of "
                            + usable.toList());
        }
        return usable.toList();
    }

    @Test
    void theEngineAndTheHookFallbackChooseFromTheSameCpusExceptWhereTheTableSaysWhy() {
        for (int i = 0; i < TABLE.size(); i++) {
            Row row = TABLE.get(i);
            assertEquals(row.why().isEmpty(), row.engine().equals(row.hook()), row.what() + ": a difference needs its why");
            Path root = tree(row, i);
            assertEquals(row.engine(), engine(root), "engine: " + row.what());
            for (String shell : List.of("/bin/dash", "/bin/bash --posix")) {
                assertEquals(row.hook(), hook(shell, root, row), shell + ": " + row.what());
            }
        }
    }
}
