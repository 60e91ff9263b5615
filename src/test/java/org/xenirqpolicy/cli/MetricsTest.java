package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.Promtool;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * xen-irq-policy metrics on trees: the exposition exactly, names escaped, the per-IRQ series cap,
 * the textfile written whole, bad input refused; promtool checks what it prints.
 */
class MetricsTest {
    private static final String PROM_DIR = "/var/lib/prometheus/node-exporter";
    private static final String PROM_FILE = PROM_DIR + "/xen_irq_policy.prom";

    @TempDir
    Path tmp;

    private HostTree applied() {
        HostTree t = HostTree.at(Cli.sampleDom0(tmp.resolve("root")));
        Cli.Result apply = Cli.run("apply", "--root", t.root().toString());
        assertEquals(0, apply.status(), apply.err());
        return t;
    }

    private static Cli.Result metrics(HostTree t, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "metrics";
        args[1] = "--root";
        args[2] = t.root().toString();
        System.arraycopy(more, 0, args, 3, more.length);
        return Cli.run(args);
    }

    /** The values that depend on the clock, which a test cannot know to the millisecond, as T. */
    private static String withoutClock(String text) {
        return text.replaceAll("(?m)^(xen_irq_policy_(plan_age_seconds|last_apply_timestamp_seconds|last_apply_duration_seconds)) [0-9.]+$",
                "$1 T");
    }

    private static String family(String name, String type, String help, String... samples) {
        StringBuilder out = new StringBuilder("# HELP xen_irq_policy_" + name + " " + help + "\n# TYPE xen_irq_policy_" + name + " " + type + "\n");
        for (String s : samples) {
            out.append("xen_irq_policy_").append(s).append('\n');
        }
        return out.toString();
    }

    private static final String CPU_INTERRUPTS_HELP = "Interrupts of all event-channel IRQs on this CPU since boot;"
            + " it falls when an event channel goes away (a guest stops), which rate() takes for a reset.";
    private static final String IRQ_HELP = "Interrupts of this event-channel IRQ since boot, all CPUs."
            + " Written for at most METRICS_IRQ_SERIES_MAX event channels.";
    private static final String IRQ_CPU_HELP = "The one CPU this event-channel IRQ runs on (its effective affinity, else its affinity);"
            + " -1 when that is not one CPU. Written for at most METRICS_IRQ_SERIES_MAX event channels.";

