package org.xenirqpolicy.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * Balance on generated dom0s (k guests x m queues x n CPUs, the same traffic on every queue):
 * spread's busiest CPU against the lower bound max(total / n, largest single IRQ), with the seed
 * rule's figure beside it. Where the queue count does not divide evenly over the CPUs no plan can
 * reach the bound, since tx and rx of a queue share a CPU; there spread must reach the best any
 * plan can, ceil(queues / n) queues on the busiest CPU.
 */
class SpreadQualityTest {
    private static final long TX = 3000;
    private static final long RX = 1000;
    private static final long LIGHT = 20;

    @TempDir
    Path tmp;

    record Grid(String cpus, int guests, int queues) {
    }

    private static final List<Grid> GRID = List.of(
            new Grid("0-3", 2, 2), new Grid("0-3", 4, 2), new Grid("0-3", 8, 4), new Grid("0-3", 3, 4),
            new Grid("0-7", 8, 1), new Grid("0-7", 4, 4), new Grid("0-7", 16, 8), new Grid("0-7", 41, 4),
            new Grid("0-5", 9, 2), new Grid("0-5", 30, 4), new Grid("0,2-5,8", 12, 2), new Grid("0-11", 30, 4),
            new Grid("0-15", 16, 4), new Grid("0-15", 64, 2), new Grid("1-3", 7, 3), new Grid("0-31", 80, 8),
            new Grid("0-3", 5, 1), new Grid("0-7", 3, 2), new Grid("0-5", 4, 5));

    @Test
    void spreadsBusiestCpuIsWithinFivePercentOfTheLowerBound() {
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "%-10s %6s %6s %8s %8s %8s%n", "cpus", "guests", "queues", "spread", "seed", "bound?"));
        int index = 0;
        for (Grid g : GRID) {
            CpuSet cpus = CpuSet.parseList(g.cpus());
            SyntheticDom0 dom0 = new SyntheticDom0(cpus, g.guests(), 1, g.queues(), 1, 4, "xen-dyn-lateeoi",
                    SyntheticDom0.uniformQueues(TX, RX, LIGHT));
            Path root = tmp.resolve("dom0-" + index++);
            dom0.layOut(HostTree.at(root));
            Map<Integer, Long> traffic = dom0.eventChannelTraffic();
            long total = traffic.values().stream().mapToLong(Long::longValue).sum();
            double bound = Math.max(total / (double) cpus.size(), TX);

            Plan spread = Engine.plan(Host.at(root), new Engine.Options(Strategy.SPREAD, false, 0)).plan();
            Plan modulo = Engine.plan(Host.at(root), new Engine.Options(Strategy.MODULO, false, 0)).plan();
            double spreadRatio = busiest(spread, traffic) / bound;
            double seedRatio = busiest(modulo, traffic) / bound;

            int queues = g.guests() * g.queues();
            int bestQueuesOnBusiest = (queues + cpus.size() - 1) / cpus.size();
            boolean boundReachable = bestQueuesOnBusiest * (TX + RX) <= 1.05 * bound;
            report.append(String.format(Locale.ROOT, "%-10s %6d %6d %8.3f %8.3f %8s%n", g.cpus(), g.guests(),
                    g.queues(), spreadRatio, seedRatio, boundReachable ? "yes" : "no"));
            assertEquals(bestQueuesOnBusiest, mostQueuesOnOneCpu(spread), "queues on the busiest CPU for " + g);
            if (boundReachable) {
                assertTrue(spreadRatio <= 1.05, g + ": spread busiest/bound " + spreadRatio);
            }
        }
        System.out.print("busiest CPU / lower bound, uniform traffic per queue\n" + report);
    }

    private static double busiest(Plan plan, Map<Integer, Long> traffic) {
        Map<Integer, Long> load = new HashMap<>();
        plan.placements().forEach(p -> load.merge(p.cpu(), traffic.get(p.irq()), Long::sum));
        return load.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static int mostQueuesOnOneCpu(Plan plan) {
        Map<Integer, Integer> queues = new HashMap<>();
        plan.placements().stream().filter(p -> p.name().endsWith("-tx")).forEach(p -> queues.merge(p.cpu(), 1, Integer::sum));
        return queues.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
