package org.xenirqpolicy.apply;

import java.util.List;
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

    /** The outcomes counted by kind; a dry run's would-be moves count as changed. */
    public record Tally(int changed, int unchanged, int vanished, int failed) {
        public static Tally of(List<Outcome> outcomes) {
            int[] n = new int[Change.values().length];
            for (Outcome o : outcomes) {
                n[o.change().ordinal()]++;
            }
            return new Tally(n[Change.CHANGED.ordinal()] + n[Change.WOULD_CHANGE.ordinal()], n[Change.UNCHANGED.ordinal()],
                    n[Change.VANISHED.ordinal()], n[Change.FAILED.ordinal()]);
        }
    }
}
