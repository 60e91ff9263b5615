package org.xenirqpolicy.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Strategy;

/** Plans CPUs for event channels; the same request always gives the same plan. */
public final class Planner {
    private Planner() {
    }

    public static Plan plan(PlanRequest request) {
        CpuSet usable = request.usable();
        if (usable.isEmpty()) {
            throw new InputException("no CPU left for event channels");
        }
        Map<Integer, Integer> kept = kept(request);
        List<Placement> placements = switch (request.strategy()) {
            case MODULO -> ModuloStrategy.place(request.irqs(), usable);
            case SPREAD -> SpreadStrategy.place(request.irqs(), usable, kept, request.left(), request.rates());
            case LOAD -> LoadStrategy.place(request.irqs(), usable, kept, request.rates(), request.left());
        };
        return new Plan(request.strategy(), usable, placements, request.excluded());
    }

    /**
     * The previous placements that still hold: same strategy, same IRQ with the same name (an IRQ
     * number freed by a stopped guest is reused by the next), and a CPU that is still usable.
     * Keeping them means a guest starting moves nobody else's queues.
     */
    private static Map<Integer, Integer> kept(PlanRequest request) {
        return kept(request.strategy(), request.irqs(), request.usable(), request.previous(), request.rebalance());
    }

    private static Map<Integer, Integer> kept(Strategy strategy, List<EventChannel> irqs, CpuSet usable, Plan previous,
            boolean rebalance) {
        Map<Integer, Integer> kept = new HashMap<>();
        if (previous == null || rebalance || previous.strategy() != strategy) {
            return kept;
        }
        Map<Integer, Placement> before = previous.byIrq();
        for (EventChannel irq : irqs) {
            Placement p = before.get(irq.irq());
            if (p != null && p.name().equals(irq.name()) && usable.contains(p.cpu())) {
                kept.put(irq.irq(), p.cpu());
            }
        }
        return kept;
    }

    /**
     * Whether planning these event channels keeps the previous placement of every one of them,
     * by the rule above: then nothing is placed anew, and the rates that spread deals new
     * channels around are not needed (the engine reads them from a file only otherwise).
     */
    public static boolean keepsEvery(Strategy strategy, List<EventChannel> irqs, CpuSet usable, Plan previous,
            boolean rebalance) {
        return kept(strategy, irqs, usable, previous, rebalance).size() == irqs.size();
    }
}
