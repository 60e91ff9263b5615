package org.xenirqpolicy.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.read.HostReader;
import org.xenirqpolicy.read.HostSnapshot;
import org.xenirqpolicy.read.IrqState;
import org.xenirqpolicy.testing.CapturedDom0;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

class ClassifierTest {
    @TempDir
    Path tmp;

    private static List<EventChannel> classify(Path root) {
        return Classifier.eventChannels(HostReader.read(Host.at(root), XenDynRule.want(true)));
    }

    @Test
    void onTheRealDom0OnlyXenDynAndLateEoiChannelsAreOurs() {
        CapturedDom0.layOut(tmp);
        List<EventChannel> ours = classify(tmp);
        assertEquals(List.of(48, 49, 50, 51, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72),
                ours.stream().map(EventChannel::irq).toList());
        EventChannel q0tx = ours.stream().filter(e -> e.irq() == 67).findFirst().orElseThrow();
        assertEquals("xen-dyn-lateeoi", q0tx.chip());
        assertEquals(new Device.NetQueue("vif1.0", 1, 0, 0), q0tx.device());
        assertEquals("0-3", q0tx.affinity().toList());
        assertEquals(2, q0tx.currentCpu());
        assertEquals("block", ours.get(ours.size() - 1).device().kind());
        assertEquals(new Device.Evtchn("oxenstored"), ours.get(4).device());
        assertEquals(new Device.Xenbus(), ours.get(0).device());
        assertEquals(new Device.Console(), ours.get(3).device());
        assertEquals(new Device.Other(), ours.get(2).device());
    }

    @Test
    void xenPercpuAndXenPirqAreNeverOursInAnyCapture() {
        for (Path capture : Fixtures.interruptCaptures()) {
            Path root = tmp.resolve(capture.getFileName().toString());
            String text = Fixtures.read(capture);
            HostTree.at(root).fromInterrupts(text, !text.contains("xen-dyn-event"));
            HostSnapshot host = HostReader.read(Host.at(root), XenDynRule.want(true));
            Set<Integer> ours = new TreeSet<>();
            classify(root).forEach(e -> ours.add(e.irq()));
            for (IrqState irq : host.irqs()) {
                boolean dyn = irq.chip().equals("xen-dyn") || irq.chip().equals("xen-dyn-event");
                assertEquals(dyn, ours.contains(irq.irq()), capture + " IRQ " + irq.irq() + " chip " + irq.chip());
                if (irq.chip().startsWith("xen-percpu") || irq.chip().startsWith("xen-pirq")) {
                    assertFalse(ours.contains(irq.irq()));
                }
            }
            assertFalse(ours.isEmpty(), capture.toString());
        }
    }

    @Test
    void anEventChannelThatBelongsToAPciDeviceIsNotOurs() {
        HostTree tree = HostTree.at(tmp).fromInterrupts("""
                           CPU0       CPU1
                  40:          1          2   xen-dyn    -event     vif3.0-q0-tx
                  41:          1          2   xen-dyn    -event     vif3.0-q0-rx
                  42:          1          2   xen-dyn    -event     odd
                """, true);
        tree.write("/sys/bus/pci/devices/0000:00:04.0/msi_irqs/41", "msi\n");
        tree.write("/sys/bus/pci/devices/0000:00:05.0/irq", "42\n");
        assertEquals(List.of(40), classify(tmp).stream().map(EventChannel::irq).toList());
    }

    /**
     * chip_name confirms a Xen token, and wins where the token misleads (a forged line, a number
     * reused between the reads); a token that is no Xen chip is no event channel, whatever
     * chip_name says, as the kernel prints the same chip name in both places for Xen's chips.
     */
    @Test
    void chipNameFromSysfsConfirmsAXenTokenAndOtherTokensAreNotOurs() {
        HostTree tree = HostTree.at(tmp).fromInterrupts("""
                           CPU0       CPU1
                  40:          1          2   xen-dyn    -event     vif3.0-q0-tx
                  41:          1          2   weird    -event     vif3.0-q0-rx
                  42:          1          2   xen-dyn-event     vif3.0-q1-tx
                """, true);
        tree.write("/sys/kernel/irq/40/chip_name", "xen-pirq\n");
        tree.write("/sys/kernel/irq/41/chip_name", "xen-dyn-lateeoi\n");
        tree.write("/sys/kernel/irq/42/chip_name", "xen-dyn\n");
        List<EventChannel> ours = classify(tmp);
        assertEquals(List.of(42), ours.stream().map(EventChannel::irq).toList());
        assertEquals("xen-dyn", ours.get(0).chip());
    }

    @Test
    void theRuleIsExactlyThreeChips() {
        for (String chip : List.of("xen-dyn", "xen-dyn-lateeoi", "xen-dyn-event")) {
            assertTrue(XenDynRule.isOurs(chip, false), chip);
            assertFalse(XenDynRule.isOurs(chip, true), chip);
        }
        for (String chip : List.of("xen-pirq", "xen-percpu", "xen-percpu-virq", "xen-percpu-ipi", "xen-dyn-virq",
                "xen-dyn ", "Xen-dyn", "IR-PCI-MSI", "xen-dynx", "")) {
            assertFalse(XenDynRule.isOurs(chip, false), chip);
        }
    }

    @Test
    void namesDevicesFromActionNames() {
        assertEquals(new Device.NetQueue("vif26.0", 26, 0, 1), DeviceNames.of("vif26.0-q1-rx"));
        assertEquals(new Device.NetQueue("vif26.1", 26, 1, 3), DeviceNames.of("vif26.1-q3"));
        assertEquals(new Device.NetQueue("vif7.2", 7, 2, -1), DeviceNames.of("vif7.2"));
        assertEquals(new Device.NetQueue("vif7.2", 7, 2, -1), DeviceNames.of("vif7.2-tx"));
        assertEquals(new Device.NetQueue("web-eth0", -1, -1, 0), DeviceNames.of("web-eth0-q0-tx"));
        assertEquals(new Device.Block(), DeviceNames.of("blkif-backend"));
        assertEquals(new Device.Xenbus(), DeviceNames.of("xenbus"));
        assertEquals(new Device.Console(), DeviceNames.of("hvc_console"));
        assertEquals(new Device.Evtchn("qemu-system-i386"), DeviceNames.of("evtchn:qemu-system-i386"));
        assertEquals(new Device.Other(), DeviceNames.of("mce"));
        assertEquals(new Device.Other(), DeviceNames.of(""));
        assertEquals(new Device.Other(), DeviceNames.of("vif1.0-qx-tx"));
        assertEquals(new Device.NetQueue("vif1.0", 1, 0, 0), DeviceNames.of("vif1.0-q0-tx, other"));
    }
}
