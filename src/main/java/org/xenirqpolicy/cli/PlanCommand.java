package org.xenirqpolicy.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.xenirqpolicy.engine.Engine;
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
    @Parameters(paramLabel = "IRQ", arity = "0..*", description = "Show only these IRQs.")
    List<String> only = List.of();
    private Log log;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() {
        List<Integer> irqs = Options.irqNumbers(only);
        Engine.Planned planned = Engine.plan(root.host(), planning.engineOptions());
        Reports.warnSkipped(planned, log);
        Reports.noteNoEventChannels(planned, log);
        boolean json = output.format == Options.Format.json;
        log.report(json
                ? Json.write(Reports.planJson(planned, irqs)) : Reports.planText(planned, irqs), json);
        return 0;
    }
}
