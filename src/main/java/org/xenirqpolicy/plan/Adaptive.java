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
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;

/**
 * The adaptive planner: given the plan in force and the interrupt rates of one sample window, moves
 * a few event channels off the busiest CPU when the load has been out of balance for long enough.
 * Pure and deterministic: values in, values out, the same inputs give the same step.
 *
 * <p>Load per CPU: each placed channel's rate at its planned CPU, and each excluded channel's at
 * the CPU it sits on (if usable), as {@link LoadStrategy} counts them. The ratio is the busiest
 * CPU's load over the lower bound max(total / usable CPUs, largest single IRQ rate), which no
 * placement can beat, so it is at least 1.
 *
 * <p>What keeps churn low, each rule with its reason:
 * <ul>
 * <li>Hysteresis in time: a run moves only after {@code samplesAbove} consecutive runs above the
 *     threshold (default 2), so one burst in one sample window moves nothing.</li>
 * <li>Hysteresis in level (a Schmitt trigger): once a run moves, it and the runs after it go on
 *     while the ratio is above an aim well below the threshold ({@link #aim}: 1.05 for the default
 *     1.25), without waiting for samples again, and stop at the aim or when no move is worth
 *     making. A placement left just under the threshold would sit there unbalanced for good. The
 *     memory's samplesAbove carries the state: at samplesAbove or more, the previous run was
 *     moving (or stuck above the threshold).</li>
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
 * <li>At most {@code maxMoves} channels per run: each move is one affinity write, and the count
 *     bounds what a wrong sample can disturb.</li>
 * </ul>
 *
 * <p>Greedy, as {@link LoadStrategy} places: take the busiest CPU (the lowest on a tie), and of its
 * movable units the move to another usable CPU that leaves the busiest CPU of all lowest, then the
 * pair of CPUs involved lowest, then the target least loaded after it, then the one moving fewer
 * channels, then the lowest IRQ and target CPU. A move is allowed only if the busier of the two
 * CPUs after it is below the busiest before it, so the ratio never rises and a tie of busiest CPUs
 * is undone one CPU per move.
 *
 * <p>What moves as one unit: under {@link Strategy#SPREAD} a network queue's tx and rx channels on
 * one CPU move together. Spread keeps them together for the cache, and the planner the engine
 * runs before each adaptive run places a queue at the kept CPU of its first channel: a queue split
 * by an adaptive move would be joined again by the next run. Under {@link Strategy#LOAD} each
 * channel moves alone, as load places them (a hot queue may need two CPUs), and the planner keeps
 * each channel's CPU. (Under {@link Strategy#MODULO} the planner keeps nothing, so the engine
 * should not run adaptive moves on a modulo plan; here they would move alone, as under load.)
 *
 * <p>The queue rule: a unit of one interface goes preferably to a CPU holding no other queue of
 * that interface, since queues exist to spread one guest's traffic over CPUs. A CPU holding one
 * is taken only when every such distinct option leaves a ratio worse by more than
 * {@code queueSpreadCost} (relative) than the best shared one, or when there is none.
 */
public final class Adaptive {
    /** A move that does not take its whole rate off the busiest CPU must gain this share of the bound. */
    static final double MIN_GAIN = 0.02;
    /** Where a moving run stops: this share of the threshold's excess over 1 (1.25 -> 1.05). */
    static final double AIM_SHARE = 0.2;

    private Adaptive() {
    }

