package org.xenirqpolicy.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.classify.DeviceNames;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;

class PlannerTest {
    private static EventChannel irq(int irq, String name) {
        return new EventChannel(irq, name, "xen-dyn", DeviceNames.of(name), CpuSet.parseList("0-3"), CpuSet.empty(), 0);
    }

    /** Guests 1..k, each with xenstored and xenconsoled channels, m queues (tx, rx) and a disk. */
    private static List<EventChannel> guests(int first, int k, int m) {
        List<EventChannel> irqs = new ArrayList<>();
        int n = first;
        for (int d = 1; d <= k; d++) {
            irqs.add(irq(n++, "evtchn:xenstored"));
            irqs.add(irq(n++, "evtchn:xenconsoled"));
            for (int q = 0; q < m; q++) {
                irqs.add(irq(n++, "vif" + d + ".0-q" + q + "-tx"));
                irqs.add(irq(n++, "vif" + d + ".0-q" + q + "-rx"));
            }
            irqs.add(irq(n++, "blkif-backend"));
        }
        return irqs;
    }

    private static Plan plan(Strategy s, List<EventChannel> irqs, String usable, Plan previous) {
        return Planner.plan(new PlanRequest(s, irqs, CpuSet.parseList(usable), previous, false, Map.of()));
    }

    private static Map<String, Integer> cpuByName(Plan plan) {
        Map<String, Integer> out = new HashMap<>();
        plan.placements().forEach(p -> out.put(p.irq() + " " + p.name(), p.cpu()));
        return out;
    }

    @Test
    void moduloPicksAPositionInTheUsableListNotACpuId() {
        List<EventChannel> irqs = List.of(irq(241, "a"), irq(242, "b"), irq(243, "c"), irq(244, "d"));
        assertEquals(List.of(1, 2, 3, 0), plan(Strategy.MODULO, irqs, "0-3", null).placements().stream().map(Placement::cpu).toList());
        // Usable CPUs 0,3: position IRQ mod 2.
        assertEquals(List.of(3, 0, 3, 0), plan(Strategy.MODULO, irqs, "0,3", null).placements().stream().map(Placement::cpu).toList());
        assertEquals(List.of(5, 6, 4, 5), plan(Strategy.MODULO, irqs, "4-6", null).placements().stream().map(Placement::cpu).toList());
    }

    @Test
    void spreadPutsQueuesOfOneInterfaceOnDistinctCpusAndTxWithRx() {
        List<EventChannel> irqs = guests(100, 3, 4);
        Plan plan = plan(Strategy.SPREAD, irqs, "0-3", null);
        Map<String, Integer> cpu = cpuByName(plan);
        for (int d = 1; d <= 3; d++) {
            Set<Integer> used = new HashSet<>();
            for (EventChannel e : irqs) {
                if (e.name().startsWith("vif" + d + ".0-q") && e.name().endsWith("-tx")) {
                    used.add(cpu.get(e.irq() + " " + e.name()));
                    int rx = e.irq() + 1;
                    assertEquals(cpu.get(e.irq() + " " + e.name()), cpu.get(rx + " " + e.name().replace("-tx", "-rx")));
                }
            }
            assertEquals(4, used.size(), "guest " + d + " queues on distinct CPUs");
        }
        int[] perCpu = new int[4];
        plan.placements().forEach(p -> perCpu[p.cpu()]++);
        // 24 queue IRQs and 9 light ones over 4 CPUs: IRQ counts differ by at most one.
        assertEquals(1, Arrays.stream(perCpu).max().getAsInt() - Arrays.stream(perCpu).min().getAsInt());
    }

    @Test
    void spreadDealsGuestsOnWhereThePreviousOneStopped() {
        // 2 guests x 2 queues on 4 CPUs: all four queues on four CPUs, not both guests on CPUs 0-1.
        Plan plan = plan(Strategy.SPREAD, guests(10, 2, 2), "0-3", null);
        Set<Integer> queueCpus = new HashSet<>();
        plan.placements().stream().filter(p -> p.name().endsWith("-tx")).forEach(p -> queueCpus.add(p.cpu()));
        assertEquals(Set.of(0, 1, 2, 3), queueCpus);
    }

