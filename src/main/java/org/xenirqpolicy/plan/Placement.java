package org.xenirqpolicy.plan;

/** One IRQ's planned CPU; the name guards against an IRQ number reused by another device. */
public record Placement(int irq, int cpu, String name) {
}
