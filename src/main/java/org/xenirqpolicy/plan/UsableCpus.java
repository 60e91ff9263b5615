package org.xenirqpolicy.plan;

import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;

/**
 * The CPUs event channels may go to: the online ones, less those banned for irqbalance, less the
 * isolated ones (unless told otherwise), and within our own CPUS= where it is set. CPU ids are
 * dom0's vCPU numbers as Linux names them, gaps and all; nothing assumes 0..n-1.
 */
public final class UsableCpus {
    private UsableCpus() {
    }

    public static CpuSet of(CpuSet online, CpuSet irqbalanceBanned, CpuSet isolated, boolean excludeIsolated,
            CpuSet restrictTo) {
        CpuSet usable = online.minus(irqbalanceBanned);
        if (excludeIsolated) {
            usable = usable.minus(isolated);
        }
        if (!restrictTo.isEmpty()) {
            usable = usable.intersect(restrictTo);
        }
        if (usable.isEmpty()) {
            throw new InputException("no CPU left for event channels: online " + show(online)
                    + ", banned for irqbalance " + show(irqbalanceBanned)
                    + (excludeIsolated ? ", isolated " + show(isolated) : "")
                    + (restrictTo.isEmpty() ? "" : ", CPUS= " + show(restrictTo)));
        }
        return usable;
    }

    private static String show(CpuSet cpus) {
        return cpus.isEmpty() ? "none" : cpus.toList();
    }
}
