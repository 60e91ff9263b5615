package org.xenirqpolicy.plan;

public record AdaptiveMove(int irq, String name, int fromCpu, int toCpu, long rate) {
}
