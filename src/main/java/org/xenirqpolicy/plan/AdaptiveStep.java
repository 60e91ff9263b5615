package org.xenirqpolicy.plan;

import java.util.List;

/**
 * What one adaptive run decided.
 *
 * @param plan        the plan in force with the moves applied (same strategy, usable CPUs and
 *                    exclusions); the very plan given when nothing moved
 * @param moves       the event channels moved, in the order they were chosen
 * @param why         why it moved or not
 * @param ratioBefore busiest CPU load / lower bound on the plan given, where the lower bound is
 *                    max(total / usable CPUs, largest single IRQ rate); NaN when QUIET
 * @param ratioAfter  the same with the moves applied (the sample's rates at their new CPUs); NaN
 *                    when QUIET
 * @param memory      for the next run
 */
public record AdaptiveStep(Plan plan, List<AdaptiveMove> moves, Why why, double ratioBefore, double ratioAfter,
        AdaptiveMemory memory) {
    public AdaptiveStep {
        moves = List.copyOf(moves);
    }

    /** Why a run moved what it moved, or nothing. */
    public enum Why {
        /** No interrupts counted in the sample window: nothing to judge by. */
        QUIET,
        /** Ratio at or below the threshold. */
        BALANCED,
        /** Above the threshold, but for fewer than samplesAbove consecutive runs so far. */
        WAITING,
        /** Above for long enough: moves made. */
        MOVED,
        /** Above for long enough, but no allowed move improves the ratio (cool-downs, exclusions, one hot IRQ). */
        STUCK
    }
}