    @Test
    void theSampleDom0AfterApplyExactlyAndPromtoolFindsNothing() {
        HostTree t = applied();
        Cli.Result r = metrics(t);
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertEquals(family("build_info", "gauge", "The version of xen-irq-policy that wrote these metrics.", "build_info{version=\"0.1.0\"} 1")
                + family("event_channels", "gauge", "Xen event-channel IRQs in dom0.", "event_channels 8")
                + family("excluded_event_channels", "gauge", "Event-channel IRQs excluded by EXCLUDE= or irqbalance's --banirq, left where they are.",
                        "excluded_event_channels 0")
                + family("misplaced_event_channels", "gauge", "Event-channel IRQs whose affinity is not the CPU the applied plan puts them on.",
                        "misplaced_event_channels 0")
                + family("cpu_usable", "gauge", "1 if event channels may use this online CPU, else 0.",
                        "cpu_usable{cpu=\"0\"} 1", "cpu_usable{cpu=\"1\"} 1", "cpu_usable{cpu=\"2\"} 1", "cpu_usable{cpu=\"3\"} 1")
                + family("cpu_event_channels", "gauge", "Event-channel IRQs bound to this CPU alone.",
                        "cpu_event_channels{cpu=\"0\"} 2", "cpu_event_channels{cpu=\"1\"} 2", "cpu_event_channels{cpu=\"2\"} 2",
                        "cpu_event_channels{cpu=\"3\"} 2")
                // The counts of /proc/interrupts per CPU column: where the interrupts were taken, before the apply too.
                + family("cpu_interrupts_total", "counter", CPU_INTERRUPTS_HELP,
                        "cpu_interrupts_total{cpu=\"0\"} 2098", "cpu_interrupts_total{cpu=\"1\"} 536629", "cpu_interrupts_total{cpu=\"2\"} 0",
                        "cpu_interrupts_total{cpu=\"3\"} 3615364")
                + family("imbalance_ratio", "gauge", "Interrupts since boot of the busiest usable CPU over the mean of the usable CPUs;"
                        + " NaN when none were counted.", "imbalance_ratio 3.4813")
                // One series per IRQ whatever its CPU: a move changes the value of irq_cpu, not a label.
                + family("irq_interrupts_total", "counter", IRQ_HELP,
                        "irq_interrupts_total{irq=\"241\",name=\"vif26.0-q0-tx\",kind=\"net\"} 158775",
                        "irq_interrupts_total{irq=\"242\",name=\"vif26.0-q0-rx\",kind=\"net\"} 1",
                        "irq_interrupts_total{irq=\"243\",name=\"vif26.0-q1-tx\",kind=\"net\"} 158188",
                        "irq_interrupts_total{irq=\"244\",name=\"vif26.0-q1-rx\",kind=\"net\"} 1",
                        "irq_interrupts_total{irq=\"245\",name=\"vif26.1-q0-tx\",kind=\"net\"} 378245",
                        "irq_interrupts_total{irq=\"246\",name=\"vif26.1-q0-rx\",kind=\"net\"} 1",
                        "irq_interrupts_total{irq=\"247\",name=\"vif26.1-q1-tx\",kind=\"net\"} 3458879",
                        "irq_interrupts_total{irq=\"248\",name=\"vif26.1-q1-rx\",kind=\"net\"} 1")
                + family("irq_cpu", "gauge", IRQ_CPU_HELP,
                        "irq_cpu{irq=\"241\",name=\"vif26.0-q0-tx\",kind=\"net\"} 0",
                        "irq_cpu{irq=\"242\",name=\"vif26.0-q0-rx\",kind=\"net\"} 0",
                        "irq_cpu{irq=\"243\",name=\"vif26.0-q1-tx\",kind=\"net\"} 1",
                        "irq_cpu{irq=\"244\",name=\"vif26.0-q1-rx\",kind=\"net\"} 1",
                        "irq_cpu{irq=\"245\",name=\"vif26.1-q0-tx\",kind=\"net\"} 2",
                        "irq_cpu{irq=\"246\",name=\"vif26.1-q0-rx\",kind=\"net\"} 2",
                        "irq_cpu{irq=\"247\",name=\"vif26.1-q1-tx\",kind=\"net\"} 3",
                        "irq_cpu{irq=\"248\",name=\"vif26.1-q1-rx\",kind=\"net\"} 3")
                + family("plan_age_seconds", "gauge", "Seconds since the applied plan was last written (apply rewrites it only when it changes).",
                        "plan_age_seconds T")
                + family("check_ok", "gauge", "1 if this check of 'xen-irq-policy check' passes, else 0.",
                        "check_ok{check=\"hook-configured\"} 0", "check_ok{check=\"hook-running\"} 0", "check_ok{check=\"irqbalance-active\"} 0",
                        "check_ok{check=\"selinux\"} 1", "check_ok{check=\"last-apply\"} 1", "check_ok{check=\"plan-fresh\"} 1",
                        "check_ok{check=\"placement\"} 1", "check_ok{check=\"requests\"} 1")
                + family("last_apply_exit_status", "gauge", "Exit status of the last recorded apply: 0 done, 1 partly done.", "last_apply_exit_status 0")
                + family("last_apply_timestamp_seconds", "gauge", "When the last recorded apply ended, in seconds since the epoch.",
                        "last_apply_timestamp_seconds T")
                + family("last_apply_duration_seconds", "gauge", "How long the last recorded apply ran.", "last_apply_duration_seconds T")
                // The sample's settings: ADAPTIVE unset (no), ADAPTIVE_INTERVAL_MINUTES its default 1.
                + family("adaptive_enabled", "gauge", "1 if ADAPTIVE=yes (the adaptive mode may move event channels), else 0.",
                        "adaptive_enabled 0")
                + family("adaptive_interval_seconds", "gauge", "ADAPTIVE_INTERVAL_MINUTES in seconds: how often an adaptive run is due.",
                        "adaptive_interval_seconds 60"),
                withoutClock(r.out()));
        Promtool.requirePresent();
        assertEquals(new Promtool.Result(0, ""), Promtool.checkMetrics(r.out(), tmp));
    }

