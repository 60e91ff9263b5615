package org.xenirqpolicy.plan;

import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;

/**
 * The CPUs event channels may go to: the online ones, less those banned for irqbalance, less the
 * isolated and the tickless (nohz_full) ones, as irqbalance keeps IRQs off both (unless told
 * otherwise), and within our own CPUS= where it is set. CPU ids are
 * dom0's vCPU numbers as Linux names them, gaps and all; nothing assumes 0..n-1.
 */
public final class UsableCpus {
    private UsableCpus() {
    }

    public static CpuSet of(CpuSet online, CpuSet irqbalanceBanned, CpuSet isolated, CpuSet nohzFull,
            boolean excludeIsolated, CpuSet restrictTo) {
        CpuSet usable = online.minus(irqbalanceBanned);
        if (excludeIsolated) {
            usable = usable.minus(isolated).minus(nohzFull);
        }
        if (!restrictTo.isEmpty()) {
            usable = usable.intersect(restrictTo);
        }
        if (usable.isEmpty()) {
            throw new InputException("no CPU left for event channels: online " + online.toListOr("none")
                    + ", banned for irqbalance " + irqbalanceBanned.toListOr("none")
                    + (excludeIsolated ? ", isolated " + isolated.toListOr("none") : "")
                    + (excludeIsolated && !nohzFull.isEmpty() ? ", nohz_full " + nohzFull.toListOr("none") : "")
                    + (restrictTo.isEmpty() ? "" : ", CPUS= " + restrictTo.toListOr("none")));
        }
        return usable;
    }
}
