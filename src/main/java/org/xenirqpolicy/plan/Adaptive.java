package org.xenirqpolicy.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.xenirqpolicy.classify.Device;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.AdaptiveLimits;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;

/**
 * The adaptive planner: given the plan in force and the interrupt rates of one sample window, moves
 * a few event channels off the busiest CPU when the load has been out of balance for long enough.
 * Pure and deterministic: values in, values out, the same inputs give the same step.
 *
 * <p>Load per CPU: each placed channel's rate at its planned CPU, and each excluded channel's at
 * the CPU it sits on (if usable), as {@link LoadStrategy} counts them: by the sample for the gate
 * and the ratios reported, by the estimate for the choice of moves. The ratio is the busiest
 * CPU's load over the lower bound max(total / usable CPUs, largest single IRQ rate), which no
 * placement can beat, so it is at least 1.
 *
 * <p>What keeps churn low, each rule with its reason:
 * <ul>
 * <li>Hysteresis in time: a run moves only after {@code samplesAbove} consecutive runs above the
 *     threshold (default 2), so one burst in one sample window moves nothing (outside a moving
 *     phase; within one, the estimate below counts a burst at half).</li>
 * <li>Hysteresis in level (a Schmitt trigger): once the gate has passed, a moving phase is open:
 *     the runs go on moving whatever is worth moving, without waiting for samples again, until
 *     a sample's ratio is at or below an aim well below the threshold ({@link #aim}: 1.025 for
 *     the default 1.25), unless the estimate below still puts the busiest CPU above the level of
 *     fine moves ({@link #fineLevel}) and finds a move worth making (a lucky sample). A run that
 *     finds nothing worth moving leaves the phase open, unless nothing moved within the
 *     cool-down either: a phase idle that long is over. A placement
 *     left just under the threshold would sit there unbalanced for good, and one left near the
 *     bound drifts up to the threshold again as the traffic's mix turns (bench/adaptive.sh's
 *     daily swing, with the estimate below: ending the phase at the first run without a move
 *     gave 1.109 there over 24 draws, keeping it open 1.100; churn 1.115 against 1.101).
 *     The memory's samplesAbove carries the state: at samplesAbove or more, the phase is open.</li>
 * <li>Moves chosen by an estimate, not by one sample ({@link #estimate}): the gate and the ratios
 *     are the sample's, but which unit moves where is decided on each channel's rate averaged
 *     with the previous run's estimate. A placement fitted to one 3 s sample is fitted to its
 *     noise; the average also makes a burst in one window count half, and fewer moves chase
 *     noise (steady traffic: 0.31 moves per guest per hour over 24 draws, against 0.44). Kept
 *     open without the estimate, a phase chases each sample's noise (2.19 moves there).</li>
 * <li>Material gain: a move must lower the busiest CPU's load by its whole rate (the target stays
 *     below what the source keeps), or by at least {@link #MIN_GAIN} of the bound. What this stops
 *     is ping-pong: a big unit moved onto a CPU that it makes nearly as busy as the source was,
 *     for a gain the next sample's noise may reverse, and back again once its cool-down is over.
 *     2% is about what a CPU's count in a 10-s window varies from one window to the next on
 *     steady traffic, as bench/adaptive.sh models it (3 to 5% per channel, less per CPU). A move
 *     that takes its whole rate off is exempt: on a dom0 of thousands of channels each is a small
 *     share of a CPU, and a floor on every move's gain would never move any.</li>
 * <li>Cool-down: an IRQ moved less than {@code coolDownSeconds} ago (by name: a reused IRQ number
 *     does not inherit it) is not moved again, and no channel moves twice in one run.</li>
 * <li>At most {@code maxMoves} event channels per run (a queue of tx and rx moved together counts
 *     two, a swap counts both sides): each is one affinity write, and the count bounds what a
 *     wrong sample can disturb.</li>
 * <li>Fine moves only well out of balance: splitting a queue and swapping (below) are tried only
 *     while the busiest CPU is above {@link #fineLevel} (1.05 for the default threshold). Below
 *     it they would always find some gain in a sample's noise, and the runs would never stop
 *     moving (measured: 3 to 7 moves per guest per hour on steady traffic instead of 0.2).</li>
 * </ul>
 *
 * <p>Greedy, as {@link LoadStrategy} places: take the busiest CPU (the lowest on a tie), and of its
 * movable units the move to another usable CPU that leaves the busiest CPU of all lowest, then the
 * pair of CPUs involved lowest, then the target least loaded after it, then the one moving fewer
 * channels, then the lowest IRQ and target CPU. A move is allowed only if the busier of the two
 * CPUs after it is below the busiest before it, so the ratio never rises and a tie of busiest CPUs
 * is undone one CPU per move; and only if it takes no CPU above the busiest one as the sample
 * measured it (the loads above are the estimate's), so the ratio reported never rises either.
 * Once a run moves, it goes on within its moves towards the bound itself, not only to the aim:
 * its last moves may take the ratio well below 1.05. When no single
 * move is allowed, a swap may be: a unit of the busiest CPU exchanged with a lighter one of
 * another CPU, the busiest losing the difference (the same gain rules apply to it).
 *
 * <p>What moves as one unit: under {@link Strategy#SPREAD} a network queue's tx and rx channels on
 * one CPU move together, as spread keeps them together for the cache. One of them moves alone
 * only when the whole queue's best move leaves the busiest CPU more than {@code queueSpreadCost}
 * (relative) above the best single channel's, or when the queue does not fit in the moves left;
 * the spread planner keeps a queue so split apart (it places a queue together only when it
 * places it anew), so the next run does not join it again. Under {@link Strategy#LOAD} each
 * channel moves alone, as load places them (a hot queue may need two CPUs), and the planner keeps
 * each channel's CPU. (Under {@link Strategy#MODULO} the planner keeps nothing, so the engine
 * should not run adaptive moves on a modulo plan; here they would move alone, as under load.)
 *
 * <p>The queue rule: a unit of one interface goes preferably to a CPU holding no other queue of
 * that interface, since queues exist to spread one guest's traffic over CPUs. A CPU holding one
 * is taken only when every such distinct option leaves a ratio worse by more than
 * {@code queueSpreadCost} (relative) than the best shared one, or when there is none. A channel
 * split off its queue, and both sides of a swap, only ever go to a CPU holding no other queue of
 * their interface.
 */
