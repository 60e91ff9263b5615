package org.xenirqpolicy.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeMap;
import org.xenirqpolicy.classify.DeviceNames;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.AdaptiveLimits;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Adaptive;
import org.xenirqpolicy.plan.AdaptiveMemory;
import org.xenirqpolicy.plan.AdaptiveStep;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.plan.PlanRequest;
import org.xenirqpolicy.plan.Planner;
import org.xenirqpolicy.read.Settings;

/**
 * bench/adaptive.sh's model: a dom0 over simulated time, interval by interval (the adaptive mode's
 * default interval), with guests starting and stopping and traffic that changes, scored for four ways of
 * placing its event channels. No tree, no root: the placements are computed by the planner and
 * {@link Adaptive} themselves, and the traffic is generated.
 *
 * <p>The dom0: CPUs 0..n-1, all usable; a few light dom0 channels (xenbus, console, VIRQs); per
 * guest, as Xen's toolstack and netback make them, its xenstored and xenconsoled channels, one
 * interface of min(guest vCPUs, dom0 CPUs) queues with a tx and an rx channel each (netback's
 * default), and one blkback disk. IRQ numbers are allocated as Linux does, the lowest free first,
 * so a stopped guest's numbers are reused by the next one under other names.
 *
 * <p>Traffic: each guest has a weight (log-normal: a few guests carry most), each queue a skew
 * (flow hashing does not spread evenly), tx three times rx; a profile's shape multiplies it over
 * time. Every interval draws noise per guest and per channel; the adaptive run's sample window
 * (SAMPLE_SECONDS of the interval) adds its own. All from one seeded generator: the same run every time.
 *
 * <p>The four modes, all facing the same traffic:
 * <ul>
 * <li>seed rule: IRQ mod CPU count (the seed's script, CPUs 0..n-1 all present, as
 *     {@link Balance.SeedRule} reads it), for every channel as it appears;</li>
 * <li>spread once: the product without adaptive: spread at start, and for channels that appear,
 *     spread keeping everybody else where they are (the apply a hook's request starts);</li>
 * <li>load once: the same with load, each time on a sample window of that interval's traffic,
 *     as the apply a hook's request starts samples SAMPLE_SECONDS under STRATEGY=load once the
 *     new channels exist (at start, the first interval's);</li>
 * <li>adaptive: spread as above, then at the end of every interval what the timer run does: the
 *     planner keeping previous placements (which places any new channel), then
 *     {@link Adaptive#step} with the default limits on the sample and the estimate the state
 *     carries ({@link Adaptive#estimate}), its plan in force from the next
 *     interval on.</li>
 * </ul>
 * Scored per interval: busiest CPU / lower bound on that interval's true traffic, where the bound
 * is max(total / CPUs, largest single IRQ). Beside them, a floor that no mode can expect to beat:
 * load planned anew every interval on that interval's noise-free rates, each channel alone, with
 * no limit on moves (it knows the traffic's course, not its noise).
 */
final class AdaptiveSimulation {
    // The shipped defaults, ADAPTIVE_INTERVAL_MINUTES and SAMPLE_SECONDS, so that the figures
    // describe the mode as it ships and cannot drift from it.
    static final long STEP_SECONDS = Settings.defaults().adaptive().intervalMinutes() * 60L;
    static final long WINDOW_SECONDS = Settings.defaults().sampleSeconds();
    static final long TX_PER_SECOND = 3000;
    static final long RX_PER_SECOND = 1000;
    static final long DISK_PER_SECOND = 400;
    static final long LIGHT_PER_SECOND = 2;
    static final double GUEST_NOISE = 0.05;
    static final double CHANNEL_NOISE = 0.03;
    static final double SAMPLE_NOISE = 0.03;
    static final double BURST_CHANCE = 0.002;
    static final double BURST = 2;

    private AdaptiveSimulation() {
    }

    enum Mode {
        SEED("seed rule"), SPREAD("spread once"), LOAD("load once"), ADAPTIVE("adaptive");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** A guest: its domain id, vCPUs, traffic weight, per-queue skew, and when it runs [start, stop). */
    record Guest(int domain, int vcpus, double weight, double[] queueSkew, long start, long stop) {
        boolean runsAt(long t) {
            return start <= t && t < stop;
        }
    }

    /** How a guest's traffic changes over time: a multiplier of its weight. */
    interface Shape {
        double at(Guest guest, long t);
    }

