package org.xenirqpolicy.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.xenirqpolicy.check.Check;
import org.xenirqpolicy.check.Checks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check that irqbalance runs the hook, SELinux lets it, the last apply succeeded, the applied plan is fresh and followed, and no request waits: exit 0 if all is well, 1 if not.")
final class CheckCommand implements Callable<Integer>, Log.User {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Output output;
    private Log log;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() {
        List<Check> checks = Checks.verdicts(Checks.read(root.host(), Instant.now()));
        boolean json = output.format == Options.Format.json;
        log.report(json
                ? Json.write(CheckReports.json(checks)) : CheckReports.text(checks), json);
        return checks.stream().allMatch(Check::ok) ? 0 : Main.PARTIAL_FAILURE;
    }
}
