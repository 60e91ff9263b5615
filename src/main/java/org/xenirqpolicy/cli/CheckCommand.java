package org.xenirqpolicy.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.xenirqpolicy.check.Check;
import org.xenirqpolicy.check.Checks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check that irqbalance runs the hook, SELinux lets it, the last apply succeeded, the applied plan is fresh and followed, and no request waits: exit 0 if all is well, 1 if not.")
final class CheckCommand implements Callable<Integer> {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Output output;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Check> checks = Checks.verdicts(Checks.read(root.host(), Instant.now()));
        spec.commandLine().getOut().print(output.format == Options.Format.json
                ? Json.write(CheckReports.json(checks)) : CheckReports.text(checks));
        return checks.stream().allMatch(Check::ok) ? 0 : Main.PARTIAL_FAILURE;
    }
}
