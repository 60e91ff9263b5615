package org.xenirqpolicy.engine;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xenirqpolicy.apply.Activator;
import org.xenirqpolicy.apply.Outcome;
import org.xenirqpolicy.classify.Classifier;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.classify.XenDynRule;
import org.xenirqpolicy.contract.Locations;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.contract.Requests;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.CpuShare;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.plan.PlanRequest;
import org.xenirqpolicy.plan.Planner;
import org.xenirqpolicy.plan.UsableCpus;
import org.xenirqpolicy.read.HostReader;
import org.xenirqpolicy.read.HostSnapshot;
import org.xenirqpolicy.read.InterruptsTable;
import org.xenirqpolicy.read.IrqLine;

/** Runs the stages in order: read the host, classify its IRQs, plan, apply. */
public final class Engine {
    private Engine() {
    }

    /**
     * How to plan; null fields fall back to /etc/sysconfig/xen-irq-policy.
     *
     * @param strategy      overrides STRATEGY
     * @param rebalance     place everything anew instead of keeping valid placements
     * @param sampleSeconds overrides SAMPLE_SECONDS; 0 uses the counts since boot
     */
    public record Options(Strategy strategy, boolean rebalance, Integer sampleSeconds) {
    }

    /**
     * A plan and what it was made from.
     *
     * @param snapshot  the host as read
     * @param irqs      our event channels
     * @param plan      the plan
     * @param weights   interrupts per IRQ, over the sample window or since boot
     * @param sampledSeconds the sample window, 0 for counts since boot
     * @param baseline  /proc/interrupts at the start of the sample window (the snapshot's own if 0)
     * @param previous  the applied plan that was read, if any
     * @param excluded  the event channels left where they are, each with the selector that
     *                  excludes it as written ({@code vif12.*}), or {@code --banirq} for irqbalance's
     */
    public record Planned(HostSnapshot snapshot, List<EventChannel> irqs, Plan plan, Map<Integer, Long> weights,
            int sampledSeconds, InterruptsTable baseline, Optional<Plan> previous, Map<Integer, String> excluded) {
        /**
         * Whether the applied plan was made for other CPUs than those usable today (a CPU went
         * offline, irqbalance was told to avoid one, CPUS= changed): then it no longer describes
         * the host, and the next apply places the event channels anew.
         */
        public boolean appliedPlanStale() {
            return previous.isPresent() && !previous.get().usable().equals(plan.usable());
        }

        /** What the plan puts on each usable CPU, counted with these weights. */
        public List<CpuShare> cpuShares() {
            return CpuShare.of(plan, weights);
        }
    }

    /**
     * @param saveError     why the plan could not be saved after the IRQs were placed (a full or
     *                      read-only /run), or null: the placements stand, the hook falls back
     * @param requestsError why the hook's requests this apply answered could not be removed, or
     *                      null: the IRQs are placed, but the path unit will start another apply
     */
    public record Applied(Planned planned, List<Outcome> outcomes, boolean planWritten, boolean dryRun,
            String saveError, String requestsError) {
        public Outcome.Tally tally() {
            return Outcome.Tally.of(outcomes);
        }

        /**
         * Whether the apply only partly succeeded: an IRQ failed, the plan could not be saved, or
         * the requests it answered could not be removed.
         */
        public boolean failed() {
            return tally().failed() > 0 || saveError != null || requestsError != null;
        }
    }

    /** Where our IRQs are now, per CPU, against the plan. */
    public record Status(Planned planned, boolean againstAppliedPlan, List<CpuLoad> cpus, double imbalance,
            List<Misplaced> misplaced) {
    }

    /** @param interrupts interrupts our IRQs took on this CPU (sample window or since boot) */
    public record CpuLoad(int cpu, boolean usable, List<EventChannel> irqs, long interrupts) {
    }

    public record Misplaced(EventChannel irq, int plannedCpu) {
    }

