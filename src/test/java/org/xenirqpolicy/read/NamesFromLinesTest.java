package org.xenirqpolicy.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.classify.XenDynRule;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.testing.CapturedDom0;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * Where the reader takes an event channel's name from: its /proc/interrupts line where that
 * cannot differ from /sys/kernel/irq/N/actions as the hook reads it, sysfs otherwise. Trees
 * whose sysfs says something else than /proc show which of the two was read.
 */
class NamesFromLinesTest {
    private static final String HEADER = "           CPU0       CPU1\n";

    @TempDir
    Path tmp;

    private static String line(int irq, String afterCounts) {
        return String.format("%4d:          1          0  %s%n", irq, afterCounts);
    }

    private static IrqLine only(String afterCounts) {
        return ProcInterrupts.parse(HEADER + line(40, afterCounts)).irqs().get(0);
    }

    @Test
    void aLineGivesItsNameExactlyOnlyAsOneWordAfterAHandlerWithoutControlCharacters() {
        assertTrue(only("xen-dyn-lateeoi    -event     vif1.0-q0-tx").actionsExact());
        assertTrue(only("xen-dyn    -virq      hvc_console").actionsExact());
        assertTrue(only("xen-dyn    -event     evtchn:qemu-dm-\u00e9\u00ff  \t").actionsExact());
        // A second action with an empty name: "a, " here, "a," in sysfs; both read as "a,".
        assertTrue(only("xen-dyn    -event     a, ").actionsExact());
        assertTrue(only("xen-dyn    -event     " + "a".repeat(ProcInterrupts.LONGEST_EXACT_NAME)).actionsExact());

        // Two actions (", " here, "," in sysfs), blanks inside a name, no handler, a control
        // character, a name sysfs would cut, no name at all, a trigger type before the handler
        // (GENERIC_IRQ_SHOW_LEVEL, not on x86).
        assertFalse(only("xen-dyn    -event     evtchn:a, evtchn:b").actionsExact());
        assertFalse(only("xen-dyn    -event     vif1.0  q0").actionsExact());
        assertFalse(only("xen-dyn    vif1.0-q0-tx").actionsExact());
        assertFalse(only("xen-dyn    -event     vif1.0\r").actionsExact());
        assertFalse(only("xen-dyn    -event     vif\u007f1.0").actionsExact());
        assertFalse(only("xen-dyn    -event     " + "a".repeat(ProcInterrupts.LONGEST_EXACT_NAME + 1)).actionsExact());
        assertFalse(only("xen-dyn    -event").actionsExact());
        assertFalse(only("xen-dyn     Edge    -event     vif1.0-q0-tx").actionsExact());
        // Chips and handlers glued (kernels before 4.x): the handler is not seen.
        assertFalse(only("xen-dyn-event     eth1").actionsExact());
    }

    @Test
    void aTableIsInKernelOrderOnlyWithIrqsGoingUpAndNoSkippedLine() {
        String a = line(40, "xen-dyn    -event     a");
        String b = line(41, "xen-dyn    -event     b");
        assertTrue(ProcInterrupts.parse(HEADER + a + b + "NMI:          0          0   Non-maskable interrupts\n").inKernelOrder());
        assertFalse(ProcInterrupts.parse(HEADER + b + a).inKernelOrder());
        assertFalse(ProcInterrupts.parse(HEADER + a + a).inKernelOrder());
        assertFalse(ProcInterrupts.parse(HEADER + a + "  fragment of a name\n" + b).inKernelOrder());
    }

    private HostSnapshot read(HostTree tree, boolean effective) {
        return HostReader.read(Host.at(tree.root()), XenDynRule.want(effective));
    }

    /** The names of the IRQs read in detail, by IRQ, in file order for a repeated IRQ. */
    private static Map<Integer, List<String>> names(HostSnapshot snapshot) {
        Map<Integer, List<String>> names = new TreeMap<>();
        for (IrqState irq : snapshot.irqs()) {
            if (irq.detailed()) {
                names.merge(irq.irq(), List.of(irq.name()),
                        (x, y) -> Stream.concat(x.stream(), y.stream()).toList());
            }
        }
        return names;
    }

    @Test
    void aNameOfOneWordIsTakenFromItsLine() {
        HostTree tree = HostTree.at(tmp).fromInterrupts(HEADER + line(40, "xen-dyn-lateeoi    -event     vif1.0-q0-tx"), true);
        tree.write("/sys/kernel/irq/40/actions", "sysfs-not-read\n");
        assertEquals(Map.of(40, List.of("vif1.0-q0-tx")), names(read(tree, false)));
        assertEquals(Map.of(40, List.of("vif1.0-q0-tx")), names(read(tree, true)));
    }