    record Profile(String key, String title, int cpus, long seconds, List<Guest> guests, Shape shape, long seed) {
        int maxGuests() {
            int most = 0;
            for (long t = 0; t < seconds; t += STEP_SECONDS) {
                final long now = t;
                most = Math.max(most, (int) guests.stream().filter(g -> g.runsAt(now)).count());
            }
            return most;
        }
    }

    /** A profile's run: per mode, busiest / bound for each interval; adaptive's moves and the runs' outcomes. */
    record Run(Profile profile, Map<Mode, double[]> ratios, double[] floor, int[] movesPerInterval, double guestHours,
            Map<AdaptiveStep.Why, Integer> outcomes) {
        double timeAverage(Mode mode) {
            return mean(ratios.get(mode));
        }

        /** The time average of a mode from interval {@code from} on (a profile's later part). */
        double timeAverageFrom(Mode mode, int from) {
            double[] series = ratios.get(mode);
            return mean(java.util.Arrays.copyOfRange(series, from, series.length));
        }

        double floorAverage() {
            return mean(floor);
        }

        private static double mean(double[] series) {
            double sum = 0;
            int counted = 0;
            for (double r : series) {
                if (!Double.isNaN(r)) {
                    sum += r;
                    counted++;
                }
            }
            return sum / counted;
        }

        int moves() {
            int sum = 0;
            for (int m : movesPerInterval) {
                sum += m;
            }
            return sum;
        }

        double movesPerGuestHour() {
            return moves() / guestHours;
        }
    }

    // ---- the profiles ----

    /** Seeds of one draw of the profiles are this far from the next draw's. */
    private static final long DRAW_STRIDE = 1000;

    static final String STEADY = "steady";
    static final String HOT = "hot";
    static final String CHURN = "churn";
    static final String DAILY = "daily";

    static List<Profile> profiles() {
        return profiles(0);
    }

    /**
     * The profiles drawn with other seeds ({@code draw} 0 is the table's): the same guests' sizes,
     * weights, lifetimes and noise by the same laws, another draw of them, to tell a property of
     * the mode from the luck of one draw.
     */
    static List<Profile> profiles(long draw) {
        return List.of(steady(draw), hotGuest(draw), startStop(draw), dailySwing(draw));
    }

    static Profile profile(String key) {
        return profiles().stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
    }

    /** 32 guests on 16 CPUs, the same traffic for 12 hours: churn must stay near zero. */
    static Profile steady() {
        return steady(0);
    }

    private static Profile steady(long draw) {
        long seconds = 12 * 3600;
        Random random = new Random(11 + DRAW_STRIDE * draw);
        List<Guest> guests = new ArrayList<>();
        for (int d = 1; d <= 32; d++) {
            guests.add(guest(random, d, 16, 0, seconds));
        }
        return new Profile(STEADY, "steady traffic, 32 guests", 16, seconds, guests, (g, t) -> 1.0,
                12 + DRAW_STRIDE * draw);
    }

    /** When the hot-guest profile's guest turns hot. */
    static final long HOT_FROM_SECONDS = 3600;

    /** 16 guests on 8 CPUs; after an hour one 4-vCPU guest turns hot (10 times its traffic) for good. */
    static Profile hotGuest() {
        return hotGuest(0);
    }

    private static Profile hotGuest(long draw) {
        long seconds = 6 * 3600;
        Random random = new Random(21 + DRAW_STRIDE * draw);
        List<Guest> guests = new ArrayList<>();
        for (int d = 1; d <= 16; d++) {
            guests.add(guest(random, d, 8, 0, seconds));
        }
        Guest hot = guests.get(4);
        guests.set(4, new Guest(hot.domain(), 4, 1.0, skew(random, 4), 0, seconds));
        return new Profile(HOT, "a guest turns 10x hot at 1 h, 16 guests", 8, seconds, guests,
                (g, t) -> g.domain() == 5 && t >= HOT_FROM_SECONDS ? 10.0 : 1.0, 22 + DRAW_STRIDE * draw);
    }

    /**
     * Guests start and stop on 32 CPUs for 12 hours, each with its own size and traffic: 40 run at
     * start, each lives 4 hours on average, and a new one starts in one 5-minute slot of 5 (at
     * most 64 at once). Departures outpace arrivals: about 40 guests for the first hours, a
     * handful for the last (the table's guests column is the most at once). Starts and lifetimes
     * are drawn per {@link #CHURN_SLOT_SECONDS} of simulated time, not per interval, so that the
     * same guests come and go whatever ADAPTIVE_INTERVAL_MINUTES is.
     */
    static Profile startStop() {
        return startStop(0);
    }