    /** The ratio a moving run stops at. */
    static double aim(AdaptiveLimits limits) {
        return 1 + (limits.threshold() - 1) * AIM_SHARE;
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

    /** A queue (interface and queue number: a NetQueue is a value) on one CPU. */
    private record QueueOnCpu(Device.NetQueue queue, int cpu) {
    }

    /** One possible move and what it leaves. */
    private record Candidate(Unit unit, int target, long pairAfter, long targetAfter, long busiestAfter) {
        boolean betterThan(Candidate other) {
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
            return unit.members.size() < other.unit.members.size();
        }
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
     * @param rates   interrupts per IRQ over the sample window (missing or negative: 0)
     * @param limits  the ADAPTIVE_* settings
     * @param memory  what the previous run left
     * @param now     epoch seconds
     */
    public static AdaptiveStep step(Plan current, List<EventChannel> irqs, List<EventChannel> left,
            Map<Integer, Long> rates, AdaptiveLimits limits, AdaptiveMemory memory, long now) {
        CpuSet usable = current.usable();
        int n = usable.size();
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

        long total = 0;
        for (long l : load) {
            total += l;
        }
        if (total == 0) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.QUIET, Double.NaN, Double.NaN,
                    new AdaptiveMemory(0, remembered));
        }
        double bound = Math.max(total / (double) n, largest);
        double ratioBefore = max(load) / bound;
        // Once moving (the previous run moved, or was stuck above the threshold), a run goes on
        // while the ratio is above the aim, without waiting again: a Schmitt trigger.
        boolean moving = memory.samplesAbove() >= limits.samplesAbove();
        if (ratioBefore <= (moving ? aim(limits) : limits.threshold())) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.BALANCED, ratioBefore, ratioBefore,
                    new AdaptiveMemory(0, remembered));
        }
        int above = memory.samplesAbove() == Integer.MAX_VALUE ? Integer.MAX_VALUE : memory.samplesAbove() + 1;
        if (above < limits.samplesAbove()) {
            return new AdaptiveStep(current, List.of(), AdaptiveStep.Why.WAITING, ratioBefore, ratioBefore,
                    new AdaptiveMemory(above, remembered));
        }

        List<AdaptiveMove> moves = new ArrayList<>();
        List<Unit> units = List.copyOf(byKey.values());
        double minGain = MIN_GAIN * bound;
        int budget = limits.maxMoves();
        while (budget > 0) {
            int busiest = argMax(load);
            if (load[busiest] / bound <= aim(limits)) {
                break;
            }
            Candidate distinct = null;
            Candidate shared = null;
            int[] top = topThree(load);
            for (Unit unit : units) {
                if (unit.cpu != busiest || !unit.movable || unit.members.size() > budget) {
                    continue;
                }
                // The queue rule's counts of this unit's interface and queue, looked up once per unit.
                int[] ofItsIface = unit.queue == null ? null : ofIface.get(unit.queue.iface());
                int[] ofItsQueue = unit.queue == null ? null : ofQueue.get(unit.queue);
                for (int t = 0; t < n; t++) {
                    long pairAfter = Math.max(load[busiest] - unit.rate, load[t] + unit.rate);
                    long gain = load[busiest] - pairAfter;
                    if (t == busiest || gain <= 0 || gain < Math.min(unit.rate, minGain)) {
                        continue;
                    }
                    Candidate c = new Candidate(unit, t, pairAfter, load[t] + unit.rate,
                            Math.max(pairAfter, maxExcept(load, top, busiest, t)));
                    // Shares the interface: t holds a channel of another queue of it.
                    if (ofItsIface != null && ofItsIface[t] - ofItsQueue[t] > 0) {
                        shared = c.betterThan(shared) ? c : shared;
                    } else {
                        distinct = c.betterThan(distinct) ? c : distinct;
                    }
                }
            }
            boolean sharedFarBetter = shared != null && distinct != null
                    && distinct.busiestAfter() > shared.busiestAfter() * (1 + limits.queueSpreadCost());
            Candidate chosen = distinct == null || sharedFarBetter ? shared : distinct;
            if (chosen == null) {
                break;
            }
            Unit unit = chosen.unit();
            for (EventChannel irq : unit.members) {
                long r = rate(rates, irq.irq());
                moves.add(new AdaptiveMove(irq.irq(), irq.name(), usable.get(busiest), usable.get(chosen.target()), r));
                count(irq.device(), busiest, -1, n, ofIface, ofQueue);
                count(irq.device(), chosen.target(), +1, n, ofIface, ofQueue);
                remembered.put(irq.irq(), new AdaptiveMemory.Moved(irq.name(), now));
            }
            load[busiest] -= unit.rate;
            load[chosen.target()] += unit.rate;
            unit.cpu = chosen.target();
            unit.movable = false;
            budget -= unit.members.size();
        }

        if (moves.isEmpty()) {
            // Below the threshold with no material move left, the moving is over; above it, stuck.
            boolean over = ratioBefore <= limits.threshold();
            return new AdaptiveStep(current, List.of(), over ? AdaptiveStep.Why.BALANCED : AdaptiveStep.Why.STUCK,
                    ratioBefore, ratioBefore, new AdaptiveMemory(over ? 0 : above, remembered));
        }
        AdaptiveMemory next = new AdaptiveMemory(above, remembered);
        Map<Integer, Integer> to = new HashMap<>();
        moves.forEach(m -> to.put(m.irq(), m.toCpu()));
        List<Placement> placements = current.placements().stream()
                .map(p -> to.containsKey(p.irq()) ? new Placement(p.irq(), to.get(p.irq()), p.name()) : p)
                .toList();
        Plan plan = new Plan(current.strategy(), usable, placements, current.excluded());
        return new AdaptiveStep(plan, moves, AdaptiveStep.Why.MOVED, ratioBefore, max(load) / bound, next);
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
