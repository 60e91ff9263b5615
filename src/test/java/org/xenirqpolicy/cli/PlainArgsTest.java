package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;
import picocli.CommandLine;

/**
 * The plain options of apply and adapt read without picocli (PlainArgs) give the very command
 * picocli gives, and anything else is left to picocli, whose errors and help users then see as
 * always.
 */
class PlainArgsTest {
    /** What a parsed apply command holds: every option's field. */
    private record ApplyFields(Path root, Object strategy, boolean rebalance, Integer sample, Options.Format format,
            boolean dryRun, boolean quiet, boolean verbose) {
        static ApplyFields of(Object command) {
            ApplyCommand c = (ApplyCommand) command;
            return new ApplyFields(c.root.root, c.planning.strategy, c.planning.rebalance, c.planning.sample.seconds,
                    c.output.format, c.dryRun, c.quiet, c.verbose);
        }
    }

    /** What a parsed adapt command holds: every option's field. */
    private record AdaptFields(Path root, Integer sample, Options.Format format, boolean ifDue, boolean dryRun) {
        static AdaptFields of(Object command) {
            AdaptCommand c = (AdaptCommand) command;
            return new AdaptFields(c.root.root, c.sample.seconds, c.output.format, c.ifDue, c.dryRun);
        }
    }

    private static Callable<Integer> plain(String[] args) {
        StringWriter none = new StringWriter();
        return PlainArgs.parse(args, new Log(new PrintWriter(none), new PrintWriter(none), Console.PLAIN, Log.Verbosity.NORMAL));
    }

    private static Object byPicocli(String[] args) {
        CommandLine cli = Main.commandLine(args);
        cli.parseArgs(args);
        return cli.getSubcommands().get(args[0]).getCommand();
    }

    /** Each of apply's options in each plain form picocli takes. */
    private static final List<List<String>> APPLY_FORMS = List.of(
            List.of("--root", "/srv/trees/dom0 a"), List.of("--root=/srv/trees/x=y"), List.of("--root", "relative/tree"),
            List.of("--strategy", "load"), List.of("--strategy=modulo"), List.of("--strategy", "spread"),
            List.of("--sample", "0"), List.of("--sample=30"), List.of("--sample", "007"), List.of("--sample", "999"),
            List.of("--format", "json"), List.of("--format=text"),
            List.of("--rebalance"), List.of("--dry-run"), List.of("-q"), List.of("--quiet"), List.of("-v"), List.of("--verbose"));

    /** Each of adapt's options in each plain form picocli takes. */
    private static final List<List<String>> ADAPT_FORMS = List.of(
            List.of("--root", "/srv/trees/dom0 a"), List.of("--root=/srv/trees/x=y"), List.of("--root", "relative/tree"),
            List.of("--sample", "0"), List.of("--sample=30"), List.of("--sample", "007"), List.of("--sample", "999"),
            List.of("--format", "json"), List.of("--format=text"), List.of("--if-due"), List.of("--dry-run"));

    /**
     * Random command lines of {@code command} and up to five of {@code forms}: every one that
     * names no option twice and holds no pair of {@code leftToPicocli} is read, and read as
     * picocli reads it; the others are left to picocli. How many were read.
     */
    private static int readAlike(String command, List<List<String>> forms, List<List<String>> leftToPicocli,
            Function<Object, Object> fields) {
        Random random = new Random(11);
        int accepted = 0;
        for (int round = 0; round < 3000; round++) {
            List<List<String>> options = new ArrayList<>(forms);
            Collections.shuffle(options, random);
            List<String> args = new ArrayList<>(List.of(command));
            for (List<String> option : options.subList(0, random.nextInt(6))) {
                args.addAll(option);
            }
            String[] argv = args.toArray(String[]::new);
            Callable<Integer> plain = plain(argv);
            String[] names = args.stream().map(a -> a.replaceFirst("=.*", "")).toArray(String[]::new);
            if (Arrays.stream(names).distinct().count() != names.length || leftToPicocli.stream().anyMatch(args::containsAll)) {
                // picocli refuses an option given twice, or says why these go not together.
                assertNull(plain, args.toString());
                continue;
            }
            assertNotNull(plain, args.toString());
            assertEquals(fields.apply(byPicocli(argv)), fields.apply(plain), args.toString());
            accepted++;
        }
        return accepted;
    }

    @Test
    void whatItReadsOfApplyPicocliReadsAlike() {
        int accepted = readAlike("apply", APPLY_FORMS, List.of(List.of("-q", "--quiet"), List.of("-v", "--verbose")), ApplyFields::of);
        assertTrue(accepted > 1000, "accepted " + accepted);
    }

