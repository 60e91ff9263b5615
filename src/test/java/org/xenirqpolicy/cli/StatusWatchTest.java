package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/**
 * status --watch in a JVM of its own, on a tree whose /proc/interrupts the test rewrites between
 * refreshes; ended with SIGINT, as Ctrl-C ends it.
 */
class StatusWatchTest {
    private static final Pattern HEADER = Pattern.compile(
            "every 1s: 8 event-channel IRQs, interrupts per second over the last ([0-9]+\\.[0-9]{2}) s\n");

    @TempDir
    Path tmp;

    /** The sample dom0, applied: 241-248 on CPUs 0,0,1,1,2,2,3,3. */
    private Path placedSample() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        assertEquals(0, Cli.run("apply", "--root", root.toString()).status());
        return root;
    }

    /** Adds interrupts to /proc/interrupts: IRQ -> {CPU column, count}; replaced in one rename, as a read sees either. */
    private static void addInterrupts(Path root, Map<Integer, long[]> added) throws IOException {
        Path file = root.resolve("proc/interrupts");
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            Matcher m = Pattern.compile("^ *([0-9]+):").matcher(line);
            if (m.find() && added.containsKey(Integer.parseInt(m.group(1)))) {
                long[] add = added.get(Integer.parseInt(m.group(1)));
                String[] f = line.trim().split("\\s+");
                f[1 + (int) add[0]] = String.valueOf(Long.parseLong(f[1 + (int) add[0]]) + add[1]);
                line = String.join("   ", f);
            }
            out.append(line).append('\n');
        }
        Path next = root.resolve("proc/interrupts.next");
        Files.writeString(next, out, StandardCharsets.ISO_8859_1);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Standard output of a running process, read as it comes. */
    private static final class Reader extends Thread {
        private final InputStream in;
        private final StringBuffer text = new StringBuffer();

        Reader(InputStream in) {
            this.in = in;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The process ended.
            }
        }

        /** The complete frames so far: each starts with a header and ends before the next one's blank line. */
        List<String> frames() {
            String all = text.toString();
            List<String> frames = new java.util.ArrayList<>(List.of(all.split("\n\n", -1)));
            frames.removeLast(); // The last one may still be arriving.
            return frames;
        }

        String waitForFrame(java.util.function.Predicate<String> wanted, long seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                for (String f : frames()) {
                    if (wanted.test(f)) {
                        return f;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no such frame in " + seconds + " s; output:\n" + text);
        }
    }

    /** The row of a CPU in a frame: CPU, IRQS, INTR/S, then the event channels. */
    private static String[] row(String frame, int cpu) {
        for (String line : frame.lines().toList()) {
            if (line.startsWith(cpu + " ")) {
                return line.split("\\s+", 4);
            }
        }
        throw new AssertionError("no row for CPU " + cpu + " in\n" + frame);
    }

    /** status --root ROOT ARGS in its own JVM, stdout a pipe, stderr into {@code err}, no journal. */
    private static Process watchIntoAPipe(Path root, Path err, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("status", "--root", root.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(Cli.inOwnJvm(command.toArray(String[]::new))).redirectError(err.toFile());
        pb.environment().remove("JOURNAL_STREAM");
        pb.environment().remove(Console.COLUMNS_VARIABLE);
        return pb.start();
    }

    @Test
    void refreshesWithTheRatesOfEachCpuAndIrqUntilInterrupted() throws Exception {
        Path root = placedSample();
        Path err = tmp.resolve("err");
        Process p = watchIntoAPipe(root, err, "--watch", "1");
        try {
            Reader out = new Reader(p.getInputStream());
            out.start();
            String quiet = out.waitForFrame(f -> HEADER.matcher(f).lookingAt(), 30);
            for (int cpu = 0; cpu < 4; cpu++) {
                String[] r = row(quiet, cpu);
                assertEquals("2", r[1], quiet);
                assertEquals("0.0", r[2], "nothing counted yet: " + quiet);
            }
            assertTrue(quiet.contains("\nCPU  IRQS  INTR/S  EVENT CHANNELS (INTR/S), BUSIEST FIRST\n"), quiet);

            addInterrupts(root, Map.of(247, new long[] {3, 6000}, 248, new long[] {3, 3}, 241, new long[] {1, 600}));
            String busy = out.waitForFrame(f -> HEADER.matcher(f).lookingAt() && !row(f, 3)[2].equals("0.0"), 30);
            Matcher h = HEADER.matcher(busy);
            assertTrue(h.lookingAt());
            double seconds = Double.parseDouble(h.group(1));
            assertTrue(seconds >= 1.0, busy);
            String[] cpu3 = row(busy, 3);
            assertEquals(6003 / seconds, Double.parseDouble(cpu3[2]), 6003 / seconds * 0.01 + 1, busy);
            Matcher irqs = Pattern.compile("247 vif26\\.1-q1-tx ([0-9.]+), 248 vif26\\.1-q1-rx ([0-9.]+)").matcher(cpu3[3]);
            assertTrue(irqs.matches(), "busiest first: " + cpu3[3]);
            assertEquals(6000 / seconds, Double.parseDouble(irqs.group(1)), 6000 / seconds * 0.01 + 1, busy);
            assertEquals(3 / seconds, Double.parseDouble(irqs.group(2)), 0.1, busy);
            // IRQ 241 is bound to CPU 0, but its 600 interrupts were taken on CPU 1: each CPU's rate is
            // what it handled, each IRQ's its total.
            assertEquals(600 / seconds, Double.parseDouble(row(busy, 1)[2]), 600 / seconds * 0.01 + 1, busy);
            assertTrue(row(busy, 0)[3].startsWith("241 vif26.0-q0-tx "), busy);
            assertEquals("0.0", row(busy, 2)[2], busy);

            // The next refresh counts only what came since: nothing.
            int seen = out.frames().indexOf(busy);
            String after = out.waitForFrame(f -> out.frames().indexOf(f) > seen, 30);
            assertEquals("0.0", row(after, 3)[2], after);

            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "SIGINT ends it");
            assertEquals(130, p.exitValue());
            assertEquals("", Files.readString(err), "nothing on stderr");
        } finally {
            p.destroyForcibly();
        }
        assertEquals("0\n", HostTree.at(root).read("/proc/irq/241/smp_affinity_list"), "watching writes nothing");
    }

    /** IRQ arguments select what the refreshes show; one that matches nothing is said once, as status says it. */
    @Test
    void irqArgumentsSelectAndOneMatchingNothingIsWarnedOnce() throws Exception {
        Path root = placedSample();
        Path err = tmp.resolve("err");
        Process p = watchIntoAPipe(root, err, "vif99.*", "vif26.1-*", "--watch", "1");
        try {
            Reader out = new Reader(p.getInputStream());
            out.start();
            String first = out.waitForFrame(f -> HEADER.matcher(f).lookingAt(), 30);
            int seen = out.frames().indexOf(first);
            out.waitForFrame(f -> out.frames().indexOf(f) > seen, 30);
            assertTrue(row(first, 3)[3].startsWith("247 vif26.1-q1-tx "), first);
            assertFalse(first.contains("vif26.0-"), "guest 26's first interface is not selected: " + first);
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "SIGINT ends it");
            assertEquals("xen-irq-policy: warning: 'vif99.*' matches no event channel\n", Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void badWatchValuesAreBadUsage() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Map<String, String> before = HostTree.at(root).files();
        for (String[] bad : List.of(new String[] {"--watch", "0"}, new String[] {"--watch=601"}, new String[] {"--watch", "-1"})) {
            Cli.Result r = Cli.run(concat(List.of("status", "--root", root.toString()), bad));
            assertEquals(2, r.status(), String.join(" ", bad));
            assertEquals("", r.out());
            assertTrue(r.err().matches("xen-irq-policy: --watch: -?[0-9]+ is not from 1 to 600 seconds\n"), r.err());
        }
        Cli.Result word = Cli.run("status", "--root", root.toString(), "--watch=often");
        assertEquals(2, word.status());
        assertEquals(1, word.err().lines().count(), word.err());
        assertTrue(word.err().startsWith("xen-irq-policy: ") && word.err().contains("'often'"), word.err());
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: --watch shows text only, not --format json\n"),
                Cli.run("status", "--root", root.toString(), "--watch", "--format", "json"));
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: --watch and --sample exclude each other: the rates are over the --watch interval\n"),
                Cli.run("status", "--root", root.toString(), "--sample", "1", "--watch"));
        assertEquals(before, HostTree.at(root).files());
    }

    @Test
    void onATerminalEachRefreshClearsTheScreenAndIsCutToItsWidth() throws Exception {
        Path root = placedSample();
        ProcessBuilder pb = new ProcessBuilder(Cli.inOwnJvm("status", "--root", root.toString(), "--watch", "1"))
                .redirectError(tmp.resolve("err").toFile());
        pb.environment().remove("JOURNAL_STREAM");
        // What the launcher sets when standard output is a terminal of 40 columns.
        pb.environment().put(Console.COLUMNS_VARIABLE, "40");
        Process p = pb.start();
        try {
            Reader out = new Reader(p.getInputStream());
            out.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.text.toString().split("\033\\[H\033\\[2J", -1).length < 3 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            String all = out.text.toString();
            String[] screens = all.split("\033\\[H\033\\[2J", -1);
            assertTrue(screens.length >= 3, "two refreshes, each after a clear: " + all);
            assertEquals("", screens[0], "nothing before the first clear");
            String screen = screens[1];
            assertTrue(screen.startsWith("every 1s: 8 event-channel IRQs, inter...\n"), screen);
            assertTrue(screen.lines().allMatch(l -> l.length() <= 40), screen);
            assertTrue(screen.contains("\n0       2     0.0  241 vif26.0-q0-tx ...\n"), screen);
        } finally {
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            p.destroyForcibly();
        }
        assertEquals(130, p.exitValue());
    }

    private static String[] concat(List<String> head, String[] tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }
}
