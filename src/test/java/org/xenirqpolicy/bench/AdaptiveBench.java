package org.xenirqpolicy.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.xenirqpolicy.bench.AdaptiveSimulation.Mode;
import org.xenirqpolicy.bench.AdaptiveSimulation.Run;
import org.xenirqpolicy.model.AdaptiveLimits;

/**
 * bench/adaptive.sh: runs {@link AdaptiveSimulation} on its four profiles, prints per profile the
 * time-averaged busiest CPU / lower bound of each mode, adaptive's moves per guest per hour and
 * its runs' outcomes, with the goals beside (met or MISSED), then adaptive alone with a lower
 * threshold, then adaptive over other draws of the profiles (mean, worst), and draws
 * target/adaptive.png ({@link AdaptiveChart}).
 */
public final class AdaptiveBench {
    static final double ADAPTIVE_GOAL = 1.10;
    static final double STEADY_MOVES_GOAL = 1.0;
    static final double HOT_SPREAD_EXPECTED = 1.5;
    static final double LOWER_THRESHOLD = 1.15;
    static final int DRAWS = 24;

    private AdaptiveBench() {
    }

    public static void main(String[] args) throws IOException {
        Path chart = Path.of(args.length > 0 ? args[0] : "target/adaptive.png");
        List<Run> runs = AdaptiveSimulation.profiles().stream().map(AdaptiveSimulation::run).toList();
        System.out.print(table(runs));
        // What a lower threshold buys and costs: the same profiles, adaptive alone.
        AdaptiveLimits lower = new AdaptiveLimits(LOWER_THRESHOLD, 2, 4, 900, 0.05);
        System.out.println("adaptive with ADAPTIVE_THRESHOLD=" + fixed(LOWER_THRESHOLD) + ", other limits default:");
        for (AdaptiveSimulation.Profile p : AdaptiveSimulation.profiles()) {
            Run r = AdaptiveSimulation.run(p, lower);
            System.out.println(String.format(Locale.ROOT, "(%s) adaptive %.2f, %.2f moves per guest per hour", p.key(),
                    r.timeAverage(Mode.ADAPTIVE), r.movesPerGuestHour()));
        }
        // Other draws of the same profiles: whether a goal holds beyond the one draw of the table.
        System.out.println("adaptive over draws 0 to " + (DRAWS - 1)
                + " of each profile (draw 0 is the table's), default limits:");
        System.out.print(draws(DRAWS));
        // What dealing starting guests around the last run's rates gave: the churn profile with
        // them dealt by count, as the apply under ADAPTIVE=yes did before.
        System.out.print(churnDealtByCount(DRAWS));
        AdaptiveChart.write(chart, runs.stream().filter(r -> AdaptiveChart.PROFILES.contains(r.profile().key())).toList());
        System.out.println("chart: " + chart + " (busiest / bound over time per mode, profiles "
                + String.join(", ", AdaptiveChart.PROFILES) + ")");
    }

    static String table(List<Run> runs) {
        StringBuilder out = new StringBuilder();
        out.append("time-averaged busiest CPU / lower bound, bound = max(total / CPUs, largest single IRQ);"
                + " interval " + AdaptiveSimulation.STEP_SECONDS + " s, sample window " + AdaptiveSimulation.WINDOW_SECONDS
                + " s (the shipped ADAPTIVE_INTERVAL_MINUTES and SAMPLE_SECONDS), default limits\n");
        out.append(String.format(Locale.ROOT, "%-46s %4s %6s %6s %6s %6s %8s %9s %6s%n", "profile", "CPUs", "guests",
                "seed", "spread", "load", "adaptive", "moves/g/h", "floor"));
        List<String> goals = new ArrayList<>();
        for (Run r : runs) {
            AdaptiveSimulation.Profile p = r.profile();
            out.append(String.format(Locale.ROOT, "%-46s %4d %6d %6.2f %6.2f %6.2f %8.2f %9.2f %6.2f%n",
                    "(" + p.key() + ") " + p.title(), p.cpus(), p.maxGuests(), r.timeAverage(Mode.SEED),
                    r.timeAverage(Mode.SPREAD), r.timeAverage(Mode.LOAD), r.timeAverage(Mode.ADAPTIVE),
                    r.movesPerGuestHour(), r.floorAverage()));
            goals.add(goal("(" + p.key() + ") adaptive <= " + fixed(ADAPTIVE_GOAL), r.timeAverage(Mode.ADAPTIVE),
                    r.timeAverage(Mode.ADAPTIVE) <= ADAPTIVE_GOAL));
            if (p.key().equals(AdaptiveSimulation.STEADY)) {
                goals.add(goal("(" + p.key() + ") moves per guest per hour <= " + fixed(STEADY_MOVES_GOAL),
                        r.movesPerGuestHour(), r.movesPerGuestHour() <= STEADY_MOVES_GOAL));
            }
            if (p.key().equals(AdaptiveSimulation.HOT)) {
                // The expectation is about the state once the guest is hot: its first hour, before, is not.
                double hotPart = hotPartSpread(r);
                goals.add(goal("(" + p.key() + ") spread once >= " + fixed(HOT_SPREAD_EXPECTED) + " once hot (expected)",
                        hotPart, hotPart >= HOT_SPREAD_EXPECTED));
            }
        }
        out.append("seed: IRQ mod CPU count; spread, load: applied at start and for new channels only; adaptive: spread,"
                + " then Adaptive.step every interval; moves/g/h: adaptive's moves (affinity changes) per guest per hour;"
                + " floor: load planned anew every interval on the noise-free rates, moves unlimited; spread once on the hot"
                + " profile once hot: from " + AdaptiveSimulation.HOT_FROM_SECONDS / 3600 + " h on\n");
        out.append("adaptive runs (one per interval) by outcome, and moves:\n");
        for (Run r : runs) {
            out.append(String.format(Locale.ROOT, "(%s) %s; %d moves in %.0f guest-hours%n", r.profile().key(),
                    r.outcomes().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")),
                    r.moves(), r.guestHours()));
        }
        out.append("goals:\n");
        goals.forEach(g -> out.append(g).append('\n'));
        return out.toString();
    }

