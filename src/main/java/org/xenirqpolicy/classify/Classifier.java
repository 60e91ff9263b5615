package org.xenirqpolicy.classify;

import java.util.ArrayList;
import java.util.List;
import org.xenirqpolicy.read.HostSnapshot;
import org.xenirqpolicy.read.IrqState;

/** Picks our IRQs out of a host snapshot and names their devices. */
public final class Classifier {
    private Classifier() {
    }

    public static List<EventChannel> eventChannels(HostSnapshot host) {
        List<EventChannel> ours = new ArrayList<>();
        for (IrqState irq : host.irqs()) {
            if (irq.detailed() && XenDynRule.isOurs(irq.chip(), host.pciIrqs().contains(irq.irq()))) {
                ours.add(eventChannel(irq));
            }
        }
        return List.copyOf(ours);
    }

    /** An IRQ that {@link XenDynRule} found ours, as an event channel with its device named. */
    public static EventChannel eventChannel(IrqState irq) {
        return new EventChannel(irq.irq(), irq.name(), irq.chip(), DeviceNames.of(irq.name()), irq.affinity(),
                irq.effective(), irq.line().total());
    }
}
