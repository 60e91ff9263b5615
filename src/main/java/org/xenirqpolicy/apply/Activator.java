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
 * {@code /proc/irq/N/smp_affinity_list}; once all are written, reads each back. A single CPU,
 * never a mask: Xen binds an event channel to one vCPU, and given several Linux would pick one by
 * its own rule. A failure is reported for that IRQ and the rest go on.
 */
public final class Activator {
    private Activator() {
    }

    /**
     * What {@link #apply} would do, touching no file.
     *
     * @param current each IRQ's smp_affinity_list as just read (empty where it could not be)
     */
    public static List<Outcome> dryRun(Plan plan, Map<Integer, CpuSet> current) {
        return plan.placements().stream().map(p -> {
            CpuSet before = current.getOrDefault(p.irq(), CpuSet.empty());
            return new Outcome(p, before, before.equals(CpuSet.of(p.cpu())) ? Outcome.Change.UNCHANGED
                    : Outcome.Change.WOULD_CHANGE, "");
        }).toList();
    }

    /**
     * Writes every IRQ not already on its CPU, then, once all are written, reads back those
     * written and those of {@code recheck} found in place, and writes again any found elsewhere:
     * an irqbalance hook that answered from the previous plan just before it was replaced may
     * have written its CPU after ours. One read-back pass after all writes serves both the check
     * of each write and that race, as a read-back per write followed by a second pass did.
     *
     * @param current each IRQ's smp_affinity_list as just read (empty where it could not be): an
     *                IRQ already there is not written; one that is gone fails its write, which
     *                never creates the file, and is reported as gone
     * @param recheck the IRQs whose CPU a hook could have taken from the previous plan; empty
     *                when no plan was saved (no hook answers from this one then)
     */
    public static List<Outcome> apply(Host host, Plan plan, Map<Integer, CpuSet> current, Set<Integer> recheck) {
        // In parallel, as the reads: each IRQ is its own file and its own lock in the kernel.
        List<Placement> placements = plan.placements();
        List<Outcome> written = Parallel.map(placements.size(), i -> write(host, placements.get(i),
                current.getOrDefault(placements.get(i).irq(), CpuSet.empty())));
        return Parallel.map(written.size(), i -> readBack(host, written.get(i), recheck));
    }

    /** The first write; CHANGED stands for "written, not yet read back" until {@link #readBack}. */
    private static Outcome write(Host host, Placement p, CpuSet before) {
        if (before.equals(CpuSet.of(p.cpu()))) {
            return new Outcome(p, before, Outcome.Change.UNCHANGED, "");
        }
        String path = IrqFiles.affinity(p.irq());
        try {
            return new Outcome(p, before, host.writeInPlace(path, p.cpu() + "\n") ? Outcome.Change.CHANGED
                    : Outcome.Change.VANISHED, "");
        } catch (UncheckedIOException e) {
            // Named by its host path, as the plan and the other outcomes name it.
            return new Outcome(p, before, Outcome.Change.FAILED, "cannot write " + path + ": " + Host.reason(e.getCause()));
        }
    }

    private static Outcome readBack(Host host, Outcome o, Set<Integer> recheck) {
        boolean written = o.change() == Outcome.Change.CHANGED;
        boolean inPlace = o.change() == Outcome.Change.UNCHANGED;
        Placement p = o.placement();
        if (!written && !(inPlace && recheck.contains(p.irq()))) {
            return o;
        }
        String path = IrqFiles.affinity(p.irq());
        Optional<CpuSet> now;
        try {
            now = readAffinity(host, path);
        } catch (InputException e) {
            return written ? new Outcome(p, o.before(), Outcome.Change.FAILED, e.getMessage()) : o;
        }
        if (now.isEmpty()) {
            return written ? new Outcome(p, o.before(), Outcome.Change.VANISHED, "") : o;
        }
        if (now.get().equals(CpuSet.of(p.cpu()))) {
            return o;
        }
        // Still reported against what was there before this apply.
        Outcome again = writeUntilPlaced(host, p, now.get());
        return new Outcome(p, o.before(), again.change(), again.detail());
    }

    /**
     * Writes an IRQ found elsewhere again, and reads it back, twice at most. A hook that answered
     * from the previous plan may write between our write and our read-back (on a directory tree
     * it may even be caught between truncating the file and writing it): our plan is saved
     * already, so the hook's own re-check and a second write of ours agree. A CPU the kernel
     * refuses reads back wrong both times.
     */
    private static Outcome writeUntilPlaced(Host host, Placement p, CpuSet before) {
        String path = IrqFiles.affinity(p.irq());
        CpuSet want = CpuSet.of(p.cpu());
        try {
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
