package org.xenirqpolicy.cli;

import java.util.concurrent.Callable;
import org.xenirqpolicy.setup.Installer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = "Undo exactly what install changed: an /etc/sysconfig/irqbalance nobody edited since becomes byte for byte what it was. Run by the package's %%preun on erase.")
final class UninstallCommand implements Callable<Integer> {
    @Mixin
    Options.Root root;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Installer.uninstall(root.hostToChange("uninstall", Installer.WRITES)).lines().forEach(spec.commandLine().getOut()::println);
        return 0;
    }
}