    @Test
    void spreadKeepsPlacementsWhenAGuestStartsAndRebalanceResets() {
        List<EventChannel> before = guests(100, 3, 2);
        Plan first = plan(Strategy.SPREAD, before, "0-5", null);
        // Disturb the plan so that keeping differs from planning anew.
        List<Placement> moved = new ArrayList<>(first.placements());
        Placement p0 = moved.get(2);
        moved.set(2, new Placement(p0.irq(), 5, p0.name()));
        moved.set(3, new Placement(moved.get(3).irq(), 5, moved.get(3).name()));
        Plan applied = new Plan(Strategy.SPREAD, first.usable(), moved);

        List<EventChannel> after = new ArrayList<>(before);
        after.addAll(guests(200, 1, 2).stream().map(e -> irq(e.irq(), e.name().replace("vif1.", "vif9."))).toList());
        Plan next = plan(Strategy.SPREAD, after, "0-5", applied);
        Map<Integer, Placement> nextByIrq = next.byIrq();
        for (Placement p : applied.placements()) {
            assertEquals(p.cpu(), nextByIrq.get(p.irq()).cpu(), "kept " + p);
        }
        Plan rebalanced = Planner.plan(new PlanRequest(Strategy.SPREAD, after, CpuSet.parseList("0-5"), applied, true, Map.of()));
        assertNotEquals(5, rebalanced.byIrq().get(p0.irq()).cpu());
    }

    @Test
    void spreadGivenTheRatesOfTheIrqsThatStayDealsANewGuestOntoTheLeastLoadedCpus() {
        // Guest 1's four queues kept one per CPU, with the traffic of its last sample: CPU 0
        // carries 10,000, CPU 1 400, CPU 2 8,000, CPU 3 2,000 interrupts; its light channels too.
        List<EventChannel> running = guests(100, 1, 4);
        long[] tx = {8000, 300, 6000, 1500};
        long[] rx = {2000, 100, 2000, 500};
        List<Placement> kept = new ArrayList<>();
        Map<Integer, Long> rates = new HashMap<>();
        for (EventChannel e : running) {
            int cpu = e.name().startsWith("vif") ? e.name().charAt(e.name().indexOf("-q") + 2) - '0' : 0;
            kept.add(new Placement(e.irq(), cpu, e.name()));
            rates.put(e.irq(), e.name().endsWith("-tx") ? tx[cpu] : e.name().endsWith("-rx") ? rx[cpu] : 100);
        }
        Plan applied = new Plan(Strategy.SPREAD, CpuSet.parseList("0-3"), kept);
        List<EventChannel> after = new ArrayList<>(running);
        after.addAll(guests(200, 1, 2).stream().map(e -> irq(e.irq(), e.name().replace("vif1.", "vif2."))).toList());

        Map<String, Integer> byLoad = cpuByName(Planner.plan(new PlanRequest(Strategy.SPREAD, after,
                CpuSet.parseList("0-3"), applied, false, rates)));
        // Queue 0 to the least loaded CPU (1); queue 1, to a CPU without another queue of vif2.0,
        // to the least loaded of those once queue 0 counts there at the mean queue channel's
        // rate (2 x 2,550 on CPU 1 makes 5,500): CPU 3 (2,000). Each queue's tx with its rx.
        assertEquals(1, byLoad.get("202 vif2.0-q0-tx"));
        assertEquals(1, byLoad.get("203 vif2.0-q0-rx"));
        assertEquals(3, byLoad.get("204 vif2.0-q1-tx"));
        assertEquals(3, byLoad.get("205 vif2.0-q1-rx"));
        // The light ones to the least loaded CPU then, each counted at the light mean (100):
        // CPU 1 at 5,500 still leads CPU 3 at 7,100.
        assertEquals(1, byLoad.get("200 evtchn:xenstored"));
        assertEquals(1, byLoad.get("206 blkif-backend"));
        for (Placement p : applied.placements()) {
            assertEquals(p.cpu(), byLoad.get(p.irq() + " " + p.name()), "kept " + p);
        }

        // Without rates, by count as always: every CPU holds one queue, so the deal starts at CPU 0.
        Map<String, Integer> byCount = cpuByName(plan(Strategy.SPREAD, after, "0-3", applied));
        assertEquals(0, byCount.get("202 vif2.0-q0-tx"));
        assertEquals(1, byCount.get("204 vif2.0-q1-tx"));
    }