public final class Adaptive {
    /** A move that does not take its whole rate off the busiest CPU must gain this share of the bound. */
    static final double MIN_GAIN = 0.02;
    /** Where moving stops from one run to the next: this share of the threshold's excess over 1 (1.25 -> 1.025). */
    static final double AIM_SHARE = 0.1;
    /** Above this share of the threshold's excess over 1 (1.25 -> 1.05), a queue may split and units may swap. */
    static final double FINE_SHARE = 0.2;
    /** The newest sample's share of a channel's estimated rate ({@link #estimate}). */
    static final double NEWEST_SHARE = 0.5;

    private Adaptive() {
    }

    /** The ratio at or below which the next run no longer goes on moving. */
    static double aim(AdaptiveLimits limits) {
        return 1 + (limits.threshold() - 1) * AIM_SHARE;
    }

    /** The ratio above which a run may also split a queue or swap two units. */
    static double fineLevel(AdaptiveLimits limits) {
        return 1 + (limits.threshold() - 1) * FINE_SHARE;
    }

    /** Channels that move together; cpu is an index into the usable CPUs. */
    private static final class Unit {
        final List<EventChannel> members = new ArrayList<>();
        final Device.NetQueue queue;
        int cpu;
        long rate;
        boolean movable = true;

        Unit(Device.NetQueue queue, int cpu) {
            this.queue = queue;
            this.cpu = cpu;
        }

        int firstIrq() {
            return members.get(0).irq();
        }
    }

    /**
     * The CPUs' loads as the sample measured them (the step's own array, which {@link #move}
     * keeps up to date as channels move), and the busiest of them before the run: no move may
     * take a CPU above it, so the measured ratio never rises either, whatever the estimate says.
     */
    private record Measured(long[] load, long cap, Map<Integer, Long> sampled) {
        /** One channel's sampled rate moved from CPU index {@code from} to {@code to}; returns that rate. */
        long move(EventChannel irq, int from, int to) {
            long r = rate(sampled, irq.irq());
            load[from] -= r;
            load[to] += r;
            return r;
        }