    private static Profile startStop(long draw) {
        long seconds = 12 * 3600;
        Random random = new Random(31 + DRAW_STRIDE * draw);
        List<Guest> guests = new ArrayList<>();
        int domain = 1;
        for (; domain <= 40; domain++) {
            guests.add(guest(random, domain, 32, 0, lifetimeEnd(random, 0, seconds)));
        }
        for (long t = CHURN_SLOT_SECONDS; t < seconds; t += CHURN_SLOT_SECONDS) {
            final long now = t;
            long running = guests.stream().filter(g -> g.runsAt(now)).count();
            if (running < 64 && random.nextDouble() < 0.2) {
                guests.add(guest(random, domain++, 32, t, lifetimeEnd(random, t, seconds)));
            }
        }
        return new Profile(CHURN, "guests start and stop, 40 at start", 32, seconds, guests, (g, t) -> 1.0,
                32 + DRAW_STRIDE * draw);
    }

    /**
     * 48 guests on 16 CPUs for 24 hours: two thirds serve users (peak at 14:00, a tenth of it at
     * night), one third run batch work (peak at 02:00): the balance of a morning is not the
     * balance of the night.
     */
    static Profile dailySwing() {
        return dailySwing(0);
    }

    private static Profile dailySwing(long draw) {
        long seconds = 24 * 3600;
        Random random = new Random(41 + DRAW_STRIDE * draw);
        List<Guest> guests = new ArrayList<>();
        for (int d = 1; d <= 48; d++) {
            guests.add(guest(random, d, 16, 0, seconds));
        }
        Shape shape = (g, t) -> {
            double peakHour = g.domain() % 3 == 0 ? 2 : 14;
            double phase = 2 * Math.PI * (t / 3600.0 - peakHour) / 24;
            return 0.1 + 0.9 * (1 + Math.cos(phase)) / 2;
        };
        return new Profile(DAILY, "daily swing, users and batch, 48 guests", 16, seconds, guests, shape,
                42 + DRAW_STRIDE * draw);
    }

    /** The churn profile's time slot: at most one guest starts per slot, and lifetimes are whole slots. */
    static final long CHURN_SLOT_SECONDS = 300;

    private static long lifetimeEnd(Random random, long start, long seconds) {
        // Exponential lifetimes of mean 4 hours, one slot at least.
        long life = Math.max(CHURN_SLOT_SECONDS, (long) (-Math.log(1 - random.nextDouble()) * 4 * 3600));
        return Math.min(seconds, start + life / CHURN_SLOT_SECONDS * CHURN_SLOT_SECONDS);
    }

    private static Guest guest(Random random, int domain, int dom0Cpus, long start, long stop) {
        int[] sizes = {1, 2, 2, 4, 4, 8};
        int vcpus = sizes[random.nextInt(sizes.length)];
        double weight = Math.exp(0.5 * random.nextGaussian());
        return new Guest(domain, vcpus, weight, skew(random, Math.min(vcpus, dom0Cpus)), start, stop);
    }

    private static double[] skew(Random random, int queues) {
        double[] skew = new double[queues];
        for (int q = 0; q < queues; q++) {
            skew[q] = Math.exp(0.25 * random.nextGaussian());
        }
        return skew;
    }

    // ---- the run ----

    /** One event channel of the simulated dom0 and its traffic per second before the profile's shape. */
    private record Channel(EventChannel irq, Guest guest, double perSecond) {
    }

    static Run run(Profile p) {
        return run(p, AdaptiveLimits.defaults());
    }

    static Run run(Profile p, AdaptiveLimits limits) {
        return run(p, limits, true);
    }

