package org.xenirqpolicy.classify;

import java.util.List;
import org.xenirqpolicy.read.HostReader;

/**
 * The one rule that decides which IRQs are ours. An IRQ is ours if and only if its chip is a Xen
 * dynamic event channel and it belongs to no PCI device:
 * <ul>
 * <li>{@code xen-dyn}: event channels of backends, xenbus, consoles and global VIRQs;</li>
 * <li>{@code xen-dyn-lateeoi}: the same for backends since Linux 5.10 (netback, blkback, evtchn);</li>
 * <li>{@code xen-dyn-event}: how kernels before 4.x print {@code xen-dyn} with its handler glued on.</li>
 * </ul>
 * Never {@code xen-pirq} (physical devices routed through Xen, which irqbalance already balances
 * and whose writes fail with EPERM when they have no handler), never {@code xen-percpu} (per-CPU
 * timers and IPIs, which cannot move: writes fail with EIO), never any other chip.
 */
public final class XenDynRule {
    /** The chips we place, as chip_name or /proc/interrupts print them. */
    public static final List<String> CHIPS = List.of("xen-dyn", "xen-dyn-lateeoi", "xen-dyn-event");

    private XenDynRule() {
    }

    public static boolean isXenDynChip(String chip) {
        return CHIPS.contains(chip);
    }

    /** What the reader must read for this rule; effective affinities only where they are shown. */
    public static HostReader.Want want(boolean effective) {
        return new HostReader.Want(XenDynRule::isXenDynChip, effective);
    }

    public static boolean isOurs(String chip, boolean belongsToPciDevice) {
        return isXenDynChip(chip) && !belongsToPciDevice;
    }
}
