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
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.contract.Requests;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.AdaptiveLimits;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Adaptive;
import org.xenirqpolicy.plan.AdaptiveStep;
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
import org.xenirqpolicy.read.Settings;

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

    /** Everything read from the host for one plan: all input is validated here, before any write. */
    private record Inputs(HostSnapshot snapshot, List<EventChannel> irqs, CpuSet usable, Strategy strategy,
            Map<Integer, Long> weights, int sampledSeconds, InterruptsTable baseline, Exclusions exclusions,
            Map<Integer, String> excluded) {
        /** The same inputs planned by another strategy. */
        Inputs withStrategy(Strategy other) {
            return new Inputs(snapshot, irqs, usable, other, weights, sampledSeconds, baseline, exclusions, excluded);
        }

        /** The host as {@code again} read it, with this read's rates and sample window. */
        Inputs withHostOf(Inputs again) {
            return new Inputs(again.snapshot, again.irqs, again.usable, again.strategy, weights, sampledSeconds, baseline,
                    again.exclusions, again.excluded);
        }

        /** The event channels to plan, those left out (excluded) apart. */
        List<EventChannel> placed() {
            return irqs.stream().filter(irq -> !excluded.containsKey(irq.irq())).toList();
        }

        List<EventChannel> left() {
            return irqs.stream().filter(irq -> excluded.containsKey(irq.irq())).toList();
        }
    }

    public static Planned plan(Host host, Options options) {
        return planFrom(read(host, options, true), PlanStore.load(host), options.rebalance());
    }

    /**
     * Plans and applies under the lock ({@link ApplyLock}, which states the protocol), so two
     * applies never interleave. The host is read and checked before the lock is taken, so bad
     * input writes nothing, not even the lock file; it only answers the hook's pending requests,
     * which would otherwise start the service again and again until the input is fixed (editing a
     * settings file starts a new apply, see the path unit). The applied plan is read under the
     * lock, since another apply may have just replaced it. If the hook left requests, or another
     * apply ran since the first read, the host is read again, so that an event channel that
     * appeared since is placed now, and IRQs the other apply placed are seen where they are.
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
        String markBeforeRead = ApplyLock.markBeforeRead(host);
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
            return new Applied(planned, Activator.dryRun(planned.plan(), affinities(planned)), false, true, null, null);
        }
        try (ApplyLock lock = ApplyLock.take(host, markBeforeRead)) {
            List<String> requests = Requests.pending(host);
            boolean hookAskedForIrqs = !requests.isEmpty();
            if (hookAskedForIrqs || lock.anotherApplyRan()) {
                inputs = read(host, options, false);
            }
            Planned planned = planFrom(inputs, PlanStore.load(host), options.rebalance());
            return write(host, lock, planned, requests);
        }
    }

    /**
     * The writes of an apply, under its lock: the plan saved, the affinities written and read
     * back, the requests it answered removed (see {@link #apply}). An adaptive run writes the same
     * way.
     */
    private static Applied write(Host host, ApplyLock lock, Planned planned, List<String> requests) {
        Plan plan = planned.plan();
        String saveError = null;
        boolean written;
        try {
            written = PlanStore.save(host, plan, planned.previous());
        } catch (UncheckedIOException e) {
            // The old plan must go: trusted by the hook, it would undo this apply. If it
            // cannot be removed either, nothing is written (this propagates).
            PlanStore.remove(host);
            saveError = e.getMessage();
            written = false;
        }
        // Only a saved plan can have been answered from the previous one by a hook meanwhile.
        List<Outcome> outcomes = Activator.apply(host, plan, affinities(planned),
                written ? movedSince(planned.previous(), plan) : Set.of());
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
        boolean movedAnIrq = outcomes.stream().anyMatch(o -> o.change() == Outcome.Change.CHANGED);
        if (movedAnIrq || written) {
            lock.markChanged();
        }
        // After the writes: a failure here must not be reported as "nothing was written".
        String requestsError = null;
        try {
            Requests.remove(host, requests);
        } catch (UncheckedIOException e) {
            requestsError = e.getMessage();
        }
        return new Applied(planned, outcomes, written, false, saveError, requestsError);
    }

    /** Slack for the timer's own jitter: a tick at most this early still counts as due. */
    static final long DUE_SLACK_SECONDS = 30;

    /**
     * Whether a timer tick at {@code now} is due for an adaptive run: the timer ticks every
     * minute (it cannot read the settings), and a tick runs only when ADAPTIVE_INTERVAL_MINUTES
     * passed since the last recorded run started, less {@value #DUE_SLACK_SECONDS} s for the
     * timer's jitter. No record (none yet, or an untrusted one), or one from the future (a clock
     * stepped back), is due.
     */
    public static boolean adaptiveRunDue(AdaptiveState state, int intervalMinutes, long now) {
        if (state.last().isEmpty()) {
            return true;
        }
        long since = now - state.last().get().epochSeconds();
        return since < 0 || since >= intervalMinutes * 60L - DUE_SLACK_SECONDS;
    }

    /**
     * What one adaptive run did.
     *
     * @param applied    the writes, as an apply reports them
     * @param step       the adaptive planner's verdict and moves
     * @param state      the state saved for the next run (memory and this run's record)
     * @param stateError why the state could not be saved, or null: the IRQs are placed, but the
     *                   next run starts from an empty memory
     */
    public record Adapted(Applied applied, AdaptiveStep step, AdaptiveState state, String stateError) {
        /** Whether the run only partly succeeded: the apply's verdict, or the state not saved. */
        public boolean failed() {
            return applied.failed() || stateError != null;
        }
    }

    /**
     * One run of the adaptive mode: samples the interrupt rates over {@code sampleSeconds} (the
     * host read before and after the window), then, under the apply lock, plans as apply does,
     * keeping the applied plan's placements (so that new event channels get theirs), lets
     * {@link Adaptive#step} move some of them, and writes the result as apply writes (plan saved
     * first, then the affinities, read back). The state for the next run is saved last, under the
     * lock, so that two runs never read the same memory. Bad input writes nothing, not even the
     * lock file. An apply that ran during the window is seen: the host is read again under the
     * lock, and the rates of the window are kept.
     *
     * @param sampleSeconds the window; 0 takes the counts since boot as the rates
     * @param now           when the run started, epoch seconds: the clock of cool-downs
     */
    public static Adapted adapt(Host host, int sampleSeconds, AdaptiveLimits limits, long now) {
        String markBeforeRead = ApplyLock.markBeforeRead(host);
        Options options = new Options(null, false, sampleSeconds);
        Inputs inputs = read(host, options, false);
        try (ApplyLock lock = ApplyLock.take(host, markBeforeRead)) {
            List<String> requests = Requests.pending(host);
            if (!requests.isEmpty() || lock.anotherApplyRan()) {
                inputs = inputs.withHostOf(read(host, new Options(null, false, 0), false));
            }
            AdaptiveState before = AdaptiveState.load(host);
            Optional<Plan> inForce = PlanStore.load(host);
            inputs = followingThePlanInForce(inputs, inForce);
            Planned normal = planFrom(inputs, inForce, false);
            AdaptiveStep step = Adaptive.step(normal.plan(), inputs.placed(), inputs.left(), inputs.weights(), limits,
                    before.memory(), now);
            Planned planned = new Planned(normal.snapshot(), normal.irqs(), step.plan(), normal.weights(),
                    normal.sampledSeconds(), normal.baseline(), normal.previous(), normal.excluded());
            Applied applied = write(host, lock, planned, requests);
            AdaptiveState after = new AdaptiveState(step.memory(), Optional.of(new AdaptiveState.Run(now,
                    inputs.sampledSeconds(), step.why(), step.ratioBefore(), step.ratioAfter(), step.moves())));
            String stateError = null;
            try {
                after.save(host);
            } catch (UncheckedIOException e) {
                stateError = e.getMessage();
            }
            return new Adapted(applied, step, after, stateError);
        }
    }

    /**
     * An adaptive run plans by the strategy of the plan in force, not STRATEGY=, where the two
     * differ (an admin's {@code apply --strategy load}): the planner keeps placements only under
     * the same strategy, so the settings' one would place every event channel anew on each run,
     * beyond the move limit and the cool-downs, and unreported. A modulo plan keeps nothing
     * whatever the strategy; the settings' one then replaces it (ADAPTIVE=yes refuses
     * STRATEGY=modulo).
     */
    private static Inputs followingThePlanInForce(Inputs in, Optional<Plan> inForce) {
        if (inForce.isEmpty() || inForce.get().strategy() == in.strategy() || inForce.get().strategy() == Strategy.MODULO) {
            return in;
        }
        return in.withStrategy(inForce.get().strategy());
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

    /**
     * Reads the host once, or, to count interrupts over a window, /proc/interrupts at its start
     * and the whole host at its end: only the counters are needed from the start, and reading
     * every IRQ's files twice would double the cost of a sampled run (an adaptive run samples
     * every time).
     */
    private static Inputs read(Host host, Options options, boolean effective) {
        Settings settings = HostReader.readSettings(host);
        Strategy strategy = options.strategy() != null ? options.strategy() : settings.strategy();
        int seconds = options.sampleSeconds() != null ? options.sampleSeconds()
                : strategy == Strategy.LOAD ? settings.sampleSeconds() : 0;
        InterruptsTable before;
        HostSnapshot snapshot;
        if (seconds > 0) {
            before = HostReader.readInterrupts(host);
            snapshot = sampleAgain(host, seconds, effective);
        } else {
            snapshot = HostReader.read(host, XenDynRule.want(effective));
            before = snapshot.interrupts();
        }
        Map<Integer, Long> weights = weights(before, snapshot.interrupts(), seconds > 0);
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
        return new Inputs(snapshot, irqs, usable, strategy, weights, seconds, before, exclusions, Map.copyOf(excluded));
    }

    /** Excluded event channels are not planned: they stay where they are, and load their CPUs. */
    private static Planned planFrom(Inputs in, Optional<Plan> previous, boolean rebalance) {
        Plan plan = Planner.plan(new PlanRequest(in.strategy(), in.placed(), in.usable(), previous.orElse(null),
                rebalance, in.weights(), in.exclusions(), in.left()));
        return new Planned(in.snapshot(), in.irqs(), plan, in.weights(), in.sampledSeconds(), in.baseline(), previous,
                in.excluded());
    }

    private static HostSnapshot sampleAgain(Host host, int seconds, boolean effective) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return HostReader.read(host, XenDynRule.want(effective));
    }

    /**
     * Interrupts per IRQ: the growth between two reads, or the counts since boot. Package-private
     * for the test of the counter rule (CounterResetTest).
     */
    static Map<Integer, Long> weights(InterruptsTable before, InterruptsTable after, boolean sampled) {
        Map<Integer, Long> totals = new HashMap<>();
        for (IrqLine line : after.irqs()) {
            totals.put(line.irq(), line.total());
        }
        if (sampled) {
            for (IrqLine line : before.irqs()) {
                Long now = totals.get(line.irq());
                if (now != null) {
                    totals.put(line.irq(), InterruptsTable.growth(now, line.total()));
                }
            }
        }
        return totals;
    }
}
