package org.xenirqpolicy.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.model.Selector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Show where each Xen event-channel IRQ would go, and the load per CPU. Changes nothing.")
final class PlanCommand implements Callable<Integer>, Log.User {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Planning planning;
    @Mixin
    Options.Output output;
    @Parameters(paramLabel = "IRQ", arity = "0..*", description = "Show only these IRQs: numbers, dom:N (a guest's netback channels) or globs on names, as in EXCLUDE=.")
    List<String> only = List.of();
    private Log log;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() {
        List<Selector> selectors = Options.irqSelectors(only);
        Engine.Planned planned = Engine.plan(root.host(), planning.engineOptions());
        Reports.warnSkipped(planned, log);
        Reports.noteNoEventChannels(planned, log);
        IntPredicate irqs = Reports.shown(selectors, planned, log);
        boolean json = output.format == Options.Format.json;
        log.report(json
                ? Json.write(Reports.planJson(planned, irqs)) : Reports.planText(planned, irqs), json);
        return 0;
    }
}
