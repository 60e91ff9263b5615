package org.xenirqpolicy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.xenirqpolicy.model.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The xen-irq-policy command: exit 0 ok, 1 partial failure, 2 usage or input error. */
@Command(name = "xen-irq-policy", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {PlanCommand.class, ApplyCommand.class, StatusCommand.class, InstallCommand.class,
            UninstallCommand.class, CommandLine.HelpCommand.class},
        description = "Places the event-channel IRQs of Xen paravirtual backends (chips xen-dyn and xen-dyn-lateeoi) on dom0 CPUs and keeps irqbalance off them.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done", "1:partly done: some IRQs could not be placed", "2:bad usage or bad input; nothing was written"})
public final class Main implements Runnable {
    public static final int PARTIAL_FAILURE = 1;
    public static final int INPUT_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: plan, apply, status, install or uninstall");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; the streams are parameters so tests see exactly what a user sees. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println("xen-irq-policy: " + e.getMessage() + " (see '" + command + " --help')");
            return INPUT_ERROR;
        });
        cli.setExecutionExceptionHandler((e, c, r) -> {
            if (e instanceof InputException || e instanceof UncheckedIOException) {
                err.println("xen-irq-policy: " + e.getMessage());
                return INPUT_ERROR;
            }
            err.println("xen-irq-policy: internal error: " + e);
            return PARTIAL_FAILURE;
        });
        int status = cli.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** The version from the build, so --version and the RPM agree. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/org/xenirqpolicy/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"xen-irq-policy " + p.getProperty("version", "unknown")};
        }
    }
}
