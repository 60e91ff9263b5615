package org.xenirqpolicy.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.xenirqpolicy.model.Strategy;

/**
 * apply's command line read without picocli, when it holds only the plain forms of apply's own
 * options: {@code --root DIR} or {@code --root=DIR}, {@code --strategy}, {@code --sample},
 * {@code --format}, and the flags, each at most once. picocli builds its model by reflection
 * over the annotations, which costs as much as reading a host of a thousand IRQs, and the service
 * runs {@code apply} at every guest start. Anything else (help, version, an unknown, repeated,
 * clustered or abbreviated option, a value that is not one of the values picocli would accept,
 * a value that starts with a dash) is left to picocli, which parses it and reports it as always;
 * PlainApplyArgsTest checks that what this accepts, picocli parses to the same command.
 */
final class PlainApplyArgs {
    private PlainApplyArgs() {
    }

    /** The apply command these arguments give, options set as picocli would set them; null: let picocli parse. */
    static ApplyCommand parse(String[] args) {
        if (args.length == 0 || !args[0].equals("apply")) {
            return null;
        }
        ApplyCommand apply = new ApplyCommand();
        apply.root = new Options.Root();
        apply.root.root = Path.of("/");
        apply.planning = new Options.Planning();
        apply.planning.sample = new Options.Sample();
        apply.output = new Options.Output();
        apply.output.format = Options.Format.text;
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            String value = null;
            int equals = option.indexOf('=');
            if (option.startsWith("--") && equals > 0) {
                value = option.substring(equals + 1);
                option = option.substring(0, equals);
            }
            if (!seen.add(option)) {
                return null;
            }
            boolean takesValue = switch (option) {
                case "--root", "--strategy", "--sample", "--format" -> true;
                default -> false;
            };
            if (takesValue && value == null) {
                if (i + 1 == args.length) {
                    return null;
                }
                value = args[++i];
            } else if (!takesValue && value != null) {
                return null;
            }
            if (value != null && (value.isEmpty() || value.startsWith("-"))) {
                return null;
            }
            switch (option) {
                case "--root" -> {
                    try {
                        apply.root.root = Path.of(value);
                    } catch (InvalidPathException e) {
                        return null;
                    }
                }
                case "--strategy" -> {
                    apply.planning.strategy = Strategy.find(value).orElse(null);
                    if (apply.planning.strategy == null) {
                        return null;
                    }
                }
                case "--sample" -> {
                    if (!value.matches("[0-9]{1,9}")) {
                        return null;
                    }
                    apply.planning.sample.seconds = Integer.parseInt(value);
                }
                case "--format" -> {
                    if (!value.equals("text") && !value.equals("json")) {
                        return null;
                    }
                    apply.output.format = Options.Format.valueOf(value);
                }
                case "--rebalance" -> apply.planning.rebalance = true;
                case "--dry-run" -> apply.dryRun = true;
                case "-q", "--quiet" -> apply.quiet = true;
                case "-v", "--verbose" -> apply.verbose = true;
                default -> {
                    return null;
                }
            }
        }
        // -q and --quiet are one option: given both, picocli says so.
        if (seen.contains("-q") && seen.contains("--quiet") || seen.contains("-v") && seen.contains("--verbose")) {
            return null;
        }
        return apply;
    }
}