    /**
     * Per profile, adaptive's mean and worst time average over {@code draws} draws, in how many it
     * meets the goal, and its mean moves per guest per hour.
     */
    static String draws(int draws) {
        StringBuilder out = new StringBuilder();
        // Each draw is seeded: run over the CPUs, the figures are the same as one after another.
        List<List<Run>> byDraw = IntStream.range(0, draws).parallel()
                .mapToObj(d -> AdaptiveSimulation.profiles(d).stream().map(AdaptiveSimulation::run).toList())
                .toList();
        for (int p = 0; p < byDraw.get(0).size(); p++) {
            double sum = 0;
            double worst = 0;
            double moves = 0;
            int met = 0;
            for (List<Run> runs : byDraw) {
                double a = runs.get(p).timeAverage(Mode.ADAPTIVE);
                sum += a;
                worst = Math.max(worst, a);
                moves += runs.get(p).movesPerGuestHour();
                met += a <= ADAPTIVE_GOAL ? 1 : 0;
            }
            out.append(String.format(Locale.ROOT,
                    "(%s) adaptive mean %.3f, worst %.3f, <= %s in %d of %d; %.2f moves per guest per hour%n",
                    byDraw.get(0).get(p).profile().key(), sum / draws, worst, fixed(ADAPTIVE_GOAL), met, draws,
                    moves / draws));
        }
        return out.toString();
    }

    /** The churn profile over {@code draws} draws with new guests dealt by count, against around the last run's rates. */
    static String churnDealtByCount(int draws) {
        double[][] byDraw = IntStream.range(0, draws).parallel().mapToObj(d -> {
            AdaptiveSimulation.Profile churn = AdaptiveSimulation.profiles(d).stream()
                    .filter(p -> p.key().equals(AdaptiveSimulation.CHURN)).findFirst().orElseThrow();
            return new double[] {AdaptiveSimulation.run(churn, AdaptiveLimits.defaults(), false).timeAverage(Mode.ADAPTIVE),
                    AdaptiveSimulation.run(churn, AdaptiveLimits.defaults(), true).timeAverage(Mode.ADAPTIVE)};
        }).toArray(double[][]::new);
        double sum = 0;
        int met = 0;
        int better = 0;
        for (double[] d : byDraw) {
            sum += d[0];
            met += d[0] <= ADAPTIVE_GOAL ? 1 : 0;
            better += d[1] < d[0] ? 1 : 0;
        }
        return String.format(Locale.ROOT, "(churn) with new guests dealt by count instead: adaptive mean %.3f, <= %s in %d of %d;"
                + " dealt around the last run's rates is better in %d of %d%n", sum / draws, fixed(ADAPTIVE_GOAL), met, draws,
                better, draws);
    }

    /** Spread once's time average on the hot-guest profile from the guest turning hot on. */
    static double hotPartSpread(Run hot) {
        return hot.timeAverageFrom(Mode.SPREAD, (int) (AdaptiveSimulation.HOT_FROM_SECONDS / AdaptiveSimulation.STEP_SECONDS));
    }

    private static String goal(String what, double value, boolean met) {
        return String.format(Locale.ROOT, "%-52s %6.3f  %s", what, value, met ? "met" : "MISSED");
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
