package org.xenirqpolicy.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.model.Selector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Show where each Xen event-channel IRQ would go, and the load per CPU. Changes nothing.")
final class PlanCommand implements Callable<Integer> {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Planning planning;
    @Mixin
    Options.Output output;
    @Parameters(paramLabel = "IRQ", arity = "0..*", description = "Show only these IRQs: numbers, dom:N (a guest's netback channels) or globs on names, as in EXCLUDE=.")
    List<String> only = List.of();
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Selector> selectors = Options.irqSelectors(only);
        Engine.Planned planned = Engine.plan(root.host(), planning.engineOptions());
        Reports.warnSkipped(planned, spec.commandLine().getErr());
        Reports.noteNoEventChannels(planned, spec.commandLine().getErr());
        IntPredicate irqs = Reports.shown(selectors, planned, spec.commandLine().getErr());
        spec.commandLine().getOut().print(output.format == Options.Format.json
                ? Json.write(Reports.planJson(planned, irqs)) : Reports.planText(planned, irqs));
        return 0;
    }
}
