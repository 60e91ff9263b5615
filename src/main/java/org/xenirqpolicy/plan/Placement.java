package org.xenirqpolicy.plan;

import java.util.Objects;

/**
 * One IRQ's planned CPU; the name guards against an IRQ number reused by another device.
 * equals and hashCode are written out, with the record's meaning: the generated ones call
 * through method handles, which a run of a second or less, mostly interpreted, pays for at each
 * of the thousands of comparisons of every adaptive run (the plan in force against the one
 * planned again, and a save's changed placements).
 */
public record Placement(int irq, int cpu, String name) {
    @Override
    public boolean equals(Object o) {
        return o instanceof Placement p && irq == p.irq && cpu == p.cpu && Objects.equals(name, p.name);
    }

    @Override
    public int hashCode() {
        return (31 * irq + cpu) * 31 + Objects.hashCode(name);
    }
}