    /** Each of these would give another name, or another byte, if the reader took the line's. */
    @Test
    void namesTheLineCannotGiveExactlyAreReadFromSysfsAsTheHookReadsThem() {
        HostTree tree = HostTree.at(tmp).fromInterrupts(HEADER
                + line(50, "xen-dyn    -event     vif1.0  q0\t")
                + line(51, "xen-dyn-lateeoi    -event     evtchn:a, evtchn:b")
                + line(52, "xen-dyn    -event     foo bar")
                + line(53, "xen-dyn     Edge    -event     vif1.0-q0-tx")
                + line(54, "xen-dyn    -event     ctl\u000bname")
                + line(55, "xen-dyn    -event     " + "a".repeat(4096))
                + line(56, "xen-dyn    -event"), true);
        tree.write("/sys/kernel/irq/50/actions", "\tvif1.0  q0\t\n");
        tree.write("/sys/kernel/irq/51/actions", "evtchn:a,evtchn:b\n");
        tree.write("/sys/kernel/irq/52/actions", " baz  qux \n");
        tree.write("/sys/kernel/irq/53/actions", "vif2.0-q0-tx\n");
        tree.write("/sys/kernel/irq/54/actions", "ctl\u000bname-in-sysfs\n");
        tree.write("/sys/kernel/irq/55/actions", "a".repeat(4095));
        tree.write("/sys/kernel/irq/56/actions", "late\n");
        Map<Integer, List<String>> expected = new TreeMap<>(Map.of(50, List.of("vif1.0  q0"), 51, List.of("evtchn:a,evtchn:b"),
                52, List.of("baz  qux"), 53, List.of("vif2.0-q0-tx"), 54, List.of("ctl\u000bname-in-sysfs"), 55, List.of("a".repeat(4095)),
                56, List.of("late")));
        assertEquals(expected, names(read(tree, false)));
        assertEquals(expected, names(read(tree, true)));
    }

    /**
     * A name with a newline in it cuts its line, and what follows may read as a line: a fragment,
     * or a forged line for an IRQ printed elsewhere. Then no line is taken at its word.
     */
    @Test
    void inATableNotAsTheKernelPrintsItEveryNameIsReadFromSysfs() {
        String forged = HEADER + line(60, "xen-dyn-lateeoi    -event     evtchn:a") + line(61, "xen-dyn    -event     vif1.0-q0-tx")
                + line(61, "xen-dyn    -event     forged");
        HostTree tree = HostTree.at(tmp.resolve("forged")).fromInterrupts(forged, true);
        tree.write("/sys/kernel/irq/60/actions", "evtchn:a\n");
        tree.write("/sys/kernel/irq/61/actions", "vif2.0-q0-tx\n");
        Map<Integer, List<String>> expected = Map.of(60, List.of("evtchn:a"), 61, List.of("vif2.0-q0-tx", "vif2.0-q0-tx"));
        assertEquals(expected, names(read(tree, false)));
        assertEquals(expected, names(read(tree, true)));

        String fragment = HEADER + line(60, "xen-dyn-lateeoi    -event     evtchn:a") + "b\n" + line(61, "xen-dyn    -event     vif1.0-q0-tx");
        tree = HostTree.at(tmp.resolve("fragment")).fromInterrupts(fragment, true);
        tree.write("/sys/kernel/irq/60/actions", "evtchn:a\nb\n");
        tree.write("/sys/kernel/irq/61/actions", "vif2.0-q0-tx\n");
        expected = Map.of(60, List.of("evtchn:a"), 61, List.of("vif2.0-q0-tx"));
        assertEquals(expected, names(read(tree, false)));
        assertEquals(expected, names(read(tree, true)));
    }

    /**
     * On dom0s as the kernel shows them, generated and captured, the reader gives every IRQ the
     * chip and name sysfs gives as the hook reads them (ShellRead), and reads in detail exactly
     * the IRQs whose chip_name is a Xen event channel's.
     */
    @Test
    void onGeneratedAndCapturedDom0sChipsAndNamesAreThoseOfSysfs() {
        SyntheticDom0 xenDyn = new SyntheticDom0(CpuSet.parseList("0-3,6"), 6, 2, 3, 1, 5, "xen-dyn",
                SyntheticDom0.uniformQueues(30, 10, 2));
        List<HostTree> trees = List.of(SyntheticDom0.FORTY_GUESTS.layOut(HostTree.at(tmp.resolve("forty"))),
                xenDyn.layOut(HostTree.at(tmp.resolve("xen-dyn"))), CapturedDom0.layOut(tmp.resolve("captured")));
        for (HostTree tree : trees) {
            InterruptsTable table = ProcInterrupts.parse(tree.read("/proc/interrupts"));
            assertTrue(table.inKernelOrder(), tree.root().toString());
            Set<Integer> xenChips = new TreeSet<>();
            for (IrqLine line : table.irqs()) {
                String chip = ShellRead.firstLine(tree.read("/sys/kernel/irq/" + line.irq() + "/chip_name"));
                // The kernel prints one chip name in both places, and every Xen IRQ's name exactly.
                assertEquals(chip, line.chip(), "IRQ " + line.irq());
                if (XenDynRule.isXenDynChip(chip)) {
                    xenChips.add(line.irq());
                    assertTrue(line.actionsExact(), "IRQ " + line.irq() + " " + line.actions());
                }
            }
            assertFalse(xenChips.isEmpty());
            for (boolean effective : List.of(false, true)) {
                Set<Integer> detailed = new TreeSet<>();
                for (IrqState irq : read(tree, effective).irqs()) {
                    if (irq.detailed()) {
                        detailed.add(irq.irq());
                        String sysfs = "/sys/kernel/irq/" + irq.irq();
                        assertEquals(ShellRead.firstLine(tree.read(sysfs + "/actions")), irq.name(), "IRQ " + irq.irq());
                        assertEquals(ShellRead.firstLine(tree.read(sysfs + "/chip_name")), irq.chip(), "IRQ " + irq.irq());
                    }
                }
                assertEquals(xenChips, detailed, tree.root() + " effective " + effective);
            }
        }
    }
}
