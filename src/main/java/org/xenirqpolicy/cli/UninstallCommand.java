package org.xenirqpolicy.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.xenirqpolicy.setup.Installer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = "Undo exactly what install changed: an /etc/sysconfig/irqbalance nobody edited since becomes byte for byte what it was; then record in /var/lib/xen-irq-policy/hook-opted-out that irqbalance runs without the hook by choice, which check honours. Run by the package's %%preun on erase.")
final class UninstallCommand implements Callable<Integer>, Log.User {
    @Mixin
    Options.Root root;
    private Log log;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() {
        Installer.uninstall(root.hostToChange("uninstall", Installer.WRITES), Instant.now()).lines().forEach(log::info);
        return 0;
    }
}