        /** Whether moving {@code moving} from CPU b to t, and {@code back} from t to b, keeps both at or below the cap. */
        boolean allows(List<EventChannel> moving, Unit back, int b, int t) {
            long net = 0;
            for (EventChannel irq : moving) {
                net += rate(sampled, irq.irq());
            }
            if (back != null) {
                for (EventChannel irq : back.members) {
                    net -= rate(sampled, irq.irq());
                }
            }
            return load[t] + net <= cap && load[b] - net <= cap;
        }
    }

    /** A queue (interface and queue number: a NetQueue is a value) on one CPU. */
    private record QueueOnCpu(Device.NetQueue queue, int cpu) {
    }

    /**
     * One possible move and what it leaves: {@code moving} (all of the unit or one of its channels)
     * from the busiest CPU to {@code target}, and for a swap the unit {@code swapWith} from
     * {@code target} to the busiest CPU; {@code rate} is what the busiest CPU loses.
     */
    private record Candidate(Unit unit, List<EventChannel> moving, Unit swapWith, long rate, int target,
            long pairAfter, long targetAfter, long busiestAfter) {
        int writes() {
            return moving.size() + (swapWith == null ? 0 : swapWith.members.size());
        }

        /** Whether a move leaving these figures beats {@code other} (null: anything does). */
        static boolean better(long busiestAfter, long pairAfter, long targetAfter, int writes, Candidate other) {
            if (other == null) {
                return true;
            }
            if (busiestAfter != other.busiestAfter) {
                return busiestAfter < other.busiestAfter;
            }
            if (pairAfter != other.pairAfter) {
                return pairAfter < other.pairAfter;
            }
            // The least loaded target: piling onto one CPU would make it the next busiest.
            if (targetAfter != other.targetAfter) {
                return targetAfter < other.targetAfter;
            }
            // Then fewer affinity writes; the rest of the tie keeps the first found (lowest IRQ, lowest CPU).
            return writes < other.writes();
        }
    }

    /**
     * The rates an adaptive run chooses its moves by: per event channel, half its rate in this
     * run's sample window and half its estimate from the run before ({@link #NEWEST_SHARE}), or
     * the sample alone for a channel without one (new, renamed, or no recent run). Why: a 3 s
     * window of traffic that varies by 5% a minute per guest is noisy, and a placement fitted to
     * one sample is fitted to its noise, which the next minute does not repeat (bench/adaptive.sh:
     * the next interval scored 1.10 to 1.12 where the run left its own sample at 1.005). The mean
     * halves the noise's variance within two runs and still follows a change of traffic: a channel
     * that turns hot counts half its new rate at once, three quarters after two runs.
     *
     * @param sample each channel's interrupts in this run's window
     * @param before the previous run's estimate, in windows of the same length, for the channels
     *               that still carry the names they had then
     */
    public static Map<Integer, Long> estimate(Map<Integer, Long> sample, Map<Integer, Long> before) {
        if (before.isEmpty()) {
            // The sample itself, not a copy: a run has a young generation of 4 MB (jvm.args), and
            // a copy of thousands of boxed rates costs a collection of everything the run holds.
            return sample;
        }
        Map<Integer, Long> estimate = new HashMap<>(sample.size() * 2);
        sample.forEach((irq, r) -> {
            Long previous = before.get(irq);
            long latest = Math.max(0, r);
            estimate.put(irq, previous == null ? latest
                    : Math.round(NEWEST_SHARE * latest + (1 - NEWEST_SHARE) * Math.max(0, previous)));
        });
        return estimate;
    }

    /**
     * One adaptive run with no estimate from a run before: the sample is the estimate
     * ({@link #step(Plan, List, List, Map, Map, AdaptiveLimits, AdaptiveMemory, long)}).
     */
    static AdaptiveStep step(Plan current, List<EventChannel> irqs, List<EventChannel> left,
            Map<Integer, Long> rates, AdaptiveLimits limits, AdaptiveMemory memory, long now) {
        return step(current, irqs, left, rates, rates, limits, memory, now);
    }

