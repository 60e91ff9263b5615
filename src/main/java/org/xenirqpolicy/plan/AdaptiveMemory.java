package org.xenirqpolicy.plan;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.xenirqpolicy.model.AdaptiveLimits;

/**
 * What one adaptive run leaves for the next (persisted by the engine, a pure value here).
 *
 * @param samplesAbove consecutive previous runs whose ratio was above the threshold, and, once
 *                     that opened a moving phase, the runs of the phase (see {@link Adaptive}); 0
 *                     after a quiet run, a balanced one outside a phase, and the run that ends a
 *                     phase (at or below the aim, or idle for a whole cool-down)
 * @param moved        the last move of each IRQ still cooling down, keyed by IRQ, in IRQ order
 */
public record AdaptiveMemory(int samplesAbove, Map<Integer, AdaptiveMemory.Moved> moved) {
    /**
     * One IRQ's last move.
     *
     * @param name         the channel moved: an IRQ number later reused by another channel does not
     *                     inherit its cool-down
     * @param epochSeconds when
     */
    public record Moved(String name, long epochSeconds) {
        public Moved {
            Objects.requireNonNull(name, "name");
        }
    }

    public AdaptiveMemory {
        if (samplesAbove < 0) {
            throw new IllegalArgumentException("samples above must be at least 0, not " + samplesAbove);
        }
        // Sorted, so that the engine persists it in one order and equal memories print alike.
        moved = Collections.unmodifiableSortedMap(new TreeMap<>(moved));
    }

    /**
     * Whether a moving phase is open: the gate passed ({@code limits.samplesAbove()} runs above
     * the threshold) and no run has ended the phase since (see {@link Adaptive}).
     */
    public boolean movingPhaseOpen(AdaptiveLimits limits) {
        return samplesAbove >= limits.samplesAbove();
    }

    public static AdaptiveMemory empty() {
        return new AdaptiveMemory(0, Map.of());
    }
}