    /**
     * @param dealAroundLastRun whether the apply a hook's request starts deals a new guest's
     *                          channels around the last adaptive run's rates, as the product does
     *                          under ADAPTIVE=yes; false deals them by count, as before it did
     */
    static Run run(Profile p, AdaptiveLimits limits, boolean dealAroundLastRun) {
        CpuSet usable = CpuSet.parseList("0-" + (p.cpus() - 1));
        Random noise = new Random(p.seed());
        int intervals = (int) (p.seconds() / STEP_SECONDS);
        Map<Mode, double[]> ratios = new EnumMap<>(Mode.class);
        for (Mode m : Mode.values()) {
            ratios.put(m, new double[intervals]);
        }
        int[] moves = new int[intervals];
        double[] floor = new double[intervals];
        Map<AdaptiveStep.Why, Integer> outcomes = new EnumMap<>(AdaptiveStep.Why.class);

        TreeMap<Integer, Channel> channels = new TreeMap<>();
        for (String name : List.of("xenbus", "xen-pcpu", "mce", "hvc_console")) {
            channels.put(channels.size() + 50, channel(channels.size() + 50, name, null, LIGHT_PER_SECOND));
        }
        Map<Integer, List<Integer>> irqsOfGuest = new HashMap<>();
        Map<Mode, Plan> plans = new EnumMap<>(Mode.class);
        AdaptiveMemory memory = AdaptiveMemory.empty();
        // The last run's estimate (Adaptive.estimate) and the names it had then, as the state keeps them.
        Map<Integer, Long> lastEstimate = Map.of();
        Map<Integer, String> namesThen = Map.of();
        double guestHours = 0;

        for (int i = 0; i < intervals; i++) {
            long t = i * STEP_SECONDS;
            boolean changed = i == 0;
            for (Guest g : p.guests()) {
                if (irqsOfGuest.containsKey(g.domain()) && !g.runsAt(t)) {
                    irqsOfGuest.remove(g.domain()).forEach(channels::remove);
                    changed = true;
                }
            }
            for (Guest g : p.guests()) {
                if (!irqsOfGuest.containsKey(g.domain()) && g.runsAt(t)) {
                    irqsOfGuest.put(g.domain(), start(g, p.cpus(), channels));
                    changed = true;
                }
            }
            guestHours += irqsOfGuest.size() * STEP_SECONDS / 3600.0;
            List<EventChannel> irqs = channels.values().stream().map(Channel::irq).toList();

            // This interval's traffic, and what a sample window of it counts.
            Map<Integer, Double> guestNoise = new HashMap<>();
            Map<Integer, Long> traffic = new TreeMap<>();
            Map<Integer, Long> sample = new TreeMap<>();
            for (Channel c : channels.values()) {
                double shape = c.guest() == null ? 1 : p.shape().at(c.guest(), t);
                double gn = c.guest() == null ? 1
                        : guestNoise.computeIfAbsent(c.guest().domain(), d -> lognormal(noise, GUEST_NOISE)
                                * (noise.nextDouble() < BURST_CHANCE ? BURST : 1));
                double perSecond = c.perSecond() * shape * gn * lognormal(noise, CHANNEL_NOISE);
                traffic.put(c.irq().irq(), Math.round(perSecond * STEP_SECONDS));
                sample.put(c.irq().irq(), Math.round(perSecond * WINDOW_SECONDS * lognormal(noise, SAMPLE_NOISE)));
            }

            if (changed) {
                plans.put(Mode.SPREAD, plan(Strategy.SPREAD, irqs, usable, plans.get(Mode.SPREAD), Map.of()));
                // The apply a hook's request starts samples SAMPLE_SECONDS itself under STRATEGY=load,
                // once the new channels exist: a window of this interval's traffic, new channels
                // included (the traffic is the same all through an interval here).
                plans.put(Mode.LOAD, plan(Strategy.LOAD, irqs, usable, plans.get(Mode.LOAD), sample));
                // The same apply under ADAPTIVE=yes deals new channels around the last adaptive
                // run's estimate (none before the first run: by count).
                plans.put(Mode.ADAPTIVE, plan(Strategy.SPREAD, irqs, usable, plans.get(Mode.ADAPTIVE),
                        dealAroundLastRun ? sameNames(lastEstimate, namesThen, irqs) : Map.of()));
            }
            Map<Integer, Integer> seed = new HashMap<>();
            irqs.forEach(irq -> seed.put(irq.irq(), irq.irq() % p.cpus()));
            ratios.get(Mode.SEED)[i] = ratio(seed, traffic, usable);
            for (Mode m : List.of(Mode.SPREAD, Mode.LOAD, Mode.ADAPTIVE)) {
                ratios.get(m)[i] = ratio(cpus(plans.get(m)), traffic, usable);
            }
            // The floor: load planned anew on the interval's noise-free rates, channels alone, moves unlimited.
            Map<Integer, Long> mean = new TreeMap<>();
            for (Channel c : channels.values()) {
                double shape = c.guest() == null ? 1 : p.shape().at(c.guest(), t);
                mean.put(c.irq().irq(), Math.round(c.perSecond() * shape * STEP_SECONDS));
            }
            floor[i] = ratio(cpus(plan(Strategy.LOAD, irqs, usable, null, mean)), traffic, usable);

            // The timer run at the interval's end: what the engine does, its plan in force from the next interval.
            Map<Integer, Long> estimate = Adaptive.estimate(sample, sameNames(lastEstimate, namesThen, irqs));
            Plan current = plan(Strategy.SPREAD, irqs, usable, plans.get(Mode.ADAPTIVE),
                    dealAroundLastRun ? estimate : Map.of());
            AdaptiveStep step = Adaptive.step(current, irqs, List.of(), sample, estimate, limits, memory, t + STEP_SECONDS);
            plans.put(Mode.ADAPTIVE, step.plan());
            memory = step.memory();
            lastEstimate = estimate;
            namesThen = names(irqs);
            moves[i] = step.moves().size();
            outcomes.merge(step.why(), 1, Integer::sum);
        }
        return new Run(p, ratios, floor, moves, guestHours, outcomes);
    }

