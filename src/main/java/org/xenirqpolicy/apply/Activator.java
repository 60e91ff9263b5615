package org.xenirqpolicy.apply;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.host.Parallel;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.read.IrqFiles;

/**
 * Puts a plan into effect: for each IRQ not already there, writes its one CPU to
 * {@code /proc/irq/N/smp_affinity_list} and reads it back. A single CPU, never a mask: Xen binds
 * an event channel to one vCPU, and given several Linux would pick one by its own rule. A failure
 * is reported for that IRQ and the rest go on.
 */
public final class Activator {
    private Activator() {
    }

    /**
     * @param current each IRQ's smp_affinity_list as just read (empty where it could not be):
     *                an IRQ already there is not written; one that is gone fails its write, which
     *                never creates the file, and is reported as gone
     */
    public static List<Outcome> apply(Host host, Plan plan, Map<Integer, CpuSet> current, boolean dryRun) {
        // In parallel, as the reads: each IRQ is its own file and its own lock in the kernel.
        List<Placement> placements = plan.placements();
        return Parallel.map(placements.size(), i -> applyOne(host, placements.get(i),
                current.getOrDefault(placements.get(i).irq(), CpuSet.empty()), dryRun));
    }

    /**
     * Reads back the IRQs of {@code irqs} that were placed or already in place, and writes again
     * those found elsewhere: an irqbalance hook that answered from the previous plan just before
     * it was replaced may have written its CPU after ours. Returns the outcomes, updated.
     */
    public static List<Outcome> reassert(Host host, List<Outcome> outcomes, Set<Integer> irqs) {
        return Parallel.map(outcomes.size(), i -> {
            Outcome o = outcomes.get(i);
            boolean placed = o.change() == Outcome.Change.CHANGED || o.change() == Outcome.Change.UNCHANGED;
            if (!placed || !irqs.contains(o.placement().irq())) {
                return o;
            }
            String path = IrqFiles.affinity(o.placement().irq());
            Optional<CpuSet> now;
            try {
                now = readAffinity(host, path);
            } catch (InputException e) {
                return o;
            }
            if (now.isEmpty() || now.get().equals(CpuSet.of(o.placement().cpu()))) {
                return o;
            }
            Outcome again = applyOne(host, o.placement(), now.get(), false);
            // Still reported against what was there before this apply.
            return new Outcome(o.placement(), o.before(), again.change(), again.detail());
        });
    }

    private static Outcome applyOne(Host host, Placement p, CpuSet before, boolean dryRun) {
        String path = IrqFiles.affinity(p.irq());
        CpuSet want = CpuSet.of(p.cpu());
        if (before.equals(want)) {
            return new Outcome(p, before, Outcome.Change.UNCHANGED, "");
        }
        if (dryRun) {
            return new Outcome(p, before, Outcome.Change.WOULD_CHANGE, "");
        }
        try {
            // A hook that answered from the previous plan may write between our write and our
            // read-back (on a directory tree it may even be caught between truncating the file
            // and writing it): our plan is saved already, so the hook's own re-check and a second
            // write of ours agree. A CPU the kernel refuses reads back wrong both times.
            Optional<CpuSet> after = Optional.empty();
            for (int attempt = 0; attempt < 2; attempt++) {
                after = host.writeInPlace(path, p.cpu() + "\n") ? readAffinity(host, path) : Optional.empty();
                if (after.isEmpty() || after.get().equals(want)) {
                    break;
                }
            }
            if (after.isEmpty()) {
                return new Outcome(p, before, Outcome.Change.VANISHED, "");
            }
            if (!after.get().equals(want)) {
                return new Outcome(p, before, Outcome.Change.FAILED,
                        "reads back " + after.get().toListOr("nothing") + " after writing " + p.cpu());
            }
            return new Outcome(p, before, Outcome.Change.CHANGED, "");
        } catch (UncheckedIOException e) {
            // Named by its host path, as the plan and the other outcomes name it.
            return new Outcome(p, before, Outcome.Change.FAILED, "cannot write " + path + ": " + Host.reason(e.getCause()));
        } catch (InputException e) {
            return new Outcome(p, before, Outcome.Change.FAILED, e.getMessage());
        }
    }

    /** The affinity, empty if the IRQ is gone; a garbled file reads as the empty set. */
    private static Optional<CpuSet> readAffinity(Host host, String path) {
        return host.read(path).map(text -> {
            try {
                return CpuSet.parseList(text);
            } catch (InputException e) {
                return CpuSet.empty();
            }
        });
    }
}
