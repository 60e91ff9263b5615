package org.xenirqpolicy.engine;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
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
import org.xenirqpolicy.plan.AdaptiveMemory;
import org.xenirqpolicy.plan.AdaptiveMove;
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
import org.xenirqpolicy.read.IrqState;
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

    /**
     * Everything read from the host for one plan: all input is validated here, before any write.
     *
     * @param dealLoad what spread deals new event channels around ({@link PlanRequest#rates}):
     *                 an adaptive run's estimate, or the last one's for an apply under ADAPTIVE=yes
     *                 ({@link #dealLoad}); empty deals by count. Asked for only when there is a
     *                 channel to deal: most plans keep every placement, and the state it reads
     *                 holds a line per event channel.
     */
    private record Inputs(HostSnapshot snapshot, List<EventChannel> irqs, CpuSet usable, Strategy strategy,
            Map<Integer, Long> weights, int sampledSeconds, InterruptsTable baseline, Exclusions exclusions,
            Map<Integer, String> excluded, Supplier<Map<Integer, Long>> dealLoad) {
        /** The same inputs planned by another strategy. */
        Inputs withStrategy(Strategy other) {
            return new Inputs(snapshot, irqs, usable, other, weights, sampledSeconds, baseline, exclusions, excluded,
                    dealLoad);
        }

        /**
         * The same host with the rates of an adaptive run's sample window (read before this read),
         * which new event channels are also dealt around until {@link #dealingAround} says otherwise.
         */
        Inputs withWindow(Window window) {
            return new Inputs(snapshot, irqs, usable, strategy, window.rates(), window.seconds(), window.baseline(),
                    exclusions, excluded, window::rates);
        }

        /** The same inputs dealing new event channels around {@code rates} (an adaptive run's estimate). */
        Inputs dealingAround(Map<Integer, Long> rates) {
            return new Inputs(snapshot, irqs, usable, strategy, weights, sampledSeconds, baseline, exclusions, excluded,
                    () -> rates);
        }

        /**
         * The planner's rates: those measured under load; under spread, what new channels are
         * dealt around, if there are any (a channel without a placement of its name on a usable
         * CPU in {@code previous}), and none when everything is placed anew (rebalance): with no
         * channel staying, a deal by rates would count the excluded ones' traffic alone.
         */
        Map<Integer, Long> planningRates(Optional<Plan> previous, boolean rebalance) {
            if (strategy == Strategy.LOAD) {
                return weights;
            }
            if (rebalance || previous.isEmpty() || previous.get().strategy() != strategy
                    || Planner.keepsEvery(strategy, placed(), usable, previous.get(), false)) {
                return Map.of();
            }
            return dealLoad.get();
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
            return write(host, lock, planned, requests, planned.plan().placements(), affinities(planned));
        }
    }

    /**
     * The writes of an apply, under its lock: the plan saved, the affinities written and read
     * back, the requests it answered removed (see {@link #apply}). An adaptive run writes the same
     * way; on its short way only the IRQs it moved are written ({@code toWrite}).
     *
     * @param toWrite the placements to put into effect: all of the plan's, or some
     * @param current their smp_affinity_list as read (empty where it could not be)
     */
    private static Applied write(Host host, ApplyLock lock, Planned planned, List<String> requests,
            List<Placement> toWrite, Map<Integer, CpuSet> current) {
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
        List<Outcome> outcomes = Activator.apply(host,
                new Plan(plan.strategy(), plan.usable(), toWrite, plan.excluded()), current,
                written ? movedSince(planned.previous(), plan) : Set.of());
        // IRQs gone between read and write leave the plan; the others stay, even if a write
        // failed, so the hook keeps them banned and does not ask for a new plan for them.
        Set<Integer> gone = new HashSet<>();
        for (Outcome o : outcomes) {
            if (o.change() == Outcome.Change.VANISHED) {
                gone.add(o.placement().irq());
            }
        }
        List<Placement> kept = plan.placements().stream().filter(p -> !gone.contains(p.irq())).toList();
        if (saveError == null && !gone.isEmpty()) {
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
     * One run of the adaptive mode: samples the interrupt rates over {@code sampleSeconds}
     * (/proc/interrupts read before and after the window, with the host but for each IRQ's own
     * files), then, under the apply lock, plans as apply does, keeping the applied plan's
     * placements (so that new event channels get theirs), lets {@link Adaptive#step} move some of
     * them, and writes the result as apply writes (plan saved first, then the affinities, read
     * back). The state for the next run is saved last, under the lock, so that two runs never read
     * the same memory. Bad input writes nothing, not even the lock file. The gate and the
     * ratios are always those of the window; the moves are chosen by the estimate
     * ({@link #judge}), which the state keeps for the next run.
     *
     * <p>Two ways to the same verdict and moves. Most timer runs move nothing, and reading every
     * IRQ's chip_name, actions and smp_affinity_list (13,000 opens at 5,000 IRQs) would be most
     * of their cost. So when the plan in force covers the host ({@link #fromPlanInForce}: no
     * hook request pending, no apply ran meanwhile, and planning as apply would, from what
     * /proc/interrupts names, gives exactly the plan in force: no new, gone or renamed event
     * channel, the same usable CPUs, strategy and exclusions), the run plans from
     * /proc/interrupts and the plan, reading the files of only the excluded event channels (their
     * CPU loads the step) and of those whose name there is not the plan's. A run that moves
     * nothing then writes its state only; one that moves reads each moved IRQ's files first
     * (chip, name, affinity), and writes those affinities only, after the plan. Anything else,
     * or a moved IRQ whose files say otherwise, takes the full way: the whole host read under the
     * lock, every affinity written where it is not the plan's, as apply does.
     *
     * <p>Why the short way may leave an IRQ elsewhere than its planned CPU (written by hand, or
     * by a hook that answered from the previous plan and lost a race an apply did not see): the
     * step judges by the planned CPUs on both ways, so its verdict and moves are the same; only
     * the full way would also put such an IRQ back. What one costs meanwhile is its own rate on
     * another CPU, until {@code apply} (the service, the path unit, an admin) puts it back;
     * {@code check} and {@code status} report it, from the host, never from the plan. The hook's
     * rule holds: the plan is trusted only for the IRQs it names with the host's own names, and
     * a moved IRQ is checked against the host before it is written.
     *
     * @param sampleSeconds the window; 0 takes the counts since boot as the rates
     * @param now           when the run started, epoch seconds: the clock of cool-downs
     */
    public static Adapted adapt(Host host, int sampleSeconds, AdaptiveLimits limits, long now) {
        return adapt(host, sampleSeconds, limits, now, true);
    }

    /**
     * An adaptive run's sample window of {@code seconds} (0: counts since boot): /proc/interrupts
     * at its start, the host without any IRQ's own files at its end, and the interrupts per IRQ
     * between them.
     */
    record Window(int seconds, HostSnapshot atEnd, InterruptsTable baseline, Map<Integer, Long> rates) {
        static Window sample(Host host, int sampleSeconds) {
            if (sampleSeconds == 0) {
                HostSnapshot atEnd = HostReader.readWithoutIrqFiles(host);
                return new Window(0, atEnd, atEnd.interrupts(), weights(atEnd.interrupts(), atEnd.interrupts(), false));
            }
            InterruptsTable before = HostReader.readInterrupts(host);
            sleep(sampleSeconds);
            return since(host, before, sampleSeconds);
        }

        /** The window from {@code before}, read {@code seconds} ago, to now (a test's window needs no sleep). */
        static Window since(Host host, InterruptsTable before, int seconds) {
            HostSnapshot atEnd = HostReader.readWithoutIrqFiles(host);
            return new Window(seconds, atEnd, before, weights(before, atEnd.interrupts(), true));
        }
    }

    /**
     * As {@link #adapt(Host, int, AdaptiveLimits, long)}; {@code shortWay} false always takes the
     * full way, so that a test can compare both on the same host.
     */
    static Adapted adapt(Host host, int sampleSeconds, AdaptiveLimits limits, long now, boolean shortWay) {
        String markBeforeRead = ApplyLock.markBeforeRead(host);
        return adapt(host, markBeforeRead, Window.sample(host, sampleSeconds), limits, now, shortWay);
    }

    /** As {@link #adapt(Host, int, AdaptiveLimits, long, boolean)}, on a window already counted. */
    static Adapted adapt(Host host, String markBeforeRead, Window window, AdaptiveLimits limits, long now,
            boolean shortWay) {
        try (ApplyLock lock = ApplyLock.take(host, markBeforeRead)) {
            List<String> requests = Requests.pending(host);
            AdaptiveState memory = AdaptiveState.load(host);
            Optional<Plan> inForce = PlanStore.load(host);
            // A save in place cut short left IRQ files the whole plan does not describe: the full
            // way saves the plan anew (PlanStore.save writes a new directory then), even unchanged.
            if (shortWay && requests.isEmpty() && !lock.anotherApplyRan() && inForce.isPresent() && !PlanStore.cutShort(host)) {
                Optional<Adapted> done = fromPlanInForce(host, window, inForce.get())
                        .flatMap(inputs -> adaptShortWay(host, lock, inputs, inForce.get(), limits, memory, now));
                if (done.isPresent()) {
                    return done.get();
                }
            }
            Inputs read = followingThePlanInForce(read(host, new Options(null, false, 0), false).withWindow(window),
                    inForce);
            Map<Integer, Long> estimate = estimate(read, memory, now);
            Inputs inputs = read.dealingAround(estimate);
            Planned normal = planFrom(inputs, inForce, false);
            Judged judged = judge(normal.plan(), inputs, estimate, limits, memory, now);
            Planned planned = withPlan(normal, judged.step().plan());
            Applied applied = write(host, lock, planned, requests, planned.plan().placements(), affinities(planned));
            return recorded(host, applied, judged, inputs, now);
        }
    }

    /**
     * What an adaptive run would do now, writing nothing (not even the lock file or the state):
     * the same window, the whole host read as the full way reads it, the plan in force and the
     * state's memory as they are, no lock taken. The state returned is the one a run would leave;
     * the apply is a dry run's. An apply or a run between this and a real run may change what that
     * one does.
     */
    public static Adapted adaptDryRun(Host host, int sampleSeconds, AdaptiveLimits limits, long now) {
        Window window = Window.sample(host, sampleSeconds);
        Optional<Plan> inForce = PlanStore.load(host);
        AdaptiveState state = AdaptiveState.load(host);
        Inputs read = followingThePlanInForce(read(host, new Options(null, false, 0), false).withWindow(window), inForce);
        Map<Integer, Long> estimate = estimate(read, state, now);
        Inputs inputs = read.dealingAround(estimate);
        Planned normal = planFrom(inputs, inForce, false);
        Judged judged = judge(normal.plan(), inputs, estimate, limits, state, now);
        Planned planned = withPlan(normal, judged.step().plan());
        Applied applied = new Applied(planned, Activator.dryRun(planned.plan(), affinities(planned)), false, true, null, null);
        return new Adapted(applied, judged.step(), stateAfter(judged, inputs, now), null);
    }

    /**
     * The short way, once the plan in force is known to cover the host: the step on it, and,
     * when it moves, the moved IRQs checked against the host and written. Empty if a moved IRQ's
     * files say it is not the event channel the plan names (gone, renamed, another chip): the
     * full way then reads the whole host.
     */
    private static Optional<Adapted> adaptShortWay(Host host, ApplyLock lock, Inputs inputs, Plan inForce,
            AdaptiveLimits limits, AdaptiveState memory, long now) {
        // fromPlanInForce found that planning gives exactly the plan in force.
        Planned normal = new Planned(inputs.snapshot(), inputs.irqs(), inForce, inputs.weights(), inputs.sampledSeconds(),
                inputs.baseline(), Optional.of(inForce), inputs.excluded());
        Judged judged = judge(normal.plan(), inputs, estimate(inputs, memory, now), limits, memory, now);
        AdaptiveStep step = judged.step();
        Planned planned = withPlan(normal, step.plan());
        if (step.moves().isEmpty()) {
            // Nothing to write: the plan in force stands. No affinity was read, so none is
            // claimed in place: the report counts no event channel (see adapt on why).
            return Optional.of(recorded(host, new Applied(planned, List.of(), false, false, null, null), judged, inputs, now));
        }
        Map<Integer, IrqLine> lines = new HashMap<>();
        for (IrqLine line : inputs.snapshot().interrupts().irqs()) {
            lines.put(line.irq(), line);
        }
        Map<Integer, CpuSet> current = new HashMap<>();
        Set<Integer> moved = new HashSet<>();
        for (AdaptiveMove m : step.moves()) {
            IrqState onHost = HostReader.readIrq(host, lines.get(m.irq()));
            boolean ours = XenDynRule.isOurs(onHost.chip(), inputs.snapshot().pciIrqs().contains(m.irq()));
            if (!ours || !onHost.name().equals(m.name())) {
                return Optional.empty();
            }
            current.put(m.irq(), onHost.affinity());
            moved.add(m.irq());
        }
        List<Placement> toWrite = planned.plan().placements().stream().filter(p -> moved.contains(p.irq())).toList();
        Applied applied = write(host, lock, planned, List.of(), toWrite, current);
        return Optional.of(recorded(host, applied, judged, inputs, now));
    }

    /**
     * The inputs of an adaptive run as the full read would give them, from /proc/interrupts
     * ({@code atEnd}, read without any IRQ's own files) and the plan in force: an event channel
     * whose line names it as the plan does is taken as the plan's (its name and chip from the
     * line: the kernel prints the same chip and actions there as in /sys/kernel/irq). Only the
     * others have their files read: the excluded event channels, whose CPU loads the step, and
     * any whose line names it otherwise (new, renamed, or named differently there, as several
     * actions are). Empty where planning from these inputs does not give exactly the plan in
     * force: then the host is not what the plan describes, and the full way reads it all. An
     * event channel born since, whose line shows no xen-dyn chip while its chip_name does, is not
     * seen here; the hook asks for it (a request), which takes the full way.
     */
    private static Optional<Inputs> fromPlanInForce(Host host, Window window, Plan inForce) {
        HostSnapshot atEnd = window.atEnd();
        Map<Integer, Placement> planned = inForce.byIrq();
        List<EventChannel> irqs = new ArrayList<>();
        for (IrqState line : atEnd.irqs()) {
            boolean pci = atEnd.pciIrqs().contains(line.irq());
            if (!XenDynRule.isOurs(line.chip(), pci)) {
                continue;
            }
            Placement p = planned.get(line.irq());
            IrqState irq = p != null && p.name().equals(line.name()) ? line : HostReader.readIrq(host, line.line());
            if (XenDynRule.isOurs(irq.chip(), pci)) {
                irqs.add(Classifier.eventChannel(irq));
            }
        }
        Settings settings = atEnd.settings();
        Exclusions byIrqbalance = atEnd.irqbalanceBannedIrqs();
        Map<Integer, String> excluded = excludedOf(irqs, settings.exclude(), byIrqbalance);
        // Dealing around the window: these inputs serve only if no channel is to be dealt.
        Inputs inputs = followingThePlanInForce(new Inputs(atEnd, List.copyOf(irqs), usableCpus(atEnd), settings.strategy(),
                window.rates(), window.seconds(), window.baseline(), settings.exclude().plus(byIrqbalance), excluded,
                window::rates), Optional.of(inForce));
        boolean covers = planFrom(inputs, Optional.of(inForce), false).plan().equals(inForce);
        return covers ? Optional.of(inputs) : Optional.empty();
    }

    /** An adaptive run's verdict and the estimate it chose its moves by. */
    private record Judged(AdaptiveStep step, Map<Integer, Long> estimate) {
    }

    /** The run's estimate ({@link Adaptive#estimate}): its window's rates averaged with {@link #estimateBefore}. */
    private static Map<Integer, Long> estimate(Inputs inputs, AdaptiveState state, long now) {
        return Adaptive.estimate(inputs.weights(),
                estimateBefore(state, inputs.snapshot().settings(), inputs.sampledSeconds(), inputs.irqs(), now));
    }

    /**
     * The adaptive step on {@code plan}: gated on the run's window, its moves chosen by the
     * estimate. The memory of a run that is not recent ({@link #recentRun}) holds its cool-downs
     * but no count of runs: runs two intervals apart or more are not consecutive, and a moving
     * phase does not outlive a stopped timer.
     */
    private static Judged judge(Plan plan, Inputs inputs, Map<Integer, Long> estimate, AdaptiveLimits limits,
            AdaptiveState state, long now) {
        return new Judged(Adaptive.step(plan, inputs.placed(), inputs.left(), inputs.weights(), estimate, limits,
                memoryAt(state, inputs.snapshot().settings(), now), now), estimate);
    }

    /** The memory a run at {@code now} starts from: the state's, without its count of runs if the last run is not recent. */
    private static AdaptiveMemory memoryAt(AdaptiveState state, Settings settings, long now) {
        return recentRun(state, settings, now).isPresent() ? state.memory() : new AdaptiveMemory(0, state.memory().moved());
    }

    /**
     * The estimate an adaptive run of a window of {@code windowSeconds} averages its own window
     * with: the last run's, if that run is recent ({@link #recentRun}) and sampled a window of the
     * same length, for the IRQs that still carry the names they had then. Otherwise none, and the
     * window alone counts: after a stopped timer, a changed SAMPLE_SECONDS, or with counts since
     * boot (a window of 0), whose figures are not interrupts per window.
     */
    static Map<Integer, Long> estimateBefore(AdaptiveState state, Settings settings, int windowSeconds,
            List<EventChannel> irqs, long now) {
        return recentRun(state, settings, now)
                .filter(run -> windowSeconds > 0 && run.windowSeconds() == windowSeconds)
                .map(run -> run.ratesOf(namesOf(irqs)))
                .orElse(Map.of());
    }

    /** The state a run leaves: the step's memory, and the run's record with each event channel's estimated rate. */
    private static AdaptiveState stateAfter(Judged judged, Inputs inputs, long now) {
        AdaptiveStep step = judged.step();
        Map<Integer, AdaptiveState.Rate> rates = new HashMap<>();
        for (EventChannel irq : inputs.irqs()) {
            rates.put(irq.irq(), new AdaptiveState.Rate(irq.name(), Math.max(0, judged.estimate().getOrDefault(irq.irq(), 0L))));
        }
        return new AdaptiveState(step.memory(), Optional.of(new AdaptiveState.Run(now,
                inputs.sampledSeconds(), step.why(), step.ratioBefore(), step.ratioAfter(), step.moves(), rates)));
    }

    /** The run recorded: its state saved, under the lock. */
    private static Adapted recorded(Host host, Applied applied, Judged judged, Inputs inputs, long now) {
        AdaptiveStep step = judged.step();
        AdaptiveState after = stateAfter(judged, inputs, now);
        String stateError = null;
        try {
            after.save(host);
        } catch (UncheckedIOException e) {
            stateError = e.getMessage();
        }
        return new Adapted(applied, step, after, stateError);
    }

    private static Planned withPlan(Planned normal, Plan plan) {
        return new Planned(normal.snapshot(), normal.irqs(), plan, normal.weights(), normal.sampledSeconds(),
                normal.baseline(), normal.previous(), normal.excluded());
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
        return new Inputs(snapshot, irqs, usable, strategy, weights, seconds, before, exclusions,
                excludedOf(irqs, snapshot.settings().exclude(), byIrqbalance),
                memoized(() -> dealLoad(host, snapshot.settings(), strategy, irqs, Instant.now().getEpochSecond())));
    }

    private static <T> Supplier<T> memoized(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }

    /**
     * What an apply deals new event channels around under spread with ADAPTIVE=yes: the rates
     * the last adaptive run estimated, for the IRQs that still carry the names they had then, if
     * that run is recent ({@link #recentRun}). Otherwise nothing, and spread deals by count, as
     * without the adaptive mode. So a guest that starts between two runs gets the CPUs with the
     * least traffic, which the runs would otherwise have to make up for with moves.
     */
    static Map<Integer, Long> dealLoad(Host host, Settings settings, Strategy strategy, List<EventChannel> irqs,
            long now) {
        if (!settings.adaptive().enabled() || strategy != Strategy.SPREAD) {
            return Map.of();
        }
        return recentRun(AdaptiveState.load(host), settings, now).map(run -> run.ratesOf(namesOf(irqs))).orElse(Map.of());
    }

    /**
     * Whether the next adaptive run, at {@code now}, would find a moving phase open (see
     * plan/Adaptive): the mode on, and the memory it would start from ({@link #memoryAt}: the
     * last run recent) says so. Then a run above the aim moves without waiting.
     */
    public static boolean movingPhaseOpen(AdaptiveState state, Settings settings, long now) {
        return settings.adaptive().enabled() && memoryAt(state, settings, now).movingPhaseOpen(settings.adaptive().limits());
    }

    /**
     * The last adaptive run, if it started at most two intervals (and {@value #DUE_SLACK_SECONDS}
     * s) before {@code now}: a stopped timer's figures would describe traffic long gone.
     */
    private static Optional<AdaptiveState.Run> recentRun(AdaptiveState state, Settings settings, long now) {
        return state.last().filter(run -> {
            long age = now - run.epochSeconds();
            return age >= 0 && age <= 2L * settings.adaptive().intervalMinutes() * 60 + DUE_SLACK_SECONDS;
        });
    }

    private static Map<Integer, String> namesOf(List<EventChannel> irqs) {
        Map<Integer, String> names = new HashMap<>();
        irqs.forEach(irq -> names.put(irq.irq(), irq.name()));
        return names;
    }

    /** The event channels left where they are, each with the selector that excludes it (see {@link Planned}). */
    private static Map<Integer, String> excludedOf(List<EventChannel> irqs, Exclusions bySettings, Exclusions byIrqbalance) {
        Map<Integer, String> excluded = new HashMap<>();
        for (EventChannel irq : irqs) {
            bySettings.match(irq.irq(), irq.name())
                    .map(Selector::text)
                    .or(() -> byIrqbalance.match(irq.irq(), irq.name()).map(s -> "--banirq"))
                    .ifPresent(why -> excluded.put(irq.irq(), why));
        }
        return Map.copyOf(excluded);
    }

    /** Excluded event channels are not planned: they stay where they are, and load their CPUs. */
    private static Planned planFrom(Inputs in, Optional<Plan> previous, boolean rebalance) {
        Plan plan = Planner.plan(new PlanRequest(in.strategy(), in.placed(), in.usable(), previous.orElse(null),
                rebalance, in.planningRates(previous, rebalance), in.exclusions(), in.left()));
        return new Planned(in.snapshot(), in.irqs(), plan, in.weights(), in.sampledSeconds(), in.baseline(), previous,
                in.excluded());
    }

    private static HostSnapshot sampleAgain(Host host, int seconds, boolean effective) {
        sleep(seconds);
        return HostReader.read(host, XenDynRule.want(effective));
    }

    /** The sample window. */
    private static void sleep(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
