package org.xenirqpolicy.model;

import java.util.Locale;
import java.util.Optional;

/** How the planner chooses a CPU for each event-channel IRQ. */
public enum Strategy {
    /** The seed script's rule, over the usable CPUs: the (IRQ mod count)-th usable CPU. */
    MODULO,
    /** By structure: queues of one interface on distinct CPUs, guests dealt evenly, tx and rx together. */
    SPREAD,
    /** By observed interrupt rate: busiest IRQ first onto the least loaded CPU. */
    LOAD;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Strategy parse(String text) {
        return find(text).orElseThrow(() -> new InputException(Quote.of(text) + " is not a strategy (modulo, spread, load)"));
    }

    /** The strategy whose {@link #id} is {@code text}, if any. */
    public static Optional<Strategy> find(String text) {
        for (Strategy s : values()) {
            if (s.id().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
