package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.JsonReader;

/** What apply prints by default, with --quiet, --verbose and --format json. */
class ApplyOutputTest {
    private static final String SUMMARY = "spread: 8 moved, 0 in place, 0 gone, 0 failed; plan saved in /run/xen-irq-policy/plan\n";

    @TempDir
    Path tmp;

    /** The sample dom0 with IRQ 243's affinity file made a directory (its write fails) and IRQ 246 gone. */
    private Path brokenSample(String name) throws IOException {
        Path root = Cli.sampleDom0(tmp.resolve(name));
        Path attr = root.resolve("proc/irq/243/smp_affinity_list");
        Files.delete(attr);
        Files.createDirectory(attr);
        Files.delete(root.resolve("proc/irq/246/smp_affinity_list"));
        return root;
    }

    /** A line of /proc/interrupts that fits no layout: a warning. */
    private static void addUnparseableLine(Path root) throws IOException {
        Files.writeString(root.resolve("proc/interrupts"), "garbage line\n", StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
    }

    /**
     * A request the apply cannot remove (here a directory with a file in it, where the hook
     * leaves an empty file) comes after the writes: the IRQs are placed and the apply says so,
     * exit 1 (partly done), not exit 2 "nothing was written"; its result is recorded for check.
     */
    @Test
    void aRequestThatCannotBeRemovedIsAPartFailureAfterTheIrqsArePlaced() throws IOException {
        Path root = Cli.sampleDom0(tmp.resolve("requests"));
        Path request = root.resolve("run/irqbalance/xen-irq-policy-request.241");
        Files.createDirectories(request);
        Files.writeString(request.resolve("inside"), "");
        Cli.Result r = Cli.run("apply", "--root", root.toString());
        assertEquals(1, r.status(), r.err());
        assertEquals(SUMMARY, r.out());
        assertTrue(r.err().matches("xen-irq-policy: the IRQs are placed but the hook's requests could not be removed, "
                + "so the path unit starts apply again: cannot remove [^\n]*/run/irqbalance/xen-irq-policy-request\\.241[^\n]*\n"), r.err());
        HostTree t = HostTree.at(root);
        assertEquals("0\n", t.read("/proc/irq/241/smp_affinity_list"));
        assertEquals("3\n", t.read("/proc/irq/248/smp_affinity_list"));
        assertTrue(t.read("/run/xen-irq-policy/last-apply").startsWith("exit=1 "), t.read("/run/xen-irq-policy/last-apply"));
        Cli.Result json = Cli.run("apply", "--root", root.toString(), "--format", "json");
        assertEquals(1, json.status());
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) JsonReader.object(json.out()).get("summary");
        assertTrue(((String) summary.get("requestsError")).startsWith("cannot remove "), json.out());
    }

    @Test
    void byDefaultOneSummaryLineAndWithVerboseEveryMoveBeforeIt() {
        Cli.Result plain = Cli.run("apply", "--root", Cli.sampleDom0(tmp.resolve("a")).toString());
        assertEquals(new Cli.Result(0, SUMMARY, ""), plain);

        Cli.Result verbose = Cli.run("apply", "--root", Cli.sampleDom0(tmp.resolve("b")).toString(), "--verbose");
        assertEquals(new Cli.Result(0, """
                moved 241 vif26.0-q0-tx: 0-3 -> 0
                moved 242 vif26.0-q0-rx: 0-3 -> 0
                moved 243 vif26.0-q1-tx: 0-3 -> 1
                moved 244 vif26.0-q1-rx: 0-3 -> 1
                moved 245 vif26.1-q0-tx: 0-3 -> 2
                moved 246 vif26.1-q0-rx: 0-3 -> 2
                moved 247 vif26.1-q1-tx: 0-3 -> 3
                moved 248 vif26.1-q1-rx: 0-3 -> 3
                """ + SUMMARY, ""), verbose);
        assertEquals(verbose, Cli.run("apply", "-v", "--root", Cli.sampleDom0(tmp.resolve("c")).toString()));
    }

    @Test
    void quietPrintsOnlyTheErrors() throws IOException {
        Path loud = brokenSample("loud");
        addUnparseableLine(loud);
        Cli.Result normal = Cli.run("apply", "--root", loud.toString());
        assertEquals(1, normal.status());
        List<String> err = normal.err().lines().toList();
        assertEquals(2, err.size(), normal.err());
        assertEquals("xen-irq-policy: warning: skipped 1 unparseable line(s) of /proc/interrupts, the first at line 10", err.get(0));
        assertTrue(err.get(1).startsWith("xen-irq-policy: IRQ 243 vif26.0-q1-tx: "), normal.err());
        assertEquals("spread: 6 moved, 0 in place, 1 gone, 1 failed; plan saved in /run/xen-irq-policy/plan\n", normal.out());

        Path quiet = brokenSample("quiet");
        addUnparseableLine(quiet);
        Cli.Result q = Cli.run("apply", "--root", quiet.toString(), "--quiet");
        assertEquals(new Cli.Result(1, "", err.get(1) + "\n"), q);
        assertEquals(HostTree.at(loud).read("/run/xen-irq-policy/plan/all"), HostTree.at(quiet).read("/run/xen-irq-policy/plan/all"),
                "--quiet changes what is printed, not what is done");
        assertEquals(new Cli.Result(0, "", ""), Cli.run("apply", "-q", "--root", Cli.sampleDom0(tmp.resolve("ok")).toString()));
    }

