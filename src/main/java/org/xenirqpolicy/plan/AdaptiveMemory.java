package org.xenirqpolicy.plan;

import java.util.Map;

/**
 * What one adaptive run leaves for the next (persisted by the engine, pure value here).
 * samplesAbove: consecutive previous runs whose ratio was above the threshold; moved: the last
 * move of each IRQ, keyed by IRQ, with its name (an IRQ number reused by another channel does not
 * inherit a cool-down) and the time in epoch seconds.
 */
public record AdaptiveMemory(int samplesAbove, Map<Integer, AdaptiveMemory.Moved> moved) {
    public record Moved(String name, long epochSeconds) {
    }

    public static AdaptiveMemory empty() {
        return new AdaptiveMemory(0, Map.of());
    }
}
