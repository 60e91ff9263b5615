package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;

/**
 * With JOURNAL_STREAM naming the device and inode of standard error (or output), as systemd sets
 * it for a service, each line on that stream carries its sd-daemon(3) priority; a stream that is
 * not the one named, or no variable, gets none. Each run is a JVM of its own, whose streams are
 * files whose device and inode the test knows.
 */
class JournalOutputTest {
    @TempDir
    Path tmp;

    private int runs;

    /** A fresh copy of the sample dom0 where apply warns (a bad line), fails (243) and finds one gone (246). */
    private Path troubledDom0() throws IOException {
        Path root = Cli.sampleDom0(tmp.resolve("root" + ++runs));
        Path attr = root.resolve("proc/irq/243/smp_affinity_list");
        Files.delete(attr);
        Files.createDirectory(attr);
        Files.delete(root.resolve("proc/irq/246/smp_affinity_list"));
        Files.writeString(root.resolve("proc/interrupts"), "garbage line\n", StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
        return root;
    }

    private static String id(Path file) throws IOException {
        return Long.toUnsignedString((Long) Files.getAttribute(file, "unix:dev")) + ":"
                + Long.toUnsignedString((Long) Files.getAttribute(file, "unix:ino"));
    }

    private enum Journal { NONE, STDERR, STDOUT, OTHER_FILE }

    /** Runs apply in its own JVM, standard output and error to two files; JOURNAL_STREAM per {@code journal}. */
    private Cli.Result applyInOwnJvm(Journal journal, String... options) throws Exception {
        Path root = troubledDom0();
        Path out = Files.createFile(tmp.resolve("out" + runs));
        Path err = Files.createFile(tmp.resolve("err" + runs));
        Path other = Files.createFile(tmp.resolve("other" + runs));
        List<String> args = new java.util.ArrayList<>(List.of("apply", "--root", root.toString()));
        args.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(Cli.inOwnJvm(args.toArray(String[]::new)))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().remove("JOURNAL_STREAM");
        pb.environment().remove(Console.COLUMNS_VARIABLE);
        switch (journal) {
            case NONE -> { }
            case STDERR -> pb.environment().put("JOURNAL_STREAM", id(err));
            case STDOUT -> pb.environment().put("JOURNAL_STREAM", id(out));
            case OTHER_FILE -> pb.environment().put("JOURNAL_STREAM", id(other));
        }
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "apply did not end");
        return new Cli.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The same apply in this JVM, where no stream is the journal. */
    private Cli.Result applyInProcess(String... options) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("apply", "--root", troubledDom0().toString()));
        args.addAll(List.of(options));
        return Cli.run(args.toArray(String[]::new));
    }

    private static String prefixed(String text, String... prefixByStart) {
        StringBuilder out = new StringBuilder();
        for (String line : text.lines().toList()) {
            String prefix = null;
            for (int i = 0; i < prefixByStart.length; i += 2) {
                if (prefix == null && line.startsWith(prefixByStart[i])) {
                    prefix = prefixByStart[i + 1];
                }
            }
            out.append(prefix).append(line).append('\n');
        }
        return out.toString();
    }

    @Test
    void onTheJournalsStderrErrorsAndWarningsCarryTheirPriority() throws Exception {
        Cli.Result plain = applyInProcess("--verbose");
        assertEquals(1, plain.status());
        assertEquals(2, plain.err().lines().count(), plain.err());
        Cli.Result journal = applyInOwnJvm(Journal.STDERR, "--verbose");
        String expectedErr = prefixed(plain.err(), "xen-irq-policy: warning: ", "<4>", "xen-irq-policy: IRQ ", "<3>");
        assertTrue(expectedErr.startsWith("<4>xen-irq-policy: warning: skipped 1 unparseable line(s)"), expectedErr);
        assertTrue(expectedErr.contains("\n<3>xen-irq-policy: IRQ 243 vif26.0-q1-tx: "), expectedErr);
        // Standard output is another file: not the journal, no prefix.
        assertEquals(new Cli.Result(1, plain.out(), expectedErr), journal);
    }

    @Test
    void onTheJournalsStdoutTheSummaryIsInfoAndTheMovesDebug() throws Exception {
        Cli.Result plain = applyInProcess("--verbose");
        Cli.Result journal = applyInOwnJvm(Journal.STDOUT, "--verbose");
        String expectedOut = prefixed(plain.out(), "moved ", "<7>", "gone ", "<7>", "spread: ", "<6>");
        assertEquals("<6>spread: 6 moved, 0 in place, 1 gone, 1 failed; plan saved in /run/xen-irq-policy/plan\n",
                expectedOut.substring(expectedOut.lastIndexOf("<6>")));
        assertEquals(6 + 1, expectedOut.lines().filter(l -> l.startsWith("<7>")).count(), expectedOut);
        assertEquals(new Cli.Result(1, expectedOut, plain.err()), journal);

        // As the service runs it, without --verbose: one summary line (info) and one per failure (error).
        Cli.Result service = applyInOwnJvm(Journal.STDOUT);
        assertEquals("<6>spread: 6 moved, 0 in place, 1 gone, 1 failed; plan saved in /run/xen-irq-policy/plan\n", service.out());
    }

    @Test
    void aJournalStreamThatIsNotThisStreamOrNoneAddsNoPrefix() throws Exception {
        Cli.Result plain = applyInProcess("--verbose");
        assertEquals(plain, applyInOwnJvm(Journal.OTHER_FILE, "--verbose"));
        assertEquals(plain, applyInOwnJvm(Journal.NONE, "--verbose"));
    }

    @Test
    void badUsageOnTheJournalIsAnError() throws Exception {
        Cli.Result r = applyInOwnJvm(Journal.STDERR, "--quiet", "--verbose");
        assertEquals(new Cli.Result(2, "", "<3>xen-irq-policy: --quiet and --verbose exclude each other\n"), r);
    }
}
