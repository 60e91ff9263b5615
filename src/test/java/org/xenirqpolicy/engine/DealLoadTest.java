package org.xenirqpolicy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.classify.DeviceNames;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.AdaptiveMemory;
import org.xenirqpolicy.plan.AdaptiveStep;
import org.xenirqpolicy.read.Settings;
import org.xenirqpolicy.testing.HostTree;

/**
 * Which rates an apply deals a starting guest around ({@link Engine#dealLoad}), read from a state
 * file as the last adaptive run left it: the run's rate lines, for the IRQs that still carry the
 * names they had then, from a run at most two intervals (plus 30 s) old, under spread with
 * ADAPTIVE=yes only. And which estimate the next adaptive run averages its window with
 * ({@link Engine#estimateBefore}): the same lines, from a run as recent, of a window as long.
 */
class DealLoadTest {
    private static final long NOW = 1_800_000_000L;

    @TempDir
    Path tmp;

    private static EventChannel irq(int irq, String name) {
        return new EventChannel(irq, name, "xen-dyn", DeviceNames.of(name), CpuSet.of(0), CpuSet.empty(), 0);
    }

    /** A state whose last run started at {@code started}, with rates for IRQs 100 to 102 (a name with a blank). */
    private Host hostWithRun(long started) {
        Map<Integer, AdaptiveState.Rate> rates = Map.of(100, new AdaptiveState.Rate("vif1.0-q0-tx", 3000),
                101, new AdaptiveState.Rate("vif1.0-q0-rx", 1000), 102, new AdaptiveState.Rate("my disk", 400));
        AdaptiveState state = new AdaptiveState(AdaptiveMemory.empty(), Optional.of(new AdaptiveState.Run(started, 3,
                AdaptiveStep.Why.BALANCED, 1.1, 1.1, List.of(), rates)));
        HostTree tree = HostTree.at(tmp);
        tree.write(AdaptiveState.PATH, state.format());
        assertEquals(Optional.of(state), AdaptiveState.parse(tree.read(AdaptiveState.PATH)), "the state reads back whole");
        return Host.at(tmp);
    }

    private static Settings settings(String text) {
        return Settings.parse(text, "/etc/sysconfig/xen-irq-policy");
    }

    @Test
    void theRatesOfTheChannelsThatKeptTheirNamesOnly() {
        Host host = hostWithRun(NOW - 60);
        // IRQ 101 now belongs to another guest's channel: its old rate is not this channel's.
        List<EventChannel> now = List.of(irq(100, "vif1.0-q0-tx"), irq(101, "vif7.0-q0-rx"), irq(102, "my disk"),
                irq(103, "vif7.0-q0-tx"));
        assertEquals(Map.of(100, 3000L, 102, 400L),
                Engine.dealLoad(host, settings("ADAPTIVE=yes\n"), Strategy.SPREAD, now, NOW));
    }

    @Test
    void noneWithoutTheModeUnderAnotherStrategyOrFromARunTooOldOrInTheFuture() {
        List<EventChannel> now = List.of(irq(100, "vif1.0-q0-tx"));
        Host recent = hostWithRun(NOW - 150);
        assertEquals(Map.of(100, 3000L), Engine.dealLoad(recent, settings("ADAPTIVE=yes\n"), Strategy.SPREAD, now, NOW));
        assertEquals(Map.of(), Engine.dealLoad(recent, settings("ADAPTIVE=no\n"), Strategy.SPREAD, now, NOW));
        assertEquals(Map.of(), Engine.dealLoad(recent, settings("ADAPTIVE=yes\n"), Strategy.LOAD, now, NOW));
        // Two intervals of the setting (5 minutes here) and 30 s.
        assertEquals(Map.of(100, 3000L), Engine.dealLoad(recent,
                settings("ADAPTIVE=yes\nADAPTIVE_INTERVAL_MINUTES=5\n"), Strategy.SPREAD, now, NOW + 480));
        assertEquals(Map.of(), Engine.dealLoad(recent, settings("ADAPTIVE=yes\nADAPTIVE_INTERVAL_MINUTES=5\n"),
                Strategy.SPREAD, now, NOW + 481));
        assertEquals(Map.of(), Engine.dealLoad(hostWithRun(NOW - 151), settings("ADAPTIVE=yes\n"), Strategy.SPREAD, now, NOW));
        assertEquals(Map.of(), Engine.dealLoad(hostWithRun(NOW + 1), settings("ADAPTIVE=yes\n"), Strategy.SPREAD, now, NOW));
    }

    @Test
    void theNextRunAveragesWithTheLastRunsEstimateOnlyIfRecentAndOfAWindowAsLong() {
        Host host = hostWithRun(NOW - 60);
        AdaptiveState state = AdaptiveState.load(host);
        List<EventChannel> now = List.of(irq(100, "vif1.0-q0-tx"), irq(101, "vif7.0-q0-rx"), irq(102, "my disk"));
        Settings on = settings("ADAPTIVE=yes\n");
        // The run's window was 3 s: the same window, the names kept (101 is another channel now).
        assertEquals(Map.of(100, 3000L, 102, 400L), Engine.estimateBefore(state, on, 3, now, NOW));
        // Another window's counts are not in the same units; counts since boot are no window at all.
        assertEquals(Map.of(), Engine.estimateBefore(state, on, 5, now, NOW));
        assertEquals(Map.of(), Engine.estimateBefore(state, on, 0, now, NOW));
        // Two intervals and 30 s old at most (1-minute interval: 150 s), and not from the future.
        assertEquals(Map.of(100, 3000L, 102, 400L), Engine.estimateBefore(state, on, 3, now, NOW - 60 + 150));
        assertEquals(Map.of(), Engine.estimateBefore(state, on, 3, now, NOW - 60 + 151));
        assertEquals(Map.of(), Engine.estimateBefore(state, on, 3, now, NOW - 61));
        assertEquals(Map.of(100, 3000L, 102, 400L),
                Engine.estimateBefore(state, settings("ADAPTIVE=yes\nADAPTIVE_INTERVAL_MINUTES=5\n"), 3, now, NOW - 60 + 630));
        assertEquals(Map.of(), Engine.estimateBefore(AdaptiveState.empty(), on, 3, now, NOW));
    }
}
