package org.xenirqpolicy.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.model.Selector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show, per CPU, the Xen event-channel IRQs on it and their interrupts, the imbalance, and the IRQs that are not where the plan puts them.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Output output;
    @Option(names = "--sample", paramLabel = "SECONDS",
            description = "Count interrupts over SECONDS (0 to 600) instead of since boot. Default: 0.")
    int sampleSeconds;
    @Parameters(paramLabel = "IRQ", arity = "0..*", description = "Show only these IRQs: numbers, dom:N (a guest's netback channels) or globs on names, as in EXCLUDE=.")
    List<String> only = List.of();
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Selector> selectors = Options.irqSelectors(only);
        Engine.Status status = Engine.status(root.host(), Options.checkedSample(sampleSeconds));
        Reports.warnSkipped(status.planned(), spec.commandLine().getErr());
        Reports.noteNoEventChannels(status.planned(), spec.commandLine().getErr());
        IntPredicate irqs = Reports.shown(selectors, status.planned(), spec.commandLine().getErr());
        spec.commandLine().getOut().print(output.format == Options.Format.json
                ? Json.write(Reports.statusJson(status, irqs)) : Reports.statusText(status, irqs));
        return 0;
    }
}
