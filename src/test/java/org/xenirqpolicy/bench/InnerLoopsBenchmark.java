package org.xenirqpolicy.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.xenirqpolicy.classify.DeviceNames;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.plan.PlanRequest;
import org.xenirqpolicy.plan.Planner;
import org.xenirqpolicy.read.InterruptsTable;
import org.xenirqpolicy.read.ProcInterrupts;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * bench/jmh.sh: the engine's inner loops at 5,000 IRQs, the size of the apply target, without
 * the JVM start-up and file I/O that bench/engine.sh includes. Run by JMH only, never as a test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InnerLoopsBenchmark {
    private static final CpuSet CPUS = CpuSet.parseList("0-7");

    private String procInterrupts;
    private PlanRequest spread;
    private PlanRequest load;

    @Setup
    public void generate() {
        // /proc/interrupts of a 5,000-IRQ dom0, 80% xen-dyn, as bench/engine.sh generates it.
        procInterrupts = EngineBench.dom0Of(5000).procInterrupts();
        // 5,000 event channels: the 4 global ones and 417 guests of 12, less the last guest's last 8.
        SyntheticDom0 channels = new SyntheticDom0(CPUS, 417, 1, 4, 2, 0, "xen-dyn",
                SyntheticDom0.uniformQueues(3000, 1000, 20));
        List<EventChannel> irqs = new ArrayList<>();
        Map<Integer, Long> rates = new HashMap<>();
        for (SyntheticDom0.Irq irq : channels.irqs()) {
            if (irq.chip().equals("xen-dyn") && irqs.size() < 5000) {
                irqs.add(new EventChannel(irq.irq(), irq.name(), irq.chip(), DeviceNames.of(irq.name()), CPUS,
                        CpuSet.empty(), irq.total()));
                rates.put(irq.irq(), irq.total());
            }
        }
        if (irqs.size() != 5000) {
            throw new IllegalStateException(irqs.size() + " event channels, not 5000");
        }
        spread = new PlanRequest(Strategy.SPREAD, List.copyOf(irqs), CPUS, null, false, rates);
        load = new PlanRequest(Strategy.LOAD, List.copyOf(irqs), CPUS, null, false, rates);
    }

    @Benchmark
    public InterruptsTable parseProcInterrupts5000() {
        return ProcInterrupts.parse(procInterrupts);
    }

    @Benchmark
    public Plan planSpread5000() {
        return Planner.plan(spread);
    }

    @Benchmark
    public Plan planLoad5000() {
        return Planner.plan(load);
    }
}
