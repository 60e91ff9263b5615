package org.xenirqpolicy.apply;

import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.Placement;

/**
 * What happened to one planned IRQ.
 *
 * @param placement where the plan puts it
 * @param before    its smp_affinity_list before (empty if unreadable)
 * @param change    what was done
 * @param detail    the reason of a failure, else empty
 */
public record Outcome(Placement placement, CpuSet before, Change change, String detail) {
    public enum Change {
        /** Already on its planned CPU: nothing written. */
        UNCHANGED,
        /** Written and read back as planned. */
        CHANGED,
        /** A dry run: would have been written. */
        WOULD_CHANGE,
        /** The IRQ is gone (its guest stopped): nothing to do. */
        VANISHED,
        /** The kernel refused the write, or read back something else. */
        FAILED
    }
}
