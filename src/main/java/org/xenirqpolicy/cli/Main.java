package org.xenirqpolicy.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.xenirqpolicy.model.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The xen-irq-policy command: exit 0 ok, 1 partial failure, 2 usage or input error. */
@Command(name = "xen-irq-policy", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
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
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: plan, apply, adapt, status, check, metrics, install or uninstall");
    }

    public static void main(String[] args) {
        // Standard output is flushed once, at the end: an apply at 5,000 IRQs prints a line per
        // IRQ moved, and a write each would be as many system calls as the moves themselves.
        // Standard output is UTF-8 whatever the locale: the Prometheus format and JSON (RFC 8259)
        // are UTF-8 by definition, and under LANG=C the JVM would write '?' for every other
        // character. Under a UTF-8 locale, Fedora's default, nothing changes.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), false);
        // Standard error likewise: the journal is UTF-8, and under LANG=C (a service started
        // without a locale) a name such as café in an error would read "caf??".
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        System.exit(run(args, out, err, Console.detect(System.getenv())));
    }

    /** The subcommands, in the order --help lists them. */
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("plan", PlanCommand::new);
        COMMANDS.put("apply", ApplyCommand::new);
        COMMANDS.put("adapt", AdaptCommand::new);
        COMMANDS.put("status", StatusCommand::new);
        COMMANDS.put("check", CheckCommand::new);
        COMMANDS.put("metrics", MetricsCommand::new);
        COMMANDS.put("install", InstallCommand::new);
        COMMANDS.put("uninstall", UninstallCommand::new);
        COMMANDS.put("help", CommandLine.HelpCommand::new);
    }

    /**
     * The command line with every subcommand, as --help and the man page test see it.
     */
    public static CommandLine fullCommandLine() {
        return commandLine(COMMANDS.keySet());
    }

    /**
     * Builds the parser with only the subcommands this command line can reach: picocli reflects
     * over the annotations of every registered command when it starts, which is most of our
     * start-up time, and the hook's engine runs are started often. --version needs none; a known
     * command needs itself; help, no command or an unknown one get them all, to list them.
     */
    static CommandLine commandLine(String[] args) {
        if (args.length > 0 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return commandLine(List.of());
        }
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                return commandLine(COMMANDS.containsKey(arg) && !arg.equals("help") ? List.of(arg) : COMMANDS.keySet());
            }
        }
        return commandLine(COMMANDS.keySet());
    }

    private static CommandLine commandLine(Collection<String> names) {
        CommandLine cli = new CommandLine(new Main());
        for (String name : names) {
            cli.addSubcommand(name, COMMANDS.get(name).get());
            // picocli gives a subcommand's -V/--version only the subcommand's own version, none
            // here: set ours on each, so that every command, present and future, prints it.
            cli.getSubcommands().get(name).getCommandSpec().versionProvider(new Version());
        }
        return cli;
    }

    /** Runs one command line; the streams are parameters so tests see exactly what a user sees. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, Console.PLAIN);
    }

    /**
     * Runs one command line for a standard output of {@code width} columns (0: not a terminal),
     * as the launcher passes it on a terminal.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, int width) {
        return run(args, out, err, new Console(width, false, false));
    }

    static int run(String[] args, PrintWriter out, PrintWriter err, Console console) {
        Log log = new Log(out, err, console, Log.Verbosity.NORMAL);
        Callable<Integer> plain = PlainArgs.parse(args, log);
        if (plain != null) {
            return runPlain(plain, log, out, err);
        }
        CommandLine cli = commandLine(args);
        cli.setOut(out);
        cli.setErr(err);
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommand() instanceof Log.User user) {
                user.use(log);
            }
        }
        cli.setParameterExceptionHandler((e, a) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            log.error(e.getMessage() + " (see '" + command + " --help')");
            return INPUT_ERROR;
        });
        cli.setExecutionExceptionHandler((e, c, r) -> failed(e, log));
        int status = cli.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** A command whose plain options {@link PlainArgs} read, run as picocli would run it. */
    private static int runPlain(Callable<Integer> command, Log log, PrintWriter out, PrintWriter err) {
        int status;
        try {
            status = command.call();
        } catch (Exception e) {
            status = failed(e, log);
        }
        out.flush();
        err.flush();
        return status;
    }

    /** The exit status of a command that threw, its error said in one line. */
    private static int failed(Exception e, Log log) {
        if (e instanceof InputException || e instanceof UncheckedIOException) {
            log.error(e.getMessage());
            return INPUT_ERROR;
        }
        log.error("internal error: " + e);
        return PARTIAL_FAILURE;
    }

    /** The version from the build, so --version and the RPM agree. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {"xen-irq-policy " + number()};
        }

        /** The version alone, such as 0.1.0. */
        static String number() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/org/xenirqpolicy/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return p.getProperty("version", "unknown");
        }
    }
}
