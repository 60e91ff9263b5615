package org.xenirqpolicy.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.testing.Fixtures;

class ProcInterruptsTest {
    @Test
    void everyFieldCaptureParsesWithNoSkippedLine() {
        List<Path> captures = new java.util.ArrayList<>(Fixtures.interruptCaptures());
        captures.add(Fixtures.required("fixtures/xen-dom0-linux-6.1/proc_interrupts.txt"));
        for (Path capture : captures) {
            String text = Fixtures.read(capture);
            InterruptsTable t = ProcInterrupts.parse(text);
            assertEquals(0, t.skippedLines(), capture + ": skipped line " + t.firstSkippedLine());
            long numbered = text.lines().filter(l -> l.matches("\\s*[0-9]+:.*")).count();
            assertEquals(numbered, t.irqs().size(), capture.toString());
        }
    }

    @Test
    void actionNamesAreTheWordsTheHooksShellSeesJoinedByOneSpace() {
        // Spaces and tabs separate words, as in the shell's default IFS; NUL bytes are dropped as
        // the shell's read drops them; any other byte, white space to Java or not, is kept.
        InterruptsTable t = ProcInterrupts.parse("           CPU0       CPU1\n"
                + " 241:          1          0  xen-dyn    -event     vif1.0\t\t-q0  tx\u000b \r\u00a0 \t\n"
                + " 242:          1          0  xen-dyn    -event     -x\0y 12-edge\n");
        assertEquals("vif1.0 -q0 tx\u000b \r\u00a0", t.irqs().get(0).actions());
        assertEquals("-xy 12-edge", t.irqs().get(1).actions());
    }

    @Test
    void legacyLayoutGluesHandlerToChip() {
        InterruptsTable t = ProcInterrupts.parse(Fixtures.read(Fixtures.required("fixtures/interrupts/centos6-domU.txt")));
        IrqLine eth1 = t.irqs().get(0);
        assertEquals(272, eth1.irq());
        assertArrayEquals(new long[] {642971, 803006}, eth1.counts());
        assertEquals("xen-dyn-event", eth1.chip());
        assertEquals("eth1", eth1.actions());
        IrqLine timer0 = t.irqs().get(15);
        assertEquals("xen-percpu-virq", timer0.chip());
        assertEquals("timer0", timer0.actions());
    }

    @Test
    void splitLayoutOfFedora26AndLateEoiOfLinux61() {
        InterruptsTable f26 = ProcInterrupts.parse(Fixtures.read(Fixtures.required("fixtures/interrupts/fedora26-dom0-vif-excerpt.txt")));
        IrqLine q0 = f26.irqs().get(0);
        assertEquals("xen-dyn", q0.chip());
        assertEquals("vif26.0-q0-tx", q0.actions());
        assertEquals(158775, q0.total());

        InterruptsTable dom0 = ProcInterrupts.parse(Fixtures.read(Fixtures.required("fixtures/xen-dom0-linux-6.1/proc_interrupts.txt")));
        IrqLine vif = dom0.irqs().stream().filter(l -> l.irq() == 67).findFirst().orElseThrow();
        assertEquals("xen-dyn-lateeoi", vif.chip());
        assertEquals("vif1.0-q0-tx", vif.actions());
        IrqLine i8042 = dom0.irqs().get(0);
        assertEquals("xen-pirq", i8042.chip());
        assertEquals(9, dom0.countOn(i8042, 2));
    }

    @Test
    void columnsFollowTheHeaderNotTheirPosition() {
        String text = """
                           CPU0       CPU2       CPU3
                  30:          1          2          3   xen-dyn    -event     xenbus
                """;
        InterruptsTable t = ProcInterrupts.parse(text);
        assertArrayEquals(new int[] {0, 2, 3}, t.cpuOfColumn());
        IrqLine line = t.irqs().get(0);
        assertEquals(1, t.countOn(line, 0));
        assertEquals(0, t.countOn(line, 1));
        assertEquals(2, t.countOn(line, 2));
        assertEquals(3, t.countOn(line, 3));
    }

    @Test
    void pciMsiLinesAndNamesWithSpaces() {
        String text = """
                            CPU0       CPU1
                  24:          0          7  IR-PCI-MSI 524288-edge      nvme0q0
                  26:          0          0  PCI-MSI 2097152-edge      PCIe PME, aerdrv
                   0:         44          0   IO-APIC   2-edge      timer
                 120:          0          0  DMAR-MSI    0-edge      dmar0
                """;
        InterruptsTable t = ProcInterrupts.parse(text);
        assertEquals(0, t.skippedLines());
        assertEquals("IR-PCI-MSI", t.irqs().get(0).chip());
        assertEquals("PCIe PME, aerdrv", t.irqs().get(1).actions());
        assertEquals("IO-APIC", t.irqs().get(2).chip());
        assertEquals("timer", t.irqs().get(2).actions());
    }

    @Test
    void garbledLinesAreCountedAndSkippedNeverFatal() {
        String text = """
                           CPU0       CPU1
                  30:          1          2   xen-dyn    -event     xenbus
                  31:          1   xen-dyn    -event     short
                  3x:          1          2   xen-dyn    -event     badlabel
                  32:          1          2
                random words
                  33:  99999999999999999999999          2   xen-dyn  -event  overflow
                  34:          5          6   xen-dyn    -event     fine
                NMI:          0          0   Non-maskable interrupts
                ERR:          0
                """;
        InterruptsTable t = ProcInterrupts.parse(text);
        assertEquals(List.of(30, 34), t.irqs().stream().map(IrqLine::irq).toList());
        assertEquals(5, t.skippedLines());
        assertEquals(3, t.firstSkippedLine());
    }

    @Test
    void anUnusableHeaderIsAnInputError() {
        assertThrows(InputException.class, () -> ProcInterrupts.parse(""));
        assertThrows(InputException.class, () -> ProcInterrupts.parse("\n\n"));
        InputException e = assertThrows(InputException.class, () -> ProcInterrupts.parse("garbage here\n 1: 2 x y\n"));
        assertTrue(e.getMessage().startsWith("/proc/interrupts:1: header"), e.getMessage());
        assertThrows(InputException.class, () -> ProcInterrupts.parse("CPU2 CPU1\n"));
        assertFalse(ProcInterrupts.parse("CPU0\n").irqs().size() > 0);
    }
}
