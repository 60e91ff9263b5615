package org.xenirqpolicy.plan;

/**
 * One event channel moved by an adaptive run.
 *
 * @param irq     the IRQ
 * @param name    its action name
 * @param fromCpu where the plan in force had it
 * @param toCpu   where the run puts it
 * @param rate    its interrupts over the sample window, which the move takes from fromCpu to toCpu
 */
public record AdaptiveMove(int irq, String name, int fromCpu, int toCpu, long rate) {
}
