package org.xenirqpolicy.cli;

import java.util.concurrent.Callable;
import org.xenirqpolicy.setup.Installer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Make irqbalance run the hook: add --policyscript=/usr/libexec/irqbalance/xen-irq-policy to IRQBALANCE_ARGS in /etc/sysconfig/irqbalance (or a link to the hook in the policy directory it names), recording the change for uninstall, and remove uninstall's opt-out record. Run by the package's %%post.")
final class InstallCommand implements Callable<Integer>, Log.User {
    @Mixin
    Options.Root root;
    private Log log;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() {
        Installer.Report report = Installer.install(root.hostToChange("install", Installer.WRITES));
        if (report.refused()) {
            report.lines().forEach(log::error);
            return Main.PARTIAL_FAILURE;
        }
        report.lines().forEach(log::info);
        return 0;
    }
}
