package org.xenirqpolicy.plan;

import java.util.List;
import java.util.Map;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.Strategy;

/**
 * What the planner is given: values only, so planning is a pure function.
 *
 * @param strategy  which rule to plan by
 * @param irqs      our event channels
 * @param usable    the CPUs they may go to (not empty)
 * @param previous  the plan applied last, or null; its placements are kept where still valid
 * @param rebalance ignore {@code previous} and place everything anew
 * @param rates     interrupts per IRQ over the sample window: what {@link Strategy#LOAD} places
 *                  by; under {@link Strategy#SPREAD}, the load of the IRQs that stay, which new
 *                  ones are dealt around (empty: by count)
 * @param excluded  the selectors that exclude event channels, saved with the plan for the hook
 * @param left      the event channels they exclude, which stay where they are: each one that sits
 *                  on one usable CPU counts there, as an IRQ for spread (and with its rate when
 *                  spread is given rates) and with its rate for load
 */
public record PlanRequest(Strategy strategy, List<EventChannel> irqs, CpuSet usable, Plan previous,
        boolean rebalance, Map<Integer, Long> rates, Exclusions excluded, List<EventChannel> left) {

    /** A request that excludes nothing. */
    public PlanRequest(Strategy strategy, List<EventChannel> irqs, CpuSet usable, Plan previous, boolean rebalance,
            Map<Integer, Long> rates) {
        this(strategy, irqs, usable, previous, rebalance, rates, Exclusions.NONE, List.of());
    }
}
