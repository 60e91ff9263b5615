package org.xenirqpolicy.plan;

/**
 * ADAPTIVE_* settings. threshold: busiest/bound above which a run may move (default 1.25);
 * samplesAbove: consecutive runs above it before moving (default 2); maxMoves per run (default 4);
 * coolDownSeconds: an IRQ moved less than this ago is not moved again (default 900 = 15 min);
 * queueSpreadCost: keep one interface's queues on distinct CPUs unless that costs more than this
 * share of balance, e.g. 0.05 = the ratio may be at most 5% worse for it (default 0.05).
 */
public record AdaptiveLimits(double threshold, int samplesAbove, int maxMoves, long coolDownSeconds,
        double queueSpreadCost) {
    public static AdaptiveLimits defaults() {
        return new AdaptiveLimits(1.25, 2, 4, 900, 0.05);
    }
}