    /** The IRQ numbers' names. */
    private static Map<Integer, String> names(List<EventChannel> irqs) {
        Map<Integer, String> names = new HashMap<>();
        irqs.forEach(irq -> names.put(irq.irq(), irq.name()));
        return names;
    }

    /** The rates of the IRQs that still carry the names they had then, as AdaptiveState.Run.ratesOf gives them. */
    private static Map<Integer, Long> sameNames(Map<Integer, Long> rates, Map<Integer, String> namesThen,
            List<EventChannel> irqs) {
        Map<Integer, Long> same = new HashMap<>();
        for (EventChannel irq : irqs) {
            Long r = rates.get(irq.irq());
            if (r != null && irq.name().equals(namesThen.get(irq.irq()))) {
                same.put(irq.irq(), r);
            }
        }
        return same;
    }

    /** Allocates a starting guest's channels at the lowest free IRQ numbers, as Linux does. */
    private static List<Integer> start(Guest g, int dom0Cpus, TreeMap<Integer, Channel> channels) {
        List<Integer> mine = new ArrayList<>();
        int queues = Math.min(g.vcpus(), dom0Cpus);
        List<String> names = new ArrayList<>(List.of("evtchn:xenstored", "evtchn:xenconsoled"));
        for (int q = 0; q < queues; q++) {
            names.add("vif" + g.domain() + ".0-q" + q + "-tx");
            names.add("vif" + g.domain() + ".0-q" + q + "-rx");
        }
        names.add("blkif-backend");
        for (String name : names) {
            int irq = lowestFree(channels.navigableKeySet());
            double perSecond = name.endsWith("-tx") ? TX_PER_SECOND : name.endsWith("-rx") ? RX_PER_SECOND
                    : name.equals("blkif-backend") ? DISK_PER_SECOND : LIGHT_PER_SECOND;
            if (name.startsWith("vif")) {
                int q = Integer.parseInt(name.substring(name.indexOf("-q") + 2, name.lastIndexOf('-')));
                perSecond *= g.queueSkew()[q];
            }
            channels.put(irq, channel(irq, name, g, perSecond * g.weight()));
            mine.add(irq);
        }
        return mine;
    }

    private static int lowestFree(NavigableSet<Integer> used) {
        int irq = 100;
        while (used.contains(irq)) {
            irq++;
        }
        return irq;
    }

    private static Channel channel(int irq, String name, Guest guest, double perSecond) {
        return new Channel(new EventChannel(irq, name, "xen-dyn", DeviceNames.of(name), CpuSet.empty(), CpuSet.empty(), 0),
                guest, perSecond);
    }

    private static Plan plan(Strategy strategy, List<EventChannel> irqs, CpuSet usable, Plan previous,
            Map<Integer, Long> rates) {
        return Planner.plan(new PlanRequest(strategy, irqs, usable, previous, false, rates));
    }

    private static Map<Integer, Integer> cpus(Plan plan) {
        Map<Integer, Integer> cpus = new HashMap<>();
        for (Placement p : plan.placements()) {
            cpus.put(p.irq(), p.cpu());
        }
        return cpus;
    }

    /** Busiest CPU / max(total / CPUs, largest single IRQ); NaN with no traffic. */
    static double ratio(Map<Integer, Integer> cpuOf, Map<Integer, Long> traffic, CpuSet usable) {
        long[] load = new long[usable.size()];
        long total = 0;
        long largest = 0;
        for (Map.Entry<Integer, Long> e : traffic.entrySet()) {
            load[usable.indexOf(cpuOf.get(e.getKey()))] += e.getValue();
            total += e.getValue();
            largest = Math.max(largest, e.getValue());
        }
        long busiest = 0;
        for (long l : load) {
            busiest = Math.max(busiest, l);
        }
        return total == 0 ? Double.NaN : busiest / Math.max(total / (double) usable.size(), largest);
    }

    private static double lognormal(Random random, double sigma) {
        return Math.exp(sigma * random.nextGaussian() - sigma * sigma / 2);
    }
}