    @Test
    void whatItReadsOfAdaptPicocliReadsAlike() {
        int accepted = readAlike("adapt", ADAPT_FORMS, List.of(List.of("--dry-run", "--if-due")), AdaptFields::of);
        assertTrue(accepted > 1000, "accepted " + accepted);
    }

    @Test
    void theDefaultsArePicocliDefaults() {
        String[] apply = {"apply"};
        assertEquals(ApplyFields.of(byPicocli(apply)), ApplyFields.of(plain(apply)));
        String[] adapt = {"adapt"};
        assertEquals(AdaptFields.of(byPicocli(adapt)), AdaptFields.of(plain(adapt)));
    }

    @Test
    void theTimersCommandLineIsReadAsPicocliReadsIt() {
        // src/main/systemd/xen-irq-policy-adaptive.service's, every minute.
        String[] timer = {"adapt", "--if-due"};
        assertEquals(AdaptFields.of(byPicocli(timer)), AdaptFields.of(plain(timer)));
        assertEquals(new AdaptFields(Path.of("/"), null, Options.Format.text, true, false), AdaptFields.of(plain(timer)));
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        List<List<String>> others = List.of(
                List.of(), List.of("plan"), List.of("--version"), List.of("help", "adapt"), List.of("status", "--root", "x"),
                List.of("apply", "--help"), List.of("apply", "-h"), List.of("apply", "-V"),
                List.of("apply", "--root"), List.of("apply", "--root="), List.of("apply", "--root", "-x"), List.of("apply", "-qv"),
                List.of("apply", "--strategy", "Spread"), List.of("apply", "--sample", "-1"), List.of("apply", "--sample", "+5"),
                List.of("apply", "--sample", "1x"), List.of("apply", "--sample", "1234567890"), List.of("apply", "--format", "JSON"),
                List.of("apply", "extra"), List.of("apply", "--rebalance=true"), List.of("apply", "--"), List.of("apply", "--roo", "x"),
                List.of("apply", "-q=1"), List.of("apply", "--root", "a\0b"), List.of("apply", "--dry-run", "--dry-run"),
                List.of("apply", "--if-due"), List.of("apply", "--root", "@tree"), List.of("apply", "@args"),
                List.of("adapt", "--help"), List.of("adapt", "-h"), List.of("adapt", "-V"), List.of("adapt", "--version"),
                List.of("adapt", "--if-due", "--if-due"), List.of("adapt", "--if-due=true"), List.of("adapt", "--if-du"),
                List.of("adapt", "--dry-run", "--if-due"), List.of("adapt", "--if-due", "--dry-run"),
                List.of("adapt", "--root"), List.of("adapt", "--root", "--if-due"), List.of("adapt", "--root", "@tree"),
                List.of("adapt", "--root=", "--if-due"), List.of("adapt", "--sample", "-1"), List.of("adapt", "--sample", "0x10"),
                List.of("adapt", "--sample", "30", "--sample=30"), List.of("adapt", "--format", "JSON"), List.of("adapt", "--json"),
                List.of("adapt", "--strategy", "load"), List.of("adapt", "--rebalance"), List.of("adapt", "-q"), List.of("adapt", "-v"),
                List.of("adapt", "now"), List.of("adapt", "--", "--if-due"), List.of("adapt", "@args"), List.of("adapt", ""));
        for (List<String> args : others) {
            assertNull(plain(args.toArray(String[]::new)), args.toString());
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

    @Test
    void anAdaptReadWithoutPicocliPrintsAndExitsAsWithIt(@TempDir Path tmp) {
        // The command's own errors, after the parse, are the same lines as through picocli.
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: root " + tmp.resolve("none") + " does not exist\n"),
                Cli.run("adapt", "--if-due", "--root", tmp.resolve("none").toString()));
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: --sample: 999 is not from 0 to 600 seconds\n"),
                Cli.run("adapt", "--sample", "999", "--root", tmp.toString()));
        // The timer's tick with the mode off: silent, exit 0, nothing written.
        HostTree tree = HostTree.at(Cli.sampleDom0(tmp.resolve("dom0")));
        Map<String, String> before = tree.files();
        assertEquals(new Cli.Result(0, "", ""), Cli.run("adapt", "--if-due", "--root", tree.root().toString()));
        assertEquals(before, tree.files());
        // picocli's errors stay picocli's.
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: option '--if-due' should be specified only once"
                + " (see 'xen-irq-policy adapt --help')\n"), Cli.run("adapt", "--if-due", "--if-due", "--root", tree.root().toString()));
    }
}
