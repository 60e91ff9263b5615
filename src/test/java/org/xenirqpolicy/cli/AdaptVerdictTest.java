package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.engine.AdaptiveState;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.plan.AdaptiveMemory;
import org.xenirqpolicy.plan.AdaptiveStep;
import org.xenirqpolicy.read.Settings;

/**
 * The verdict of a balanced adaptive run inside an open moving phase says that the phase stays
 * open (the next run above the aim moves without waiting), and when a phase is open for the next
 * run ({@link Engine#movingPhaseOpen}): the mode on, the last run recent, the count at
 * ADAPTIVE_SAMPLES or more.
 */
class AdaptVerdictTest {
    private static final long NOW = 1_800_000_000L;

    private static AdaptiveState.Run balanced(long at) {
        return new AdaptiveState.Run(at, 3, AdaptiveStep.Why.BALANCED, 1.08, 1.08, List.of());
    }

    @Test
    void aBalancedRunSaysWhenTheMovingPhaseStaysOpen() {
        assertEquals("balanced: busiest CPU / lower bound 1.08, at most ADAPTIVE_THRESHOLD; nothing moved",
                AdaptReports.verdict(balanced(NOW), false, false));
        assertEquals("balanced: busiest CPU / lower bound 1.08, at most ADAPTIVE_THRESHOLD; nothing moved;"
                + " the moving phase stays open: a run above the aim moves without waiting",
                AdaptReports.verdict(balanced(NOW), false, true));
        assertEquals("last adaptive run 2027-01-15T08:00:00Z: balanced: busiest CPU / lower bound 1.08, at most"
                + " ADAPTIVE_THRESHOLD; nothing moved; the moving phase stays open: a run above the aim moves without waiting\n",
                AdaptReports.statusText(balanced(NOW), true));
    }

    @Test
    void aPhaseIsOpenForTheNextRunOnlyWithTheModeOnARecentRunAndTheCountReached() {
        Settings on = Settings.parse("ADAPTIVE=yes\n", Settings.PATH);
        AdaptiveState open = new AdaptiveState(new AdaptiveMemory(2, Map.of()), Optional.of(balanced(NOW)));
        assertEquals(true, Engine.movingPhaseOpen(open, on, NOW + 150));
        // More than two intervals and 30 s later the next run starts afresh.
        assertEquals(false, Engine.movingPhaseOpen(open, on, NOW + 151));
        assertEquals(false, Engine.movingPhaseOpen(open, Settings.parse("ADAPTIVE=no\n", Settings.PATH), NOW + 60));
        assertEquals(false, Engine.movingPhaseOpen(open, Settings.parse("ADAPTIVE=yes\nADAPTIVE_SAMPLES=3\n", Settings.PATH),
                NOW + 60));
        AdaptiveState waiting = new AdaptiveState(new AdaptiveMemory(1, Map.of()), Optional.of(balanced(NOW)));
        assertEquals(false, Engine.movingPhaseOpen(waiting, on, NOW + 60));
        assertEquals(false, Engine.movingPhaseOpen(AdaptiveState.empty(), on, NOW));
    }
}
