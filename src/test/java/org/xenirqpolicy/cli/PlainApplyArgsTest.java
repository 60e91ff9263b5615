package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import picocli.CommandLine;

/**
 * apply's plain options read without picocli (PlainApplyArgs) give the very command picocli
 * gives, and anything else is left to picocli, whose errors and help users then see as always.
 */
class PlainApplyArgsTest {
    /** What a parsed apply command holds: every option's field. */
    private record Parsed(Path root, Object strategy, boolean rebalance, Integer sample, Options.Format format,
            boolean dryRun, boolean quiet, boolean verbose) {
        static Parsed of(ApplyCommand c) {
            return new Parsed(c.root.root, c.planning.strategy, c.planning.rebalance, c.planning.sample.seconds,
                    c.output.format, c.dryRun, c.quiet, c.verbose);
        }
    }

    private static Parsed byPicocli(String[] args) {
        CommandLine cli = Main.commandLine(args);
        cli.parseArgs(args);
        return Parsed.of((ApplyCommand) cli.getSubcommands().get("apply").getCommand());
    }

    /** Each option in each plain form picocli takes. */
    private static final List<List<String>> FORMS = List.of(
            List.of("--root", "/srv/trees/dom0 a"), List.of("--root=/srv/trees/x=y"), List.of("--root", "relative/tree"),
            List.of("--strategy", "load"), List.of("--strategy=modulo"), List.of("--strategy", "spread"),
            List.of("--sample", "0"), List.of("--sample=30"), List.of("--sample", "007"), List.of("--sample", "999"),
            List.of("--format", "json"), List.of("--format=text"),
            List.of("--rebalance"), List.of("--dry-run"), List.of("-q"), List.of("--quiet"), List.of("-v"), List.of("--verbose"));

    @Test
    void whatItReadsPicocliReadsAlike() {
        Random random = new Random(11);
        int accepted = 0;
        for (int round = 0; round < 3000; round++) {
            List<List<String>> options = new ArrayList<>(FORMS);
            Collections.shuffle(options, random);
            List<String> args = new ArrayList<>(List.of("apply"));
            for (List<String> option : options.subList(0, random.nextInt(6))) {
                args.addAll(option);
            }
            String[] argv = args.toArray(String[]::new);
            ApplyCommand plain = PlainApplyArgs.parse(argv);
            String[] names = args.stream().map(a -> a.replaceFirst("=.*", "")).toArray(String[]::new);
            boolean repeated = Arrays.stream(names).distinct().count() != names.length
                    || args.contains("-q") && args.contains("--quiet") || args.contains("-v") && args.contains("--verbose");
            if (repeated) {
                // picocli refuses an option given twice: that error is its to print.
                assertNull(plain, args.toString());
                continue;
            }
            assertNotNull(plain, args.toString());
            assertEquals(byPicocli(argv), Parsed.of(plain), args.toString());
            accepted++;
        }
        assertEquals(true, accepted > 1000, "accepted " + accepted);
    }

    @Test
    void theDefaultsArePicocliDefaults() {
        String[] argv = {"apply"};
        assertEquals(byPicocli(argv), Parsed.of(PlainApplyArgs.parse(argv)));
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        List<List<String>> others = List.of(
                List.of("plan"), List.of("--version"), List.of("apply", "--help"), List.of("apply", "-h"), List.of("apply", "-V"),
                List.of("apply", "--root"), List.of("apply", "--root="), List.of("apply", "--root", "-x"), List.of("apply", "-qv"),
                List.of("apply", "--strategy", "Spread"), List.of("apply", "--sample", "-1"), List.of("apply", "--sample", "+5"),
                List.of("apply", "--sample", "1x"), List.of("apply", "--sample", "1234567890"), List.of("apply", "--format", "JSON"),
                List.of("apply", "extra"), List.of("apply", "--rebalance=true"), List.of("apply", "--"), List.of("apply", "--roo", "x"),
                List.of("apply", "-q=1"), List.of("apply", "--root", "a\0b"), List.of("apply", "--dry-run", "--dry-run"));
        for (List<String> args : others) {
            assertNull(PlainApplyArgs.parse(args.toArray(String[]::new)), args.toString());
        }
    }

    @Test
    void anApplyReadWithoutPicocliPrintsAndExitsAsWithIt(@TempDir Path tmp) {
        // Bad input found by the command itself, after the parse: the same line either way.
        Cli.Result plain = Cli.run("apply", "--root", tmp.resolve("none").toString(), "--quiet");
        Cli.Result picocli = Cli.run("apply", "--root=" + tmp.resolve("none"), "-q", "--format", "text", "--format", "text");
        assertEquals(2, plain.status());
        assertEquals("xen-irq-policy: root " + tmp.resolve("none") + " does not exist\n", plain.err());
        assertEquals(2, picocli.status());
        assertEquals("xen-irq-policy: option '--format' (FORMAT) should be specified only once (see 'xen-irq-policy apply --help')\n",
                picocli.err());
        Cli.Result both = Cli.run("apply", "--root", tmp.toString(), "-q", "-v");
        assertEquals(2, both.status());
        assertEquals("xen-irq-policy: --quiet and --verbose exclude each other\n", both.err());
        assertEquals("", both.out());
    }
}