    @Test
    void theClockValuesAreThoseOfThePlanFileAndTheLastApplyRecord() throws IOException {
        HostTree t = applied();
        Instant planWritten = Instant.now().minusSeconds(3600);
        // The plan's age is that of its whole-plan file, which every save writes (the link is
        // renamed only when a save writes a new directory).
        FileTime written = FileTime.from(planWritten);
        Files.getFileAttributeView(t.path("/run/xen-irq-policy/plan/all"), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
               .setTimes(written, null, null);
        Files.getFileAttributeView(t.path("/run/xen-irq-policy/plan"), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
               .setTimes(FileTime.from(Instant.now()), null, null);
        t.write("/run/xen-irq-policy/last-apply", "exit=1 time=2026-12-01T10:00:00Z duration=2.345\n");
        String out = metrics(t).out();
        double age = Double.parseDouble(line(out, "xen_irq_policy_plan_age_seconds ").substring("xen_irq_policy_plan_age_seconds ".length()));
        assertTrue(age >= 3600 && age < 3660, out);
        assertEquals("xen_irq_policy_last_apply_exit_status 1", line(out, "xen_irq_policy_last_apply_exit_status "));
        assertEquals("xen_irq_policy_last_apply_timestamp_seconds 1796119200", line(out, "xen_irq_policy_last_apply_timestamp_seconds "));
        assertEquals("xen_irq_policy_last_apply_duration_seconds 2.345", line(out, "xen_irq_policy_last_apply_duration_seconds "));
        assertEquals("xen_irq_policy_check_ok{check=\"last-apply\"} 0", line(out, "xen_irq_policy_check_ok{check=\"last-apply\"}"));

        // A save in place (a move: same usable CPUs, same selectors) is a write of the plan too.
        String link = Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan")).toString();
        Plan plan = PlanStore.load(Host.at(t.root())).orElseThrow();
        Placement first = plan.placements().get(0);
        int other = plan.usable().stream().filter(cpu -> cpu != first.cpu()).findFirst().orElseThrow();
        List<Placement> moved = new ArrayList<>(plan.placements());
        moved.set(0, new Placement(first.irq(), other, first.name()));
        assertTrue(PlanStore.save(Host.at(t.root()), new Plan(plan.strategy(), plan.usable(), moved, plan.excluded())));
        assertEquals(link, Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan")).toString(), "saved in place");
        out = metrics(t).out();
        age = Double.parseDouble(line(out, "xen_irq_policy_plan_age_seconds ").substring("xen_irq_policy_plan_age_seconds ".length()));
        assertTrue(age < 60, out);
    }

    /** The adaptive mode's switch and interval come from the settings, whether or not a run is recorded. */
    @Test
    void theAdaptiveSettingsAreThoseOfTheSettingsFile() {
        HostTree t = applied();
        t.write("/etc/sysconfig/xen-irq-policy", "ADAPTIVE=yes\nADAPTIVE_INTERVAL_MINUTES=12\n");
        String out = metrics(t).out();
        assertEquals("xen_irq_policy_adaptive_enabled 1", line(out, "xen_irq_policy_adaptive_enabled "));
        assertEquals("xen_irq_policy_adaptive_interval_seconds 720", line(out, "xen_irq_policy_adaptive_interval_seconds "));
        assertFalse(out.contains("adaptive_last_run"), out);
        t.write("/etc/sysconfig/xen-irq-policy", "ADAPTIVE=no\nADAPTIVE_INTERVAL_MINUTES=1440\n");
        out = metrics(t).out();
        assertEquals("xen_irq_policy_adaptive_enabled 0", line(out, "xen_irq_policy_adaptive_enabled "));
        assertEquals("xen_irq_policy_adaptive_interval_seconds 86400", line(out, "xen_irq_policy_adaptive_interval_seconds "));
    }

    @Test
    void aRecordOfAnOlderReleaseHasNoDurationAndStillCounts() {
        HostTree t = applied();
        t.write("/run/xen-irq-policy/last-apply", "exit=0 time=2026-12-01T10:00:00Z\n");
        String out = metrics(t).out();
        assertEquals("xen_irq_policy_last_apply_timestamp_seconds 1796119200", line(out, "xen_irq_policy_last_apply_timestamp_seconds "));
        assertFalse(out.contains("last_apply_duration_seconds"), out);
        assertEquals("xen_irq_policy_check_ok{check=\"last-apply\"} 1", line(out, "xen_irq_policy_check_ok{check=\"last-apply\"}"));
    }

    @Test
    void withoutAnApplyThereIsNoPlanAgeNoMisplacedCountAndNoLastApply() {
        HostTree t = HostTree.at(Cli.sampleDom0(tmp.resolve("root")));
        Cli.Result r = metrics(t);
        assertEquals(0, r.status(), r.err());
        for (String absent : List.of("plan_age_seconds", "misplaced_event_channels", "last_apply_")) {
            assertFalse(r.out().contains("xen_irq_policy_" + absent), absent + " in\n" + r.out());
        }
        assertEquals("xen_irq_policy_check_ok{check=\"plan-fresh\"} 0", line(r.out(), "xen_irq_policy_check_ok{check=\"plan-fresh\"}"));
        assertEquals("xen_irq_policy_check_ok{check=\"last-apply\"} 0", line(r.out(), "xen_irq_policy_check_ok{check=\"last-apply\"}"));
    }

    /**
     * The alert for a failing check reads xen_irq_policy_check_ok: on a host where uninstall
     * recorded the opt-out, the hook's checks are 1, and only what fails for another reason is 0
     * (here no irqbalance runs at all, which the opt-out does not excuse).
     */
    @Test
    void afterUninstallTheHooksChecksAreReportedAsPassing() {
        HostTree t = applied();
        String before = metrics(t).out();
        assertEquals(List.of("xen_irq_policy_check_ok{check=\"hook-configured\"} 0", "xen_irq_policy_check_ok{check=\"hook-running\"} 0",
                "xen_irq_policy_check_ok{check=\"irqbalance-active\"} 0"), failing(before));
        Cli.Result uninstall = Cli.run("uninstall", "--root", t.root().toString());
        assertEquals(0, uninstall.status(), uninstall.err());
        String out = metrics(t).out();
        assertEquals(List.of("xen_irq_policy_check_ok{check=\"irqbalance-active\"} 0"), failing(out));
        assertEquals("xen_irq_policy_check_ok{check=\"hook-configured\"} 1", line(out, "xen_irq_policy_check_ok{check=\"hook-configured\"}"));
        assertEquals("xen_irq_policy_check_ok{check=\"hook-running\"} 1", line(out, "xen_irq_policy_check_ok{check=\"hook-running\"}"));
        assertEquals(withoutClock(before).lines().filter(l -> !l.startsWith("xen_irq_policy_check_ok")).toList(),
                withoutClock(out).lines().filter(l -> !l.startsWith("xen_irq_policy_check_ok")).toList(), "no other series changes");
    }

    private static List<String> failing(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("xen_irq_policy_check_ok{") && l.endsWith(" 0")).toList();
    }

    @Test
    void aMisplacedEventChannelIsCounted() {
        HostTree t = applied();
        String before = metrics(t).out();
        t.write("/proc/irq/247/smp_affinity_list", "0\n");
        String out = metrics(t).out();
        assertEquals("xen_irq_policy_misplaced_event_channels 1", line(out, "xen_irq_policy_misplaced_event_channels "));
        // The move is a new value of the same series, not a new series: Prometheus keeps one per IRQ.
        assertEquals("xen_irq_policy_irq_cpu{irq=\"247\",name=\"vif26.1-q1-tx\",kind=\"net\"} 3",
                line(before, "xen_irq_policy_irq_cpu{irq=\"247\""));
        assertEquals("xen_irq_policy_irq_cpu{irq=\"247\",name=\"vif26.1-q1-tx\",kind=\"net\"} 0", line(out, "xen_irq_policy_irq_cpu{irq=\"247\""));
        List<String> counters = out.lines().filter(l -> l.startsWith("xen_irq_policy_irq_interrupts_total{")).toList();
        assertEquals(before.lines().filter(l -> l.startsWith("xen_irq_policy_irq_interrupts_total{")).toList(), counters, "same series, same values");
        assertEquals("xen_irq_policy_check_ok{check=\"placement\"} 0", line(out, "xen_irq_policy_check_ok{check=\"placement\"}"));
    }

    /**
     * Names are the kernel's bytes: a backslash and a double quote are escaped, a UTF-8 name stays
     * as it is, a byte that is not UTF-8 becomes U+FFFD; promtool reads them all.
     */
    @Test
    void oddNamesAreEscapedAsTheFormatSays() {
        String utf8 = new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        HostTree t = HostTree.at(tmp.resolve("odd")).fromInterrupts(
                "           CPU0       CPU1\n"
                + " 40:          5          7   xen-dyn    -event     back\\slash\n"
                + " 41:          1          0   xen-dyn    -event     say \"hi\" \\\"\n"
                + " 42:          0          3   xen-dyn    -event     caf\u00e9\n"
                + " 43:          2          2   xen-dyn    -event     " + utf8 + "\n"
                + " 44:          9          0   xen-dyn    -event     {x=\"1\"} #\n", true);
        Cli.Result r = metrics(t);
        assertEquals(0, r.status(), r.err());
        List<String> irqLines = r.out().lines().filter(l -> l.startsWith("xen_irq_policy_irq_")).toList();
        List<String> labels = List.of("{irq=\"40\",name=\"back\\\\slash\",kind=\"other\"}",
                "{irq=\"41\",name=\"say \\\"hi\\\" \\\\\\\"\",kind=\"other\"}",
                "{irq=\"42\",name=\"caf\uFFFD\",kind=\"other\"}",
                "{irq=\"43\",name=\"café\",kind=\"other\"}",
                "{irq=\"44\",name=\"{x=\\\"1\\\"} #\",kind=\"other\"}");
        List<String> totals = List.of("12", "1", "3", "4", "9");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            expected.add("xen_irq_policy_irq_interrupts_total" + labels.get(i) + " " + totals.get(i));
        }
        // Affinity 0-1 (the tree's default): not one CPU.
        labels.forEach(l -> expected.add("xen_irq_policy_irq_cpu" + l + " -1"));
        assertEquals(expected, irqLines);
        Promtool.requirePresent();
        assertEquals(new Promtool.Result(0, ""), Promtool.checkMetrics(r.out(), tmp));
    }

    /**
     * The format is UTF-8 whatever the locale: under LANG=C (the POSIX locale, where the JVM's
     * standard output would be ASCII and write '?' for é) the command, in a JVM of its own as the
     * launcher starts it, writes a UTF-8 name as its bytes, and promtool reads them.
     */
    @Test
    void underThePosixLocaleTheOutputIsStillUtf8() throws Exception {
        String utf8 = new String("café-ü€".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        HostTree t = HostTree.at(tmp.resolve("posix")).fromInterrupts(
                "           CPU0       CPU1\n"
                + " 43:          2          2   xen-dyn    -event     " + utf8 + "\n", true);
        Path out = tmp.resolve("out");
        ProcessBuilder pb = new ProcessBuilder(Cli.inOwnJvm("metrics", "--root", t.root().toString()))
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANGUAGE"));
        pb.environment().put("LANG", "C");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "metrics did not end");
        assertEquals(0, p.exitValue());
        byte[] bytes = Files.readAllBytes(out);
        byte[] expected = ("xen_irq_policy_irq_interrupts_total{irq=\"43\",name=\"café-ü€\",kind=\"other\"} 4\n")
                .getBytes(StandardCharsets.UTF_8);
        assertTrue(indexOf(bytes, expected) >= 0, new String(bytes, StandardCharsets.ISO_8859_1));
        Promtool.requirePresent();
        assertEquals(new Promtool.Result(0, ""), Promtool.checkMetrics(bytes, tmp));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Not a dom0: no event channel, so nothing counted; the metrics say so and stay valid. */
    @Test
    void aHostWithoutEventChannelsHasZerosAndANanImbalance() {
        HostTree t = HostTree.at(tmp.resolve("plain")).fromInterrupts(
                "           CPU0       CPU1\n"
                + " 24:        100        200   PCI-MSI 524288-edge      eth0\n", true);
        Cli.Result r = metrics(t);
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err(), "the timer runs it every minute: no note for the journal each time");
        assertEquals("xen_irq_policy_event_channels 0", line(r.out(), "xen_irq_policy_event_channels "));
        assertEquals("xen_irq_policy_imbalance_ratio NaN", line(r.out(), "xen_irq_policy_imbalance_ratio "));
        assertEquals("xen_irq_policy_cpu_interrupts_total{cpu=\"1\"} 0", line(r.out(), "xen_irq_policy_cpu_interrupts_total{cpu=\"1\"}"));
        assertFalse(r.out().contains("xen_irq_policy_irq_interrupts_total{") || r.out().contains("xen_irq_policy_irq_cpu{"), r.out());
        Promtool.requirePresent();
        assertEquals(new Promtool.Result(0, ""), Promtool.checkMetrics(r.out(), tmp));
    }

    @Test
    void aNewlineInALabelValueIsEscaped() {
        assertEquals("{name=\"a\\nb\\\\n\\\"\"}", MetricsReports.labels("name", "a\nb\\n\""));
    }

    @Test
    void perIrqSeriesOnlyUpToTheConfiguredNumberOfEventChannels() {
        HostTree t = applied();
        t.write("/etc/sysconfig/xen-irq-policy", "METRICS_IRQ_SERIES_MAX=8\n");
        assertEquals(8, metrics(t).out().lines().filter(l -> l.startsWith("xen_irq_policy_irq_interrupts_total{")).count());
        assertEquals(8, metrics(t).out().lines().filter(l -> l.startsWith("xen_irq_policy_irq_cpu{")).count());
        t.write("/etc/sysconfig/xen-irq-policy", "METRICS_IRQ_SERIES_MAX=7\n");
        Cli.Result capped = metrics(t);
        assertEquals(0, capped.status(), capped.err());
        assertFalse(capped.out().contains("xen_irq_policy_irq_"), capped.out());
        assertTrue(capped.out().contains("xen_irq_policy_cpu_interrupts_total{cpu=\"3\"} 3615364\n"), capped.out());
        t.write("/etc/sysconfig/xen-irq-policy", "METRICS_IRQ_SERIES_MAX=0\n");
        assertFalse(metrics(t).out().contains("xen_irq_policy_irq_"));
    }

    @Test
    void aLargeDom0IsCappedByDefaultAndPromtoolFindsNothing() {
        // 40 guests: 8 CPUs, more than 512 event channels.
        HostTree t = SyntheticDom0.FORTY_GUESTS.layOut(HostTree.at(tmp.resolve("big")));
        Cli.Result r = metrics(t);
        assertEquals(0, r.status(), r.err());
        long channels = Long.parseLong(line(r.out(), "xen_irq_policy_event_channels ").split(" ")[1]);
        assertTrue(channels > 512, r.out());
        assertFalse(r.out().contains("xen_irq_policy_irq_"));
        assertEquals(8, r.out().lines().filter(l -> l.startsWith("xen_irq_policy_cpu_interrupts_total{")).count());
        Promtool.requirePresent();
        assertEquals(new Promtool.Result(0, ""), Promtool.checkMetrics(r.out(), tmp));
    }

    @Test
    void theTextfileIsWrittenWholeByRenameIntoMetricsDir() throws IOException {
        HostTree t = applied();
        Files.createDirectories(t.path(PROM_DIR));
        t.write(PROM_FILE, "old_metric 1\n");
        Files.setPosixFilePermissions(t.path(PROM_FILE), PosixFilePermissions.fromString("rw-r-----"));
        Object inodeBefore = Files.getAttribute(t.path(PROM_FILE), "unix:ino");
        Cli.Result r = metrics(t, "--textfile");
        assertEquals(new Cli.Result(0, "", ""), r);
        assertEquals(withoutClock(metrics(t).out()), withoutClock(Files.readString(t.path(PROM_FILE), StandardCharsets.UTF_8)));
        assertNotEquals(inodeBefore, Files.getAttribute(t.path(PROM_FILE), "unix:ino"), "replaced by a rename, not rewritten in place");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.path(PROM_FILE))), "the mode of the file replaced");
        try (Stream<Path> files = Files.list(t.path(PROM_DIR))) {
            assertEquals(List.of("xen_irq_policy.prom"), files.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
    }

    @Test
    void theTextfileGoesWhereMetricsDirOrTheOptionSays() throws IOException {
        HostTree t = applied();
        Files.createDirectories(t.path("/srv/textfiles"));
        Files.createDirectories(t.path("/srv/other"));
        t.write("/etc/sysconfig/xen-irq-policy", "METRICS_DIR=/srv/textfiles/\n");
        assertEquals(new Cli.Result(0, "", ""), metrics(t, "--textfile"));
        assertTrue(Files.readString(t.path("/srv/textfiles/xen_irq_policy.prom")).startsWith("# HELP xen_irq_policy_build_info "));
        assertEquals(new Cli.Result(0, "", ""), metrics(t, "--textfile=/srv/other"));
        assertTrue(Files.isRegularFile(t.path("/srv/other/xen_irq_policy.prom")));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.path("/srv/other/xen_irq_policy.prom"))),
                "readable by node_exporter's user");
        assertFalse(Files.exists(t.path(PROM_FILE)));
    }

    @Test
    void aMissingDirectoryOrABadSettingIsOneLineAndWritesNothing() throws IOException {
        HostTree t = applied();
        Map<String, String> before = t.files();
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: " + PROM_DIR + " is not a directory: is node_exporter installed?"
                + " (METRICS_DIR in /etc/sysconfig/xen-irq-policy)\n"), metrics(t, "--textfile"));
        assertEquals(before, t.files());
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: --textfile: 'srv' is not an absolute directory\n"), metrics(t, "--textfile", "srv"));
        Files.createDirectories(t.path(PROM_DIR));
        t.write("/etc/sysconfig/xen-irq-policy", "METRICS_IRQ_SERIES_MAX=lots\n");
        before = t.files();
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: /etc/sysconfig/xen-irq-policy:1: METRICS_IRQ_SERIES_MAX: 'lots' is not a whole"
                + " number from 0 to 1000000\n"), metrics(t, "--textfile"));
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: /etc/sysconfig/xen-irq-policy:1: METRICS_IRQ_SERIES_MAX: 'lots' is not a whole"
                + " number from 0 to 1000000\n"), metrics(t));
        assertEquals(before, t.files());
    }

    @Test
    void removeTakesAwayTheTextfileAndNothingElse() throws IOException {
        HostTree t = applied();
        Files.createDirectories(t.path(PROM_DIR));
        t.write(PROM_DIR + "/node.prom", "other 1\n");
        assertEquals(new Cli.Result(0, "", ""), metrics(t, "--textfile"));
        assertTrue(Files.exists(t.path(PROM_FILE)));
        Map<String, String> before = t.files();
        before.remove(PROM_FILE.substring(1));
        assertEquals(new Cli.Result(0, "", ""), metrics(t, "--textfile", "--remove"));
        assertEquals(before, t.files(), "only " + PROM_FILE + " removed");
        assertEquals(new Cli.Result(0, "", ""), metrics(t, "--textfile", "--remove"), "nothing to remove is no error");
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: --remove needs --textfile: it removes the file that --textfile writes\n"),
                metrics(t, "--remove"));
        Files.createDirectories(t.path("/srv/textfiles"));
        t.write("/srv/textfiles/xen_irq_policy.prom", "x 1\n").write("/etc/sysconfig/xen-irq-policy", "METRICS_DIR=/srv/textfiles\n");
        assertEquals(new Cli.Result(0, "", ""), metrics(t, "--textfile", "--remove"));
        assertFalse(Files.exists(t.path("/srv/textfiles/xen_irq_policy.prom")), "removed where METRICS_DIR says");
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line " + prefix + ")");
    }
}
