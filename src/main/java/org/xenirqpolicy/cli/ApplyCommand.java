package org.xenirqpolicy.cli;

import java.util.concurrent.Callable;
import org.xenirqpolicy.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Write each planned CPU to /proc/irq/IRQ/smp_affinity_list where it differs, read it back, and save the plan in /run/xen-irq-policy/plan for the irqbalance hook.")
final class ApplyCommand implements Callable<Integer> {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Planning planning;
    @Option(names = "--dry-run", description = "Show what would change; write nothing.")
    boolean dryRun;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Engine.Applied applied = Engine.apply(dryRun ? root.host() : root.hostToChange("apply", "/proc/irq and " + Engine.RUN_DIR),
                planning.engineOptions(), dryRun);
        Reports.warnSkipped(applied.planned(), spec.commandLine().getErr());
        Reports.noteNoEventChannels(applied.planned(), spec.commandLine().getErr());
        return Reports.applyText(applied, spec.commandLine().getOut(), spec.commandLine().getErr())
                ? Main.PARTIAL_FAILURE : 0;
    }
}
