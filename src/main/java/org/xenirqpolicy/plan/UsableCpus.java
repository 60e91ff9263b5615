package org.xenirqpolicy.plan;

import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;

/**
 * The CPUs event channels may go to: the online ones, less those banned for irqbalance, less the
 * isolated and the tickless (nohz_full) ones, as irqbalance keeps IRQs off both (unless told
 * otherwise), and within our own CPUS= where it is set. CPU ids are
 * dom0's vCPU numbers as Linux names them, gaps and all; nothing assumes 0..n-1.
 *
 * <p>Where this differs from irqbalance's own rule (setup_banned_cpus in its cputree.c, 1.9):
 * irqbalance bans the CPUs a client set through its socket (irqbalance-ui) if any, else those of
 * IRQBALANCE_BANNED_CPUS if it is set and not empty, else those of IRQBALANCE_BANNED_CPULIST if
 * it is set and not empty, and only when neither is set the isolated and the nohz_full ones. We
 * take the union of the two variables, isolated and nohz_full: banning CPUs for irqbalance does
 * not ask for event channels on isolated or tickless CPUs. A ban through the socket is not seen.
 * EXCLUDE_ISOLATED=no and CPUS= are ours; irqbalance has neither.
 *
 * <p>The hook's fallback (src/main/sh/xen-irq-policy-hook: usable_now and allowed) states the same
 * rule in sh, without CPUS= and EXCLUDE_ISOLATED=, which it does not read;
 * UsableCpusBothLanguagesTest runs both on one table.
 */
public final class UsableCpus {
    private UsableCpus() {
    }

    /**
     * What the rule is made of.
     *
     * @param online              /sys/devices/system/cpu/online (or the /proc/interrupts columns)
     * @param bannedForIrqbalance IRQBALANCE_BANNED_CPULIST and IRQBALANCE_BANNED_CPUS together,
     *                            each read as irqbalance reads it
     * @param isolated            /sys/devices/system/cpu/isolated (isolcpus=)
     * @param nohzFull            /sys/devices/system/cpu/nohz_full (tickless CPUs)
     * @param excludeIsolated     our EXCLUDE_ISOLATED=: whether isolated and nohzFull are left out
     * @param restrictTo          our CPUS=: only these; empty means no restriction
     */
    public record Inputs(CpuSet online, CpuSet bannedForIrqbalance, CpuSet isolated, CpuSet nohzFull,
            boolean excludeIsolated, CpuSet restrictTo) {
    }

    public static CpuSet of(Inputs in) {
        CpuSet usable = in.online().minus(in.bannedForIrqbalance());
        if (in.excludeIsolated()) {
            usable = usable.minus(in.isolated()).minus(in.nohzFull());
        }
        if (!in.restrictTo().isEmpty()) {
            usable = usable.intersect(in.restrictTo());
        }
        if (usable.isEmpty()) {
            throw new InputException("no CPU left for event channels: online " + in.online().toListOr("none")
                    + ", banned for irqbalance " + in.bannedForIrqbalance().toListOr("none")
                    + (in.excludeIsolated() ? ", isolated " + in.isolated().toListOr("none") : "")
                    + (in.excludeIsolated() && !in.nohzFull().isEmpty()
                            ? ", nohz_full " + in.nohzFull().toListOr("none") : "")
                    + (in.restrictTo().isEmpty() ? "" : ", CPUS= " + in.restrictTo().toListOr("none")));
        }
        return usable;
    }
}
