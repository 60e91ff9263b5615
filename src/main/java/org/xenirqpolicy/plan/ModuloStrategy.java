package org.xenirqpolicy.plan;

import java.util.List;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.CpuSet;

/**
 * The seed script's rule, made safe for real CPU numbering: IRQ mod (number of usable CPUs)
 * picks a position in the usable list, not a CPU id. With CPUs 0..n-1 all usable this is the
 * seed's {@code IRQ % CPU_COUNT} exactly.
 */
final class ModuloStrategy {
    private ModuloStrategy() {
    }

    static List<Placement> place(List<EventChannel> irqs, CpuSet usable) {
        return irqs.stream()
                .map(irq -> new Placement(irq.irq(), usable.get(irq.irq() % usable.size()), irq.name()))
                .toList();
    }
}
