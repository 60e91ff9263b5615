package org.xenirqpolicy.plan;

import java.util.List;

/**
 * why: QUIET (no interrupts counted in the window), BALANCED (ratio <= threshold), WAITING (above,
 * fewer than samplesAbove consecutive samples so far), MOVED (moves made), STUCK (above for long
 * enough but no allowed move improves the ratio: cool-downs, exclusions, a single hot IRQ).
 * ratioBefore/After: busiest CPU load / lower bound, bound = max(total / usable CPUs, largest
 * single IRQ rate), NaN when QUIET. plan: the current plan with the moves applied (same strategy,
 * usable, excluded; the same object's placements when nothing moved). memory: for the next run.
 */
public record AdaptiveStep(Plan plan, List<AdaptiveMove> moves, Why why, double ratioBefore,
        double ratioAfter, AdaptiveMemory memory) {
    public enum Why { QUIET, BALANCED, WAITING, MOVED, STUCK }
}