    @Test
    void spreadGivenOnlyAnExcludedChannelsRateCountsNewQueuesAtItsRateNotAtNothing() {
        // Nothing stays but an excluded disk pinned on CPU 0 with 1,000 interrupts: no queue
        // channel has a rate, so each new one counts at the mean of what stays (1,000), and CPU 0
        // gets its share of the twelve new queues, not none (counted at 0, every queue would go
        // to a CPU without traffic).
        Exclusions excluded = new Exclusions(List.of(new Selector.Irq(9)));
        EventChannel pinnedOn0 = new EventChannel(9, "blkif-backend", "xen-dyn", DeviceNames.of("blkif-backend"),
                CpuSet.of(0), CpuSet.empty(), 0);
        List<EventChannel> queues = guests(100, 12, 1).stream().filter(e -> e.name().startsWith("vif")).toList();
        Plan plan = Planner.plan(new PlanRequest(Strategy.SPREAD, queues, CpuSet.parseList("0-3"), null, false,
                Map.of(9, 1000L), excluded, List.of(pinnedOn0)));
        int[] perCpu = new int[4];
        plan.placements().forEach(p -> perCpu[p.cpu()]++);
        // 12 queues of 2,000 each and 1,000 on CPU 0: each CPU gets 3 (CPU 0 last in each round),
        // where queues counted at 0 would have left CPU 0 none and the others 4 each.
        assertArrayEquals(new int[] {6, 6, 6, 6}, perCpu);
    }

    @Test
    void aReusedIrqNumberOrAnUnusableCpuIsNotKept() {
        List<EventChannel> irqs = List.of(irq(50, "vif1.0-q0-tx"), irq(51, "vif1.0-q0-rx"), irq(52, "xenbus"));
        Plan applied = new Plan(Strategy.SPREAD, CpuSet.parseList("0-3"), List.of(
                new Placement(50, 3, "vif1.0-q0-tx"), new Placement(51, 3, "vif1.0-q0-rx"), new Placement(52, 3, "vif7.0-q0-tx")));
        Map<Integer, Placement> kept = plan(Strategy.SPREAD, irqs, "0-3", applied).byIrq();
        assertEquals(3, kept.get(50).cpu());
        assertEquals(3, kept.get(51).cpu());
        assertEquals(0, kept.get(52).cpu(), "IRQ 52 now belongs to another device: placed anew");
        Map<Integer, Placement> shrunk = plan(Strategy.SPREAD, irqs, "0-2", applied).byIrq();
        assertNotEquals(3, shrunk.get(50).cpu());
        Map<Integer, Placement> otherStrategy = plan(Strategy.MODULO, irqs, "0-3", applied).byIrq();
        assertEquals(2, otherStrategy.get(50).cpu());
    }

    @Test
    void loadPlacesTheBusiestFirstOntoTheLeastLoaded() {
        List<EventChannel> irqs = List.of(irq(1, "a"), irq(2, "b"), irq(3, "c"), irq(4, "d"), irq(5, "e"));
        Map<Integer, Long> rates = Map.of(1, 50L, 2, 40L, 3, 30L, 4, 20L, 5, 10L);
        Plan plan = Planner.plan(new PlanRequest(Strategy.LOAD, irqs, CpuSet.parseList("2,7"), null, false, rates));
        // LPT: 50 -> 2, 40 -> 7, 30 -> 7 (70), 20 -> 2 (70), 10 -> 2 (80); 80 vs 70.
        assertEquals(List.of(2, 7, 7, 2, 2), plan.placements().stream().map(Placement::cpu).toList());
    }

