package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.read.IrqbalanceConfig;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.HookRun;
import org.xenirqpolicy.testing.HostTree;

/**
 * IRQBALANCE_BANNED_CPULIST and IRQBALANCE_BANNED_CPUS, good and bad, read the same by the engine
 * (CpuSet as IrqbalanceConfig uses it), by the hook (from its environment, under dash and bash),
 * and by the real irqbalance 1.9.2, which never refuses a value and keeps what it read before an
 * error. The hook stays silent whatever it is given.
 */
class HookBannedCpusTest {
    private static final String LIST = "IRQBALANCE_BANNED_CPULIST";
    private static final String MASK = "IRQBALANCE_BANNED_CPUS";
    /** The CPUs the hook is asked about: word edges of the mask, and irqbalance's last CPU. */
    private static final CpuSet PROBES = CpuSet.parseList("0-3,5,8,31-33,64,4095");

    private static final String ZERO_WORDS = ",00000000".repeat(127);
    private static final List<String> LISTS = List.of("3", "1-3,5", "0003", "5-5", "32-33", "4095", "4-4095",
            // irqbalance stops at the error and keeps what came before.
            "1-3-5", "-5", "1-", "--", "3-1", "4096", "2,4096,3", "0-7:2", "0x1", "1a", "2,x,3",
            // Empty entries are CPU 0, a trailing comma ends the list.
            "1,,3", ",1", "1,", ",", " ", "0-",
            // White space before the first digit is skipped; after it, only at the end.
            " 1, 2", "1 ,2", "1,2 \n", "\t2", "1\r", "\r1", "1\u000b2", "1 2",
            // Too large for irqbalance's int: it misreads or crashes; we read them as out of range.
            "99999999999999999999", "12345678901234567890", "2,4294967297");
    private static final List<String> MASKS = List.of("f", "F", "DEADBEEF", "deadbeef", "1,00000000",
            "00000002,00000001", "000000001", "ffffffff", "0,0,1", "1,0", "1,", "80000000" + ZERO_WORDS,
            "1" + ZERO_WORDS + ",00000000,00000000",
            // irqbalance reads no 0x prefix: the x stops it before any word is read.
            "0x1", "0X1", "ff,zz", "1,3-5", ",1", "1,,2", "123456789", "fffffffe,100000000", "g", ",",
            " ff", "ff ", "ff ,1", "ff, 1", "f f", " ", "1\t", "\n2");

    @TempDir
    Path tmp;

