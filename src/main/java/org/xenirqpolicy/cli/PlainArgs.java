package org.xenirqpolicy.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.xenirqpolicy.model.Strategy;

/**
 * The command lines the services run, read without picocli: {@code apply} (at every guest start)
 * and {@code adapt} (the adaptive timer's {@code adapt --if-due}, every minute), when they hold
 * only the plain forms of that command's own options: {@code --root DIR} or {@code --root=DIR},
 * the other options with a value alike, and the flags, each at most once. picocli builds its
 * model by reflection over the annotations, which costs as much as reading a host of a thousand
 * IRQs. Anything else (help, version, an unknown, repeated, clustered or abbreviated option, a
 * value that is not one of the values picocli would accept, a value that starts with a dash, or
 * with an @, which picocli reads as a file of arguments) is left to picocli, which parses it and
 * reports it as always; PlainArgsTest checks that what this accepts, picocli parses to the same
 * command.
 */
final class PlainArgs {
    private PlainArgs() {
    }

    /**
     * The command these arguments give, options set as picocli would set them, printing through
     * {@code log}; null: let picocli parse.
     */
    static Callable<Integer> parse(String[] args, Log log) {
        if (args.length == 0) {
            return null;
        }
        return switch (args[0]) {
            case "apply" -> using(apply(args), log);
            case "adapt" -> using(adapt(args), log);
            default -> null;
        };
    }

    private static <C extends Callable<Integer> & Log.User> Callable<Integer> using(C command, Log log) {
        if (command != null) {
            command.use(log);
        }
        return command;
    }

    private static ApplyCommand apply(String[] args) {
        ApplyCommand apply = new ApplyCommand();
        apply.root = root();
        apply.planning = new Options.Planning();
        apply.planning.sample = new Options.Sample();
        apply.output = output();
        Set<String> given = read(args, Map.of(
                "--root", value -> root(apply.root, value),
                "--strategy", value -> (apply.planning.strategy = Strategy.find(value).orElse(null)) != null,
                "--sample", value -> sample(apply.planning.sample, value),
                "--format", value -> format(apply.output, value)), Map.of(
                "--rebalance", () -> apply.planning.rebalance = true,
                "--dry-run", () -> apply.dryRun = true,
                "-q", () -> apply.quiet = true,
                "--quiet", () -> apply.quiet = true,
                "-v", () -> apply.verbose = true,
                "--verbose", () -> apply.verbose = true));
        // -q and --quiet are one option: given both, picocli says so.
        return given == null || given.containsAll(List.of("-q", "--quiet")) || given.containsAll(List.of("-v", "--verbose"))
                ? null : apply;
    }

    private static AdaptCommand adapt(String[] args) {
        AdaptCommand adapt = new AdaptCommand();
        adapt.root = root();
        adapt.sample = new Options.Sample();
        adapt.output = output();
        Set<String> given = read(args, Map.of(
                "--root", value -> root(adapt.root, value),
                "--sample", value -> sample(adapt.sample, value),
                "--format", value -> format(adapt.output, value)), Map.of(
                "--if-due", () -> adapt.ifDue = true,
                "--dry-run", () -> adapt.dryRun = true));
        // adapt refuses these two together as a usage error, through the spec only picocli sets.
        return given == null || given.containsAll(List.of("--dry-run", "--if-due")) ? null : adapt;
    }

    /**
     * Reads the options after the command's name: each one of {@code values} (which sets the
     * option from its value, false for a value picocli would refuse) or of {@code flags}, at most
     * once. The options given; null if there is anything else.
     */
    private static Set<String> read(String[] args, Map<String, Predicate<String>> values, Map<String, Runnable> flags) {
        Set<String> given = new HashSet<>();
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            String value = null;
            int equals = option.indexOf('=');
            if (option.startsWith("--") && equals > 0) {
                value = option.substring(equals + 1);
                option = option.substring(0, equals);
            }
            if (!given.add(option)) {
                return null;
            }
            if (value == null && flags.containsKey(option)) {
                flags.get(option).run();
                continue;
            }
            if (!values.containsKey(option)) {
                return null;
            }
            if (value == null) {
                if (i + 1 == args.length) {
                    return null;
                }
                value = args[++i];
            }
            if (value.isEmpty() || value.startsWith("-") || value.startsWith("@") || !values.get(option).test(value)) {
                return null;
            }
        }
        return given;
    }

    /** --root's default, as picocli sets it. */
    private static Options.Root root() {
        Options.Root root = new Options.Root();
        root.root = Path.of("/");
        return root;
    }

    private static boolean root(Options.Root root, String value) {
        try {
            root.root = Path.of(value);
            return true;
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static boolean sample(Options.Sample sample, String value) {
        // Plain digits, short of overflowing an int: what picocli's Integer.valueOf takes, no sign.
        if (!value.matches("[0-9]{1,9}")) {
            return false;
        }
        sample.seconds = Integer.parseInt(value);
        return true;
    }

    /** --format's default, as picocli sets it. */
    private static Options.Output output() {
        Options.Output output = new Options.Output();
        output.format = Options.Format.text;
        return output;
    }

    private static boolean format(Options.Output output, String value) {
        if (!value.equals("text") && !value.equals("json")) {
            return false;
        }
        output.format = Options.Format.valueOf(value);
        return true;
    }
}