    /**
     * An excluded IRQ is not placed, but where it sits alone on a usable CPU it loads that CPU:
     * a busy one pinned by hand on CPU 7 keeps the busiest placed IRQ off 7 (load), and a light
     * one on CPU 2 makes spread put the next light channel elsewhere. One not bound to a single
     * CPU counts nowhere.
     */
    @Test
    void anExcludedIrqLoadsTheCpuItIsPinnedTo() {
        List<EventChannel> irqs = List.of(irq(1, "a"), irq(2, "b"));
        Map<Integer, Long> rates = Map.of(1, 50L, 2, 40L, 9, 100L);
        Plan free = Planner.plan(new PlanRequest(Strategy.LOAD, irqs, CpuSet.parseList("2,7"), null, false, rates));
        assertEquals(List.of(2, 7), free.placements().stream().map(Placement::cpu).toList());
        Exclusions excluded = new Exclusions(List.of(new Selector.Irq(9)));
        EventChannel pinnedOn2 = new EventChannel(9, "x", "xen-dyn", DeviceNames.of("x"), CpuSet.of(2), CpuSet.empty(), 0);
        Plan loaded = Planner.plan(new PlanRequest(Strategy.LOAD, irqs, CpuSet.parseList("2,7"), null, false, rates, excluded,
                List.of(pinnedOn2)));
        // 100 on CPU 2 already: 50 -> 7, 40 -> 7 (90 < 100).
        assertEquals(List.of(7, 7), loaded.placements().stream().map(Placement::cpu).toList());
        assertEquals(excluded, loaded.excluded());

        Plan spread = Planner.plan(new PlanRequest(Strategy.SPREAD, List.of(irq(1, "xenbus")), CpuSet.parseList("2,7"), null,
                false, Map.of(), excluded, List.of(pinnedOn2)));
        assertEquals(7, spread.placements().get(0).cpu());
        EventChannel unbound = new EventChannel(9, "x", "xen-dyn", DeviceNames.of("x"), CpuSet.parseList("2,7"), CpuSet.empty(), 0);
        Plan ignored = Planner.plan(new PlanRequest(Strategy.SPREAD, List.of(irq(1, "xenbus")), CpuSet.parseList("2,7"), null,
                false, Map.of(), excluded, List.of(unbound)));
        assertEquals(2, ignored.placements().get(0).cpu());
    }

    @Test
    void theSameRequestGivesTheSamePlan() {
        List<EventChannel> irqs = guests(30, 7, 3);
        for (Strategy s : Strategy.values()) {
            assertEquals(plan(s, irqs, "0,2,5-9", null), plan(s, new ArrayList<>(irqs), "0,2,5-9", null));
        }
    }

    private static CpuSet usable(CpuSet online, CpuSet bannedForIrqbalance, CpuSet isolated, CpuSet nohzFull,
            boolean excludeIsolated, CpuSet restrictTo) {
        return UsableCpus.of(new UsableCpus.Inputs(online, bannedForIrqbalance, isolated, nohzFull, excludeIsolated,
                restrictTo));
    }

    @Test
    void usableCpusDropBannedAndIsolatedAndHonourCpus() {
        CpuSet online = CpuSet.parseList("0,2-3");
        assertEquals("0,3", usable(online, CpuSet.of(2), CpuSet.empty(), CpuSet.empty(), true, CpuSet.empty()).toList());
        assertEquals("0", usable(online, CpuSet.of(2), CpuSet.of(3), CpuSet.empty(), true, CpuSet.empty()).toList());
        assertEquals("0,3", usable(online, CpuSet.of(2), CpuSet.of(3), CpuSet.empty(), false, CpuSet.empty()).toList());
        assertEquals("3", usable(online, CpuSet.empty(), CpuSet.empty(), CpuSet.empty(), true, CpuSet.parseList("1,3")).toList());
        InputException e = assertThrows(InputException.class,
                () -> usable(online, CpuSet.parseList("0-3"), CpuSet.empty(), CpuSet.empty(), true, CpuSet.empty()));
        assertEquals("no CPU left for event channels: online 0,2-3, banned for irqbalance 0-3, isolated none", e.getMessage());
    }

    @Test
    void usableCpusDropTicklessOnesWithTheIsolatedOnes() {
        CpuSet online = CpuSet.parseList("0-7");
        assertEquals("0-1,4-5", usable(online, CpuSet.empty(), CpuSet.of(2, 3), CpuSet.parseList("6-7"), true,
                CpuSet.empty()).toList());
        assertEquals("0-7", usable(online, CpuSet.empty(), CpuSet.of(2, 3), CpuSet.parseList("6-7"), false,
                CpuSet.empty()).toList());
        InputException e = assertThrows(InputException.class, () -> usable(online, CpuSet.parseList("0-3"),
                CpuSet.empty(), CpuSet.parseList("4-7"), true, CpuSet.empty()));
        assertEquals("no CPU left for event channels: online 0-7, banned for irqbalance 0-3, isolated none, nohz_full 4-7",
                e.getMessage());
    }
}
