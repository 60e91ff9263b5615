package org.xenirqpolicy.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.bench.AdaptiveSimulation.Mode;
import org.xenirqpolicy.bench.AdaptiveSimulation.Run;

/**
 * The goals bench/adaptive.sh reports as met stay met: on steady traffic adaptive keeps busiest /
 * bound <= 1.10 with <= 1 move per guest per hour, on the hot guest <= 1.10 where spread once
 * is >= 1.5 once the guest is hot, and <= 1.10 with guests starting and stopping. On the daily
 * swing, where the goal of 1.10 is missed by a hair at the shipped interval, adaptive does better
 * than every placement made once. The simulation is deterministic, so a change to Adaptive or to
 * the defaults that loses them fails here.
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
        // Met at the shipped interval of 1 minute; at the former 5 minutes adaptive averaged 1.16
        // here, its 4 moves per run too few for the guests coming and going (README).
        Run churn = AdaptiveSimulation.run(AdaptiveSimulation.startStop());
        assertTrue(churn.timeAverage(Mode.ADAPTIVE) <= AdaptiveBench.ADAPTIVE_GOAL, figures(churn));
        // Load once places a new guest's channels on a sample that includes them, as the apply
        // a hook's request starts samples under STRATEGY=load: by rate, so better than by count.
        assertTrue(churn.timeAverage(Mode.LOAD) < churn.timeAverage(Mode.SPREAD), "load once "
                + churn.timeAverage(Mode.LOAD) + ": " + figures(churn));
    }

    @Test
    void aDailySwingIsFollowed() {
        Run daily = AdaptiveSimulation.run(AdaptiveSimulation.dailySwing());
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