    /** Everything read from the host for one plan: all input is validated here, before any write. */
    private record Inputs(HostSnapshot snapshot, List<EventChannel> irqs, CpuSet usable, Strategy strategy,
            Map<Integer, Long> weights, int sampledSeconds, InterruptsTable baseline, Exclusions exclusions,
            Map<Integer, String> excluded) {
    }

    public static Planned plan(Host host, Options options) {
        return planFrom(read(host, options, true), PlanStore.load(host), options.rebalance());
    }

    /**
     * Plans and applies under the lock, so two applies never interleave. The host is read and
     * checked before the lock is taken, so bad input writes nothing, not even the lock file; it
     * only answers the hook's pending requests, which would otherwise start the service again and
     * again until the input is fixed (editing a settings file starts a new apply, see the path
     * unit). The applied plan is read under the lock, since another apply may have just replaced
     * it. If the hook left requests, or another apply held the lock first, the host is read
     * again, so that an event channel that appeared since the first read is placed now, and IRQs
     * the other apply placed are seen where they are. An apply that changed something says so in
     * the lock file before it lets go: if that differs from what it said before our first read,
     * another apply ran while we read, and the host is read again even though we did not wait.
     *
     * <p>The plan is saved before any affinity is written, so that a hook called from then on
     * answers from it; a hook that read the old plan just before may still write its old CPU
     * after ours, which is why the IRQs whose CPU changed are read back once all are written and
     * put back where needed (the hook also re-reads the plan after it writes). A plan that
     * cannot be saved is removed: the hook then falls back and asks again, never answering from a
     * plan that no longer describes the host. The requests the apply found are removed once it
     * ran to the end; a crash leaves them for the service's restart. A dry run writes nothing.
     */
    public static Applied apply(Host host, Options options, boolean dryRun) {
        String lastChange = host.read(Locations.LOCK).orElse("");
        // Effective affinities are only shown: an apply does without them.
        Inputs inputs;
        try {
            inputs = read(host, options, false);
        } catch (InputException e) {
            if (!dryRun) {
                Requests.remove(host, Requests.pending(host));
            }
            throw e;
        }
        if (dryRun) {
            Planned planned = planFrom(inputs, PlanStore.load(host), options.rebalance());
            return new Applied(planned, Activator.apply(host, planned.plan(), affinities(planned), true), false, true, null, null);
        }
        try (Host.HostLock lock = host.lock(Locations.LOCK)) {
            List<String> requests = Requests.pending(host);
            boolean guestsStarted = !requests.isEmpty();
            boolean anotherApplyRan = lock.waited() || !lock.marked().equals(lastChange);
            if (guestsStarted || anotherApplyRan) {
                inputs = read(host, options, false);
            }
            Planned planned = planFrom(inputs, PlanStore.load(host), options.rebalance());
            Plan plan = planned.plan();
            String saveError = null;
            boolean written;
            try {
                written = PlanStore.save(host, plan);
            } catch (UncheckedIOException e) {
                // The old plan must go: trusted by the hook, it would undo this apply. If it
                // cannot be removed either, nothing is written (this propagates).
                PlanStore.remove(host);
                saveError = e.getMessage();
                written = false;
            }
            List<Outcome> outcomes = Activator.apply(host, plan, affinities(planned), false);
            if (written) {
                outcomes = Activator.reassert(host, outcomes, movedSince(planned.previous(), plan));
            }
            // IRQs gone between read and write leave the plan; the others stay, even if a write
            // failed, so the hook keeps them banned and does not ask for a new plan for them.
            List<Placement> kept = new ArrayList<>();
            for (Outcome o : outcomes) {
                if (o.change() != Outcome.Change.VANISHED) {
                    kept.add(o.placement());
                }
            }
            if (saveError == null && kept.size() != plan.placements().size()) {
                try {
                    PlanStore.save(host, new Plan(plan.strategy(), plan.usable(), kept, plan.excluded()));
                } catch (UncheckedIOException e) {
                    // The saved plan still names IRQs that are gone: the hook checks names, so harmless.
                }
            }
            boolean moved = outcomes.stream().anyMatch(o -> o.change() == Outcome.Change.CHANGED);
            markChange(lock, moved || written);
            // After the writes: a failure here must not be reported as "nothing was written".
            String requestsError = null;
            try {
                Requests.remove(host, requests);
            } catch (UncheckedIOException e) {
                requestsError = e.getMessage();
            }
            return new Applied(planned, outcomes, written, false, saveError, requestsError);
        }
    }