    /** The sample dom0 with 4096 CPUs online and a plan that puts IRQ 1000+i on the i-th probe CPU. */
    private Path probeTree() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree t = HostTree.at(root);
        t.write("/run/irqbalance/.keep", "");
        t.write("/sys/devices/system/cpu/online", "0-4095\n");
        List<Placement> placements = new ArrayList<>();
        StringBuilder interrupts = new StringBuilder(t.read("/proc/interrupts"));
        for (int i = 0; i < PROBES.size(); i++) {
            int irq = 1000 + i;
            placements.add(new Placement(irq, PROBES.get(i), "vif1.0-q" + i));
            t.write("/sys/kernel/irq/" + irq + "/chip_name", "xen-dyn\n");
            t.write("/sys/kernel/irq/" + irq + "/actions", "vif1.0-q" + i + "\n");
        }
        PlanStore.save(Host.at(root), new Plan(Strategy.SPREAD, PROBES, placements));
        t.write("/proc/interrupts", interrupts.toString());
        return root;
    }

    /** The probe CPUs the hook keeps its planned IRQs off, with {@code variable=value} in its environment. */
    private static CpuSet bannedByHook(String shell, Path root, String variable, String value) {
        BitSet banned = new BitSet();
        for (int i = 0; i < PROBES.size(); i++) {
            String irq = String.valueOf(1000 + i);
            String affinity = "/proc/irq/" + irq + "/smp_affinity_list";
            HostTree.at(root).write(affinity, PROBES.get(i) + "\n");
            assertEquals(HookRun.Result.BANNED, HookRun.run(shell, root, Integer.parseInt(irq), Map.of(variable, value)),
                    shell + " " + variable + "='" + value + "'");
            if (!HostTree.at(root).read(affinity).equals(PROBES.get(i) + "\n")) {
                banned.set(PROBES.get(i));
            }
        }
        return CpuSet.fromBits(banned);
    }

    private static CpuSet engine(String variable, String value) {
        return variable.equals(LIST) ? CpuSet.parseIrqbalanceList(value) : CpuSet.parseIrqbalanceMask(value);
    }

    @Test
    void theHookAndTheEngineReadEveryValueAlikeAndTheHookStaysSilent() {
        Path root = probeTree();
        for (String shell : List.of("/bin/dash", "/bin/bash --posix")) {
            for (String variable : List.of(LIST, MASK)) {
                for (String value : variable.equals(LIST) ? LISTS : MASKS) {
                    CpuSet expected = engine(variable, value).intersect(PROBES);
                    assertEquals(expected, bannedByHook(shell, root, variable, value), shell + " " + variable + "='" + value + "'");
                }
            }
        }
    }

    @Test
    void theEngineReadsTheValueFromTheSysconfigFileAsItIsGiven() {
        assertEquals(CpuSet.parseList("0-7"), IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPUS=ff,zz\n"));
        assertEquals(CpuSet.parseList("0-3,32-35"), IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPUS=\"F,0000000F\"\n"));
        assertEquals(CpuSet.parseList("1"), IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPULIST=\"1, 2\"\n"));
        assertEquals(CpuSet.empty(), IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPULIST=1-3-5\nIRQBALANCE_BANNED_CPUS=0x1\n"));
    }

    private static final Pattern BANNED = Pattern.compile("Banned CPUs: ([0-9a-f,]+)\n");

    /** irqbalance, once, with {@code variable=value} in its environment; its --debug output goes to {@code out}. */
    private static Process irqbalance(Path tree, String variable, String value, Path out) throws IOException {
        return new ProcessBuilder(Dom0Namespace.inside(tree, false, "env", variable + "=" + value,
                Dom0Namespace.IRQBALANCE.toString(), "--oneshot", "--foreground", "--debug", "--interval=1"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /** What irqbalance banned, from the "Banned CPUs" line of its --debug output. */
    private static CpuSet bannedByIrqbalance(String output, String what) {
        Matcher m = BANNED.matcher(output);
        assertTrue(m.find(), what + ": " + output);
        BigInteger bits = new BigInteger(m.group(1).replace(",", ""), 16);
        BitSet banned = new BitSet();
        for (int cpu = 0; cpu < bits.bitLength(); cpu++) {
            if (bits.testBit(cpu)) {
                banned.set(cpu);
            }
        }
        return CpuSet.fromBits(banned);
    }

    @Test
    void theEngineReadsEveryValueAsIrqbalanceItselfDoes() throws Exception {
        Dom0Namespace.requirePrerequisites();
        Path tree = Cli.sampleDom0(tmp.resolve("dom0"));
        // One irqbalance per value, all at once: each mostly waits out its one-second interval.
        record Run(String what, Process irqbalance, Path out, CpuSet engine) {
        }
        List<Run> runs = new ArrayList<>();
        for (String variable : List.of(LIST, MASK)) {
            for (String value : variable.equals(LIST) ? LISTS : MASKS) {
                // Numbers beyond a C int are undefined behaviour in irqbalance (it crashed on one).
                if (variable.equals(LIST) && value.matches("(?s).*[0-9]{10}.*")) {
                    continue;
                }
                Path out = tmp.resolve("irqbalance" + runs.size() + ".out");
                runs.add(new Run(variable + "='" + value + "'", irqbalance(tree, variable, value, out), out,
                        engine(variable, value)));
            }
        }
        for (Run run : runs) {
            assertTrue(run.irqbalance().waitFor(60, TimeUnit.SECONDS), run.what());
            assertEquals(run.engine(), bannedByIrqbalance(Files.readString(run.out()), run.what()), run.what());
        }
    }
}
