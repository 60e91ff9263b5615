package org.xenirqpolicy.model;

/**
 * The ADAPTIVE_* settings: when an adaptive run may move event channels, and how much.
 *
 * @param threshold       busiest CPU / lower bound above which a run may move (default 1.25); at
 *                        least {@link #MIN_THRESHOLD}
 * @param samplesAbove    consecutive runs above the threshold before moving (default 2): one noisy
 *                        sample never moves anything
 * @param maxMoves        event channels moved per run at most (default 4); 0 only observes
 * @param coolDownSeconds an IRQ moved less than this ago is not moved again (default 900 = 15 min)
 * @param queueSpreadCost keep one interface's queues on distinct CPUs unless that costs more than
 *                        this share of balance, e.g. 0.05 = the ratio may be at most 5% worse for
 *                        it (default 0.05)
 */
public record AdaptiveLimits(double threshold, int samplesAbove, int maxMoves, long coolDownSeconds,
        double queueSpreadCost) {
    /**
     * The lowest threshold that keeps the hysteresis. No placement does better than the bound (1),
     * but a busiest CPU near it is what a sample's noise looks like: a CPU's count varies by about
     * 2% from one window to the next on steady traffic (plan/Adaptive's MIN_GAIN), and the busiest
     * of all sits about 7% over the bound there (bench/adaptive.sh, steady profile, 1.07). The
     * planner splits queues and swaps above 1 + a fifth of the threshold's excess over 1, and its
     * comments measure what doing that within the noise costs (moves that never stop): 1.1 puts
     * that level at 1.02, the noise. At 1 every run would be out of balance and go on moving.
     */
    public static final double MIN_THRESHOLD = 1.1;

    public AdaptiveLimits {
        if (!(threshold >= MIN_THRESHOLD) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("adaptive threshold must be a number of at least " + MIN_THRESHOLD
                    + ", not " + threshold);
        }
        if (samplesAbove < 1) {
            throw new IllegalArgumentException("adaptive samples above must be at least 1, not " + samplesAbove);
        }
        if (maxMoves < 0) {
            throw new IllegalArgumentException("adaptive moves per run must be at least 0, not " + maxMoves);
        }
        if (coolDownSeconds < 0) {
            throw new IllegalArgumentException("adaptive cool-down must be at least 0 seconds, not " + coolDownSeconds);
        }
        if (!(queueSpreadCost >= 0) || Double.isInfinite(queueSpreadCost)) {
            throw new IllegalArgumentException("adaptive queue spread cost must be a number of at least 0, not "
                    + queueSpreadCost);
        }
    }

    public static AdaptiveLimits defaults() {
        return new AdaptiveLimits(1.25, 2, 4, 900, 0.05);
    }
}