    @Test
    void quietWithVerboseIsBadUsageAndWritesNothing() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Map<String, String> before = HostTree.at(root).files();
        Cli.Result r = Cli.run("apply", "--root", root.toString(), "--quiet", "--verbose");
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: --quiet and --verbose exclude each other\n"), r);
        assertEquals(before, HostTree.at(root).files());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonHoldsTheMovesTheFailuresAndTheSummaryInOneObject() throws IOException {
        Path root = brokenSample("root");
        Cli.Result r = Cli.run("apply", "--root", root.toString(), "--format", "json", "--verbose");
        assertEquals(1, r.status());
        assertEquals(1, r.out().lines().count(), "one object on one line: " + r.out());
        assertTrue(r.err().matches("xen-irq-policy: IRQ 243 vif26.0-q1-tx: [^\n]+\n"), "failures still on stderr: " + r.err());
        Map<String, Object> json = JsonReader.object(r.out());
        assertEquals(List.of("version", "dryRun", "strategy", "usable", "moves", "gone", "failures", "summary"),
                List.copyOf(json.keySet()));
        assertEquals(1L, json.get("version"));
        assertEquals(false, json.get("dryRun"));
        assertEquals("spread", json.get("strategy"));
        assertEquals("0-3", json.get("usable"));
        List<Map<String, Object>> moves = (List<Map<String, Object>>) json.get("moves");
        assertEquals(List.of(241L, 242L, 244L, 245L, 247L, 248L), moves.stream().map(m -> m.get("irq")).toList());
        assertEquals(Map.of("irq", 241L, "name", "vif26.0-q0-tx", "from", "0-3", "to", 0L), moves.get(0));
        for (Map<String, Object> m : moves) {
            assertEquals(m.get("to") + "\n", HostTree.at(root).read("/proc/irq/" + m.get("irq") + "/smp_affinity_list"), "as written: " + m);
        }
        assertEquals(List.of(Map.of("irq", 246L, "name", "vif26.1-q0-rx")), json.get("gone"));
        List<Map<String, Object>> failures = (List<Map<String, Object>>) json.get("failures");
        assertEquals(1, failures.size());
        Map<String, Object> failure = failures.get(0);
        assertEquals(243L, failure.get("irq"));
        assertEquals("vif26.0-q1-tx", failure.get("name"));
        assertEquals(1L, failure.get("to"));
        assertEquals("xen-irq-policy: IRQ 243 vif26.0-q1-tx: " + failure.get("error") + "\n", r.err());
        Map<String, Object> summary = (Map<String, Object>) json.get("summary");
        assertEquals(8L, summary.get("eventChannels"), "as read, the one gone since included");
        assertEquals(6L, summary.get("moved"));
        assertEquals(0L, summary.get("inPlace"));
        assertEquals(1L, summary.get("gone"));
        assertEquals(1L, summary.get("failed"));
        assertEquals(true, summary.get("planSaved"));
        assertEquals("/run/xen-irq-policy/plan", summary.get("planFile"));
        assertEquals(null, summary.get("saveError"));
        assertTrue(summary.containsKey("saveError"));

        // Run again: nothing moves; the failure stays.
        Map<String, Object> again = JsonReader.object(Cli.run("apply", "--root", root.toString(), "--format", "json").out());
        assertEquals(List.of(), again.get("moves"));
        assertEquals(6L, ((Map<String, Object>) again.get("summary")).get("inPlace"));
        assertEquals(1L, ((Map<String, Object>) again.get("summary")).get("failed"));
    }

    @Test
    void aDryRunInJsonListsWhatWouldMoveAndWritesNothing() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Map<String, String> before = HostTree.at(root).files();
        Cli.Result r = Cli.run("apply", "--root", root.toString(), "--format", "json", "--dry-run", "--strategy", "modulo");
        assertEquals(0, r.status(), r.err());
        Map<String, Object> json = JsonReader.object(r.out());
        assertEquals(true, json.get("dryRun"));
        assertEquals(8, ((List<?>) json.get("moves")).size());
        assertEquals(Map.of("irq", 241L, "name", "vif26.0-q0-tx", "from", "0-3", "to", 1L), ((List<?>) json.get("moves")).get(0));
        assertEquals(false, ((Map<?, ?>) json.get("summary")).get("planSaved"));
        assertEquals(before, HostTree.at(root).files());
    }

    @Test
    void everyJsonReportBeginsWithItsSchemaVersion() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        for (List<String> command : List.of(List.of("plan"), List.of("status"), List.of("check"), List.of("apply", "--dry-run"),
                List.of("apply"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--root", root.toString(), "--format", "json"));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            Map<String, Object> json = JsonReader.object(r.out());
            assertEquals("version", json.keySet().iterator().next(), command + ": " + r.out());
            assertEquals((long) Json.VERSION, json.get("version"), command.toString());
        }
        assertEquals(1, Json.VERSION, "raising the version is a documented change: see OUTPUT in the man page");
        assertFalse(Files.exists(root.resolve("nothing")));
    }
}