    /** The IRQs whose CPU the hook could have taken from the previous plan and put back after our write. */
    private static Set<Integer> movedSince(Optional<Plan> previous, Plan plan) {
        Map<Integer, Placement> before = previous.map(Plan::byIrq).orElse(Map.of());
        Set<Integer> moved = new HashSet<>();
        for (Placement p : plan.placements()) {
            Placement old = before.get(p.irq());
            if (old == null || old.cpu() != p.cpu() || !old.name().equals(p.name())) {
                moved.add(p.irq());
            }
        }
        return moved;
    }

    /** Unique per apply; an apply that changed nothing leaves the lock file as it was. */
    private static void markChange(Host.HostLock lock, boolean changed) {
        if (changed) {
            try {
                lock.mark(ProcessHandle.current().pid() + " " + System.nanoTime() + "\n");
            } catch (UncheckedIOException e) {
                // Then the next apply that overlaps this one may repeat some of its writes: harmless.
            }
        }
    }

    private static Map<Integer, CpuSet> affinities(Planned planned) {
        Map<Integer, CpuSet> current = new HashMap<>();
        for (EventChannel irq : planned.irqs()) {
            current.put(irq.irq(), irq.affinity());
        }
        return current;
    }

    /** The usable-CPU rule ({@link UsableCpus}) on what was read of the host. */
    public static CpuSet usableCpus(HostSnapshot snapshot) {
        return UsableCpus.of(new UsableCpus.Inputs(snapshot.online(), snapshot.irqbalanceBanned(), snapshot.isolated(),
                snapshot.nohzFull(), snapshot.settings().excludeIsolated(), snapshot.settings().cpus()));
    }

    private static Inputs read(Host host, Options options, boolean effective) {
        HostSnapshot first = HostReader.read(host, XenDynRule.want(effective));
        Strategy strategy = options.strategy() != null ? options.strategy() : first.settings().strategy();
        int seconds = options.sampleSeconds() != null ? options.sampleSeconds()
                : strategy == Strategy.LOAD ? first.settings().sampleSeconds() : 0;
        HostSnapshot snapshot = seconds > 0 ? sampleAgain(host, seconds, effective) : first;
        Map<Integer, Long> weights = weights(first.interrupts(), snapshot.interrupts(), seconds > 0);
        CpuSet usable = usableCpus(snapshot);
        Exclusions byIrqbalance = snapshot.irqbalanceBannedIrqs();
        Exclusions exclusions = snapshot.settings().exclude().plus(byIrqbalance);
        List<EventChannel> irqs = Classifier.eventChannels(snapshot);
        Map<Integer, String> excluded = new HashMap<>();
        for (EventChannel irq : irqs) {
            snapshot.settings().exclude().match(irq.irq(), irq.name())
                    .map(Selector::text)
                    .or(() -> byIrqbalance.match(irq.irq(), irq.name()).map(s -> "--banirq"))
                    .ifPresent(why -> excluded.put(irq.irq(), why));
        }
        return new Inputs(snapshot, irqs, usable, strategy, weights, seconds, first.interrupts(), exclusions,
                Map.copyOf(excluded));
    }

    /** Excluded event channels are not planned: they stay where they are, and load their CPUs. */
    private static Planned planFrom(Inputs in, Optional<Plan> previous, boolean rebalance) {
        List<EventChannel> placed = new ArrayList<>();
        List<EventChannel> left = new ArrayList<>();
        for (EventChannel irq : in.irqs()) {
            (in.excluded().containsKey(irq.irq()) ? left : placed).add(irq);
        }
        Plan plan = Planner.plan(new PlanRequest(in.strategy(), placed, in.usable(), previous.orElse(null),
                rebalance, in.weights(), in.exclusions(), left));
        return new Planned(in.snapshot(), in.irqs(), plan, in.weights(), in.sampledSeconds(), in.baseline(), previous,
                in.excluded());
    }