    /**
     * One adaptive run; pure.
     *
     * @param current the plan in force, one placement per event channel in {@code irqs} (the engine
     *                first runs the normal planner keeping previous placements, so new channels are
     *                placed); a channel without a placement of its name on a usable CPU is neither
     *                counted nor moved
     * @param irqs    our event channels (the device identity serves the queue rule)
     * @param left    excluded channels: never moved, but they load the CPU they sit on (currentCpu(),
     *                if usable)
     * @param sampled interrupts per IRQ over the sample window (missing or negative: 0): what the
     *                gate, the ratios and the moves' rates are measured on
     * @param rates   the estimate ({@link #estimate}) in the same units: what the moves are chosen by
     * @param limits  the ADAPTIVE_* settings
     * @param memory  what the previous run left
     * @param now     epoch seconds
     */
    public static AdaptiveStep step(Plan current, List<EventChannel> irqs, List<EventChannel> left,
            Map<Integer, Long> sampled, Map<Integer, Long> rates, AdaptiveLimits limits, AdaptiveMemory memory, long now) {
        CpuSet usable = current.usable();
        int n = usable.size();
        // Two views of each CPU: as the sample measured it (the gate, the ratios reported) and as
        // estimated (the choice of moves).
        long[] measured = new long[n];
        long measuredLargest = 0;
        long[] load = new long[n];
        long largest = 0;
        // Channels per CPU of each interface, and of each of its queues: the queue rule's counts.
        Map<String, int[]> ofIface = new HashMap<>();
        Map<Device.NetQueue, int[]> ofQueue = new HashMap<>();

        for (EventChannel irq : left) {
            int i = irq.currentCpu() < 0 ? -1 : usable.indexOf(irq.currentCpu());
            if (i >= 0) {
                long r = rate(rates, irq.irq());
                load[i] += r;
                largest = Math.max(largest, r);
                long m = rate(sampled, irq.irq());
                measured[i] += m;
                measuredLargest = Math.max(measuredLargest, m);
                count(irq.device(), i, +1, n, ofIface, ofQueue);
            }
        }

        Map<Integer, Placement> placed = current.byIrq();
        // A queue's channels on one CPU (spread), else each channel alone (load); keyed without
        // building strings: this runs once per event channel, thousands of them.
        Map<Object, Unit> byKey = new LinkedHashMap<>();
        List<EventChannel> sorted = irqs.stream().sorted(Comparator.comparingInt(EventChannel::irq)).toList();
        for (EventChannel irq : sorted) {
            Placement p = placed.get(irq.irq());
            int i = p == null || !p.name().equals(irq.name()) ? -1 : usable.indexOf(p.cpu());
            if (i < 0) {
                continue;
            }
            long r = rate(rates, irq.irq());
            load[i] += r;
            largest = Math.max(largest, r);
            long m = rate(sampled, irq.irq());
            measured[i] += m;
            measuredLargest = Math.max(measuredLargest, m);
            count(irq.device(), i, +1, n, ofIface, ofQueue);
            Device.NetQueue q = irq.device() instanceof Device.NetQueue nq ? nq : null;
            Object key = current.strategy() == Strategy.SPREAD && q != null
                    ? new QueueOnCpu(q, i)
                    : Integer.valueOf(irq.irq());
            Unit unit = byKey.computeIfAbsent(key, k -> new Unit(q, i));
            unit.members.add(irq);
            unit.rate += r;
            if (cooling(memory, irq, limits, now)) {
                unit.movable = false;
            }
        }

        Map<Integer, AdaptiveMemory.Moved> remembered = new TreeMap<>();
        memory.moved().forEach((irq, m) -> {
            if (withinCoolDown(now, m.epochSeconds(), limits)) {
                remembered.put(irq, m);
            }
        });

        long measuredTotal = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            measuredTotal += measured[i];
            total += load[i];
        }
        if (measuredTotal == 0 || total == 0) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.QUIET, Double.NaN, Double.NaN,
                    new AdaptiveMemory(0, remembered));
        }
        double measuredBound = Math.max(measuredTotal / (double) n, measuredLargest);
        double bound = Math.max(total / (double) n, largest);
        double ratioBefore = max(measured) / measuredBound;
        // Once moving (the gate passed), a run goes on while the ratio is above the aim, without
        // waiting again: a Schmitt trigger. A sample at the aim ends the phase, unless the
        // estimate still puts the busiest CPU above the level of fine moves: then the sample
        // caught a lucky moment (bench/adaptive.sh's churn: two channels of about the same rate
        // take turns as the largest, the bound; one sits alone on its CPU, the other shares its
        // CPU with a queue's rx, so the ratio flips between 1.00 and 1.14 with the noise, and a
        // phase ended at a 1.00 left the rx there for hours, below the threshold), and the run
        // looks for a move worth making, ending the phase only if there is none.
        boolean moving = memory.movingPhaseOpen(limits);
        boolean luckySample = moving && ratioBefore <= aim(limits) && max(load) / bound > fineLevel(limits);
        if (!luckySample && ratioBefore <= (moving ? aim(limits) : limits.threshold())) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.BALANCED, ratioBefore, ratioBefore,
                    new AdaptiveMemory(0, remembered));
        }
        int above = memory.samplesAbove() == Integer.MAX_VALUE ? Integer.MAX_VALUE : memory.samplesAbove() + 1;
        if (above < limits.samplesAbove()) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.WAITING, ratioBefore, ratioBefore,
                    new AdaptiveMemory(above, remembered));
        }

        List<AdaptiveMove> moves = new ArrayList<>();
        List<Unit> units = new ArrayList<>(byKey.values());
        // Shares the array: Measured.move keeps it up to date, for the ratio reported after.
        Measured measuredView = new Measured(measured, max(measured), sampled);
        double minGain = MIN_GAIN * bound;
        int budget = limits.maxMoves();
        while (budget > 0) {
            int busiest = argMax(load);
            // Within the budget a run goes on towards the bound itself: each run that moves leaves
            // the placement as good as its moves can, which keeps it below the threshold longer.
            if (load[busiest] <= bound) {
                break;
            }
            int[] top = topThree(load);
            // Splitting a queue and swapping only well out of balance (see the class comment).
            boolean fine = load[busiest] / bound > fineLevel(limits);
            Candidate distinct = null;
            Candidate shared = null;
            Candidate split = null;
            for (Unit unit : units) {
                if (unit.cpu != busiest || !unit.movable) {
                    continue;
                }
                int[] ofItsIface = unit.queue == null ? null : ofIface.get(unit.queue.iface());
                int[] ofItsQueue = unit.queue == null ? null : ofQueue.get(unit.queue);
                if (unit.members.size() <= budget) {
                    for (int t = 0; t < n; t++) {
                        // Shares the interface: t holds a channel of another queue of it.
                        if (ofItsIface != null && ofItsIface[t] - ofItsQueue[t] > 0) {
                            shared = candidate(unit, unit.members, unit.rate, null, busiest, t, load, top, minGain,
                                    measuredView, shared);
                        } else {
                            distinct = candidate(unit, unit.members, unit.rate, null, busiest, t, load, top, minGain,
                                    measuredView, distinct);
                        }
                    }
                }
                if (fine && unit.members.size() > 1) {
                    // One channel of the queue alone, to a CPU without another queue of its interface.
                    for (EventChannel member : unit.members) {
                        long r = rate(rates, member.irq());
                        List<EventChannel> alone = List.of(member);
                        for (int t = 0; t < n; t++) {
                            if (ofItsIface == null || ofItsIface[t] - ofItsQueue[t] == 0) {
                                split = candidate(unit, alone, r, null, busiest, t, load, top, minGain, measuredView,
                                        split);
                            }
                        }
                    }
                }
            }
            boolean sharedFarBetter = shared != null && distinct != null
                    && distinct.busiestAfter() > shared.busiestAfter() * (1 + limits.queueSpreadCost());
            Candidate chosen = distinct == null || sharedFarBetter ? shared : distinct;
            // The queue splits only for a gain worth more than the queue rule's share.
            if (split != null && (chosen == null
                    || chosen.busiestAfter() > split.busiestAfter() * (1 + limits.queueSpreadCost()))) {
                chosen = split;
            }
            if (chosen == null && fine && budget >= 2) {
                chosen = bestSwap(units, busiest, load, top, minGain, measuredView, budget, ofIface, ofQueue);
            }
            if (chosen == null) {
                break;
            }
            budget -= move(chosen, busiest, usable, rates, measuredView, units, moves, remembered, load, n,
                    ofIface, ofQueue, now);
        }

        if (moves.isEmpty()) {
            // Nothing worth moving: balanced below the threshold, stuck above it. Either way the
            // moving phase stays open until a sample is at or below the aim: ending it here let
            // the balance drift up to the threshold between phases (bench/adaptive.sh's daily
            // swing). But a phase in which nothing moved for a whole cool-down is over: the
            // traffic has been settled that long (on many CPUs a 3 s sample seldom reaches the aim).
            boolean below = ratioBefore <= limits.threshold();
            boolean over = luckySample || below && remembered.isEmpty();
            return new AdaptiveStep(current, List.of(), below ? AdaptiveStep.Why.BALANCED : AdaptiveStep.Why.STUCK,
                    ratioBefore, ratioBefore, new AdaptiveMemory(over ? 0 : above, remembered));
        }
        AdaptiveMemory next = new AdaptiveMemory(above, remembered);
        Map<Integer, Integer> to = new HashMap<>();
        moves.forEach(m -> to.put(m.irq(), m.toCpu()));
        List<Placement> placements = current.placements().stream()
                .map(p -> to.containsKey(p.irq()) ? new Placement(p.irq(), to.get(p.irq()), p.name()) : p)
                .toList();
        Plan plan = new Plan(current.strategy(), usable, placements, current.excluded());
        return new AdaptiveStep(plan, moves, AdaptiveStep.Why.MOVED, ratioBefore, max(measured) / measuredBound, next);
    }

    /**
     * The better of {@code best} and the move of {@code rate} off the busiest CPU to t, if that is
     * allowed (see the class comment); a new candidate is made only when it is better, as this
     * runs for every unit and CPU.
     */
    private static Candidate candidate(Unit unit, List<EventChannel> moving, long rate, Unit swapWith, int busiest,
            int t, long[] load, int[] top, double minGain, Measured measured, Candidate best) {
        if (t == busiest) {
            return best;
        }
        long pairAfter = Math.max(load[busiest] - rate, load[t] + rate);
        long gain = load[busiest] - pairAfter;
        if (gain <= 0 || gain < Math.min(rate, minGain)) {
            return best;
        }
        long busiestAfter = Math.max(pairAfter, maxExcept(load, top, busiest, t));
        int writes = moving.size() + (swapWith == null ? 0 : swapWith.members.size());
        return Candidate.better(busiestAfter, pairAfter, load[t] + rate, writes, best)
                && measured.allows(moving, swapWith, busiest, t)
                ? new Candidate(unit, moving, swapWith, rate, t, pairAfter, load[t] + rate, busiestAfter)
                : best;
    }

    /**
     * The best exchange of a unit on the busiest CPU with a lighter one elsewhere, for when no
     * single move is allowed: the busiest CPU then loses the difference. Both units must land on a
     * CPU holding no other queue of their interface.
     */
    private static Candidate bestSwap(List<Unit> units, int busiest, long[] load, int[] top, double minGain,
            Measured measured, int budget, Map<String, int[]> ofIface, Map<Device.NetQueue, int[]> ofQueue) {
        Candidate best = null;
        for (Unit hot : units) {
            if (hot.cpu != busiest || !hot.movable || hot.members.size() >= budget) {
                continue;
            }
            for (Unit cool : units) {
                if (cool.cpu == busiest || !cool.movable || cool.rate >= hot.rate
                        || hot.members.size() + cool.members.size() > budget
                        || sharesInterface(hot, cool, cool.cpu, ofIface, ofQueue)
                        || sharesInterface(cool, hot, busiest, ofIface, ofQueue)) {
                    continue;
                }
                best = candidate(hot, hot.members, hot.rate - cool.rate, cool, busiest, cool.cpu, load, top, minGain,
                        measured, best);
            }
        }
        return best;
    }

    /** Whether {@code unit} on CPU t would share it with another queue of its interface, {@code leaving} gone from there. */
    private static boolean sharesInterface(Unit unit, Unit leaving, int t, Map<String, int[]> ofIface,
            Map<Device.NetQueue, int[]> ofQueue) {
        if (unit.queue == null) {
            return false;
        }
        int others = ofIface.get(unit.queue.iface())[t] - ofQueue.get(unit.queue)[t];
        if (leaving.queue != null && leaving.queue.iface().equals(unit.queue.iface())
                && !leaving.queue.equals(unit.queue)) {
            others -= leaving.members.size();
        }
        return others > 0;
    }

    /** Makes the chosen move (and its swap's return), updating loads, counts and memory; returns the channels moved. */
    private static int move(Candidate chosen, int busiest, CpuSet usable, Map<Integer, Long> rates, Measured measured,
            List<Unit> units, List<AdaptiveMove> moves, Map<Integer, AdaptiveMemory.Moved> remembered, long[] load, int n,
            Map<String, int[]> ofIface, Map<Device.NetQueue, int[]> ofQueue, long now) {
        Unit unit = chosen.unit();
        int t = chosen.target();
        if (chosen.moving().size() == unit.members.size()) {
            unit.cpu = t;
            unit.movable = false;
        } else {
            // One channel of a queue goes alone: it becomes a unit of its own there.
            Unit alone = new Unit(unit.queue, t);
            for (EventChannel irq : chosen.moving()) {
                unit.members.remove(irq);
                unit.rate -= rate(rates, irq.irq());
                alone.members.add(irq);
                alone.rate += rate(rates, irq.irq());
            }
            alone.movable = false;
            units.add(alone);
        }
        record(chosen.moving(), busiest, t, usable, measured, moves, remembered, n, ofIface, ofQueue, now);
        if (chosen.swapWith() != null) {
            chosen.swapWith().cpu = busiest;
            chosen.swapWith().movable = false;
            record(chosen.swapWith().members, t, busiest, usable, measured, moves, remembered, n, ofIface, ofQueue, now);
        }
        load[busiest] -= chosen.rate();
        load[t] += chosen.rate();
        return chosen.writes();
    }

    /** Records the moves of {@code channels} from CPU index {@code from} to {@code to}, each with its sampled rate. */
    private static void record(List<EventChannel> channels, int from, int to, CpuSet usable, Measured measured,
            List<AdaptiveMove> moves, Map<Integer, AdaptiveMemory.Moved> remembered, int n,
            Map<String, int[]> ofIface, Map<Device.NetQueue, int[]> ofQueue, long now) {
        for (EventChannel irq : channels) {
            long r = measured.move(irq, from, to);
            moves.add(new AdaptiveMove(irq.irq(), irq.name(), usable.get(from), usable.get(to), r));
            count(irq.device(), from, -1, n, ofIface, ofQueue);
            count(irq.device(), to, +1, n, ofIface, ofQueue);
            remembered.put(irq.irq(), new AdaptiveMemory.Moved(irq.name(), now));
        }
    }

    private static boolean cooling(AdaptiveMemory memory, EventChannel irq, AdaptiveLimits limits, long now) {
        AdaptiveMemory.Moved m = memory.moved().get(irq.irq());
        // A clock set back counts like one set forward: an entry within the cool-down either way
        // holds, one further away in either direction no longer does (nor is it kept).
        return m != null && m.name().equals(irq.name()) && withinCoolDown(now, m.epochSeconds(), limits);
    }

    private static boolean withinCoolDown(long now, long then, AdaptiveLimits limits) {
        try {
            return Math.abs(Math.subtractExact(now, then)) < limits.coolDownSeconds();
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private static void count(Device device, int cpu, int delta, int n, Map<String, int[]> ofIface,
            Map<Device.NetQueue, int[]> ofQueue) {
        if (device instanceof Device.NetQueue q) {
            ofIface.computeIfAbsent(q.iface(), k -> new int[n])[cpu] += delta;
            ofQueue.computeIfAbsent(q, k -> new int[n])[cpu] += delta;
        }
    }

    private static long rate(Map<Integer, Long> rates, int irq) {
        Long r = rates.get(irq);
        return r == null ? 0 : Math.max(0, r);
    }

    private static long max(long[] load) {
        return load[argMax(load)];
    }

    private static int argMax(long[] load) {
        int best = 0;
        for (int i = 1; i < load.length; i++) {
            if (load[i] > load[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The indices of the three most loaded CPUs, most loaded first (-1 where there are fewer CPUs). */
    private static int[] topThree(long[] load) {
        int[] top = {-1, -1, -1};
        for (int i = 0; i < load.length; i++) {
            for (int k = 0; k < 3; k++) {
                if (top[k] < 0 || load[i] > load[top[k]]) {
                    System.arraycopy(top, k, top, k + 1, 2 - k);
                    top[k] = i;
                    break;
                }
            }
        }
        return top;
    }

    /** The highest load but those of CPUs a and b: one of the top three, so each candidate costs O(1). */
    private static long maxExcept(long[] load, int[] top, int a, int b) {
        for (int i : top) {
            if (i >= 0 && i != a && i != b) {
                return load[i];
            }
        }
        return 0;
    }
}
