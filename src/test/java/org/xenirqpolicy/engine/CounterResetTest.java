package org.xenirqpolicy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.read.InterruptsTable;
import org.xenirqpolicy.read.ProcInterrupts;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/**
 * A counter of /proc/interrupts lower than at the read before (the IRQ's descriptor freed and
 * its number requested again) counts as new from 0, by one rule ({@link InterruptsTable#growth})
 * in each place that subtracts two reads: the load strategy's weights, status's per-CPU figures
 * and the rates of status --watch. Each is checked on the sample dom0, where IRQ 241 took 258
 * interrupts on CPU 0 and 158517 on CPU 1, against an earlier read where CPU 1 had counted
 * 200000: every one of its interrupts now is new, none is negative, none is dropped.
 */
class CounterResetTest {
    @TempDir
    Path tmp;

    /** The sample's /proc/interrupts with IRQ 241's CPU 1 count replaced. */
    private static String withIrq241OnCpu1(String procInterrupts, long count) {
        String changed = procInterrupts.replaceFirst("(?m)^241:        258     158517 ",
                "241:        258 " + String.format("%10d", count) + " ");
        assertNotEquals(procInterrupts, changed, "the sample's IRQ 241 line is not as this test expects");
        return changed;
    }

    @Test
    void theRuleCountsGrowthAndAllOfACounterThatWentDown() {
        assertEquals(5, InterruptsTable.growth(15, 10));
        assertEquals(0, InterruptsTable.growth(10, 10));
        assertEquals(7, InterruptsTable.growth(7, 10));
        assertEquals(7, InterruptsTable.growth(7, 0));
    }

    @Test
    void sampledWeightsCountAllOfAnIrqWhoseTotalWentDown() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        String now = HostTree.at(root).read("/proc/interrupts");
        InterruptsTable after = ProcInterrupts.parse(now);
        InterruptsTable before = ProcInterrupts.parse(withIrq241OnCpu1(now, 200000));
        Map<Integer, Long> weights = Engine.weights(before, after, true);
        assertEquals(258 + 158517, weights.get(241));
        assertEquals(0, weights.get(245));
        // Since boot (no sample), the totals as they are.
        assertEquals(258 + 158517, Engine.weights(before, after, false).get(241));
        assertEquals(133 + 378112, Engine.weights(before, after, false).get(245));
    }

    @Test
    void sampledStatusCountsAllOfAPerCpuCountThatWentDown() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Engine.Planned sinceBoot = Engine.plan(Host.at(root), new Engine.Options(null, false, 0));
        String now = HostTree.at(root).read("/proc/interrupts");
        InterruptsTable baseline = ProcInterrupts.parse(withIrq241OnCpu1(now, 200000));
        Engine.Planned sampled = new Engine.Planned(sinceBoot.snapshot(), sinceBoot.irqs(), sinceBoot.plan(),
                sinceBoot.weights(), 1, baseline, sinceBoot.previous(), sinceBoot.excluded());
        Status status = Status.of(sampled);
        // CPU 1: IRQ 241's 158517, all new; IRQ 245 did not grow (378112 both times).
        assertEquals(158517, interruptsOn(status, 1));
        assertEquals(0, interruptsOn(status, 0));
        assertEquals(0, interruptsOn(status, 3));
    }

    @Test
    void watchRatesCountAllOfACountThatWentDownBetweenRefreshes() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree tree = HostTree.at(root);
        String first = tree.read("/proc/interrupts");
        Host host = Host.at(root);
        Watch watch = Watch.start(host);
        tree.write("/proc/interrupts", withIrq241OnCpu1(first, 1000));
        Watch.Frame frame = watch.next(host);
        Watch.CpuRate cpu1 = frame.cpus().stream().filter(c -> c.cpu() == 1).findFirst().orElseThrow();
        assertEquals(1000, Math.round(cpu1.perSecond() * frame.seconds()));
        Watch.CpuRate cpu0 = frame.cpus().stream().filter(c -> c.cpu() == 0).findFirst().orElseThrow();
        assertEquals(0, Math.round(cpu0.perSecond() * frame.seconds()));
    }

    private static long interruptsOn(Status status, int cpu) {
        return status.cpus().stream().filter(c -> c.cpu() == cpu).findFirst().orElseThrow().interrupts();
    }
}