    public static Status status(Host host, Integer sampleSeconds) {
        Planned planned = plan(host, new Options(null, false, sampleSeconds == null ? 0 : sampleSeconds));
        Optional<Plan> applied = planned.previous();
        Map<Integer, Placement> target = applied.orElse(planned.plan()).byIrq();
        Map<Integer, IrqLine> lines = byIrq(planned.snapshot().interrupts());
        Map<Integer, IrqLine> baseline = planned.sampledSeconds() > 0 ? byIrq(planned.baseline()) : Map.of();
        CpuSet online = planned.snapshot().online();
        List<CpuLoad> cpus = new ArrayList<>();
        List<Misplaced> misplaced = new ArrayList<>();
        for (int c : online.stream().toArray()) {
            List<EventChannel> here = new ArrayList<>();
            long interrupts = 0;
            for (EventChannel irq : planned.irqs()) {
                if (irq.currentCpu() == c) {
                    here.add(irq);
                }
                interrupts += countOn(planned, lines.get(irq.irq()), baseline.get(irq.irq()), c);
            }
            cpus.add(new CpuLoad(c, planned.plan().usable().contains(c), here, interrupts));
        }
        for (EventChannel irq : planned.irqs()) {
            Placement p = target.get(irq.irq());
            // An IRQ excluded since the plan was applied is left where it is: not misplaced.
            if (p != null && !planned.excluded().containsKey(irq.irq()) && !irq.affinity().equals(CpuSet.of(p.cpu()))) {
                misplaced.add(new Misplaced(irq, p.cpu()));
            }
        }
        return new Status(planned, applied.isPresent(), cpus, imbalance(cpus), misplaced);
    }

    /** Busiest usable CPU over the mean of the usable CPUs; NaN when nothing was counted. */
    private static double imbalance(List<CpuLoad> cpus) {
        long max = 0;
        long sum = 0;
        int n = 0;
        for (CpuLoad c : cpus) {
            if (c.usable()) {
                max = Math.max(max, c.interrupts());
                sum += c.interrupts();
                n++;
            }
        }
        return sum == 0 ? Double.NaN : max / (sum / (double) n);
    }

    /** Interrupts one IRQ took on one CPU: since boot, or since the baseline when sampled. */
    private static long countOn(Planned planned, IrqLine line, IrqLine before, int cpu) {
        if (line == null) {
            return 0;
        }
        long now = planned.snapshot().interrupts().countOn(line, cpu);
        long then = before == null ? 0 : planned.baseline().countOn(before, cpu);
        return now >= then ? now - then : now;
    }

    private static Map<Integer, IrqLine> byIrq(InterruptsTable table) {
        Map<Integer, IrqLine> lines = new HashMap<>();
        for (IrqLine line : table.irqs()) {
            lines.put(line.irq(), line);
        }
        return lines;
    }

    private static HostSnapshot sampleAgain(Host host, int seconds, boolean effective) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return HostReader.read(host, XenDynRule.want(effective));
    }

    /** Interrupts per IRQ: the growth between two reads, or the counts since boot. */
    private static Map<Integer, Long> weights(InterruptsTable before, InterruptsTable after, boolean sampled) {
        Map<Integer, Long> totals = new HashMap<>();
        for (IrqLine line : after.irqs()) {
            totals.put(line.irq(), line.total());
        }
        if (sampled) {
            for (IrqLine line : before.irqs()) {
                Long now = totals.get(line.irq());
                // A count that went down means the IRQ number was freed and reused: count anew.
                if (now != null && now >= line.total()) {
                    totals.put(line.irq(), now - line.total());
                }
            }
        }
        return totals;
    }
}
