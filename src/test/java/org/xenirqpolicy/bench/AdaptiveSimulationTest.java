package org.xenirqpolicy.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.bench.AdaptiveSimulation.Mode;
import org.xenirqpolicy.bench.AdaptiveSimulation.Run;
import org.xenirqpolicy.model.AdaptiveLimits;

/**
 * The goals bench/adaptive.sh reports as met stay met: on steady traffic adaptive keeps busiest /
 * bound <= 1.10 with <= 1 move per guest per hour, on the hot guest <= 1.10 where spread once
 * is >= 1.5 once the guest is hot, and <= 1.10 with guests starting and stopping and on the daily
 * swing, where adaptive also does better than every placement made once. The simulation is
 * deterministic, so a change to Adaptive or to the defaults that loses them fails here. (Churn
 * and the daily swing meet the goal in about half the other draws: README.)
 */
class AdaptiveSimulationTest {
    private static String figures(Run r) {
        return String.format(Locale.ROOT, "(%s) adaptive %.3f, spread once %.3f, %.3f moves per guest per hour",
                r.profile().key(), r.timeAverage(Mode.ADAPTIVE), r.timeAverage(Mode.SPREAD), r.movesPerGuestHour());
    }

    @Test
    void steadyTrafficIsBalancedWithLittleChurn() {
        Run steady = AdaptiveSimulation.run(AdaptiveSimulation.steady());
        assertTrue(steady.timeAverage(Mode.ADAPTIVE) <= AdaptiveBench.ADAPTIVE_GOAL, figures(steady));
        assertTrue(steady.movesPerGuestHour() <= AdaptiveBench.STEADY_MOVES_GOAL, figures(steady));
        assertTrue(steady.timeAverage(Mode.ADAPTIVE) < steady.timeAverage(Mode.SPREAD), figures(steady));
    }

    @Test
    void aHotGuestIsFollowed() {
        Run hot = AdaptiveSimulation.run(AdaptiveSimulation.hotGuest());
        assertTrue(hot.timeAverage(Mode.ADAPTIVE) <= AdaptiveBench.ADAPTIVE_GOAL, figures(hot));
        assertTrue(hot.timeAverage(Mode.SPREAD) >= 1.4, figures(hot));
        assertTrue(AdaptiveBench.hotPartSpread(hot) >= AdaptiveBench.HOT_SPREAD_EXPECTED, figures(hot));
    }

    @Test
    void guestsStartingAndStoppingAreFollowed() {
        // Met on the table's draw (README: 12 of 24 draws, mean 1.099): kept met there.
        Run churn = AdaptiveSimulation.run(AdaptiveSimulation.startStop());
        assertTrue(churn.timeAverage(Mode.ADAPTIVE) <= AdaptiveBench.ADAPTIVE_GOAL, figures(churn));
        for (Mode once : List.of(Mode.SEED, Mode.SPREAD, Mode.LOAD)) {
            assertTrue(churn.timeAverage(Mode.ADAPTIVE) < churn.timeAverage(once), once + ": " + figures(churn));
        }
        // Load once places a new guest's channels on a sample that includes them, as the apply
        // a hook's request starts samples under STRATEGY=load: by rate, so better than by count.
        assertTrue(churn.timeAverage(Mode.LOAD) < churn.timeAverage(Mode.SPREAD), "load once "
                + churn.timeAverage(Mode.LOAD) + ": " + figures(churn));
    }

    @Test
    void dealingStartingGuestsAroundTheLastRunsRatesBeatsDealingThemByCount() {
        // Over draws, not on one: a new guest's own traffic is unknown when it is dealt, so on
        // some draws the count's deal happens to be luckier (README: better in 22 of 24 draws).
        double[] deal = new double[2];
        for (long draw = 0; draw < 6; draw++) {
            AdaptiveSimulation.Profile churn = AdaptiveSimulation.profiles(draw).get(2);
            deal[0] += AdaptiveSimulation.run(churn, AdaptiveLimits.defaults(), true).timeAverage(Mode.ADAPTIVE) / 6;
            deal[1] += AdaptiveSimulation.run(churn, AdaptiveLimits.defaults(), false).timeAverage(Mode.ADAPTIVE) / 6;
        }
        assertTrue(deal[0] < deal[1] - 0.005, "around the last run's rates " + deal[0] + ", by count " + deal[1]);
    }

    @Test
    void aDailySwingIsFollowed() {
        Run daily = AdaptiveSimulation.run(AdaptiveSimulation.dailySwing());
        // Met on the table's draw (README: 11 of 24 draws, mean 1.100): kept met there.
        assertTrue(daily.timeAverage(Mode.ADAPTIVE) <= AdaptiveBench.ADAPTIVE_GOAL, figures(daily));
        for (Mode once : List.of(Mode.SEED, Mode.SPREAD, Mode.LOAD)) {
            assertTrue(daily.timeAverage(Mode.ADAPTIVE) < daily.timeAverage(once), once + ": " + figures(daily));
        }
    }

    @Test
    void theSameProfileRunsTheSameTwice() {
        Run a = AdaptiveSimulation.run(AdaptiveSimulation.hotGuest());
        Run b = AdaptiveSimulation.run(AdaptiveSimulation.hotGuest());
        assertArrayEquals(a.ratios().get(Mode.ADAPTIVE), b.ratios().get(Mode.ADAPTIVE));
        assertArrayEquals(a.movesPerInterval(), b.movesPerInterval());
    }
}
