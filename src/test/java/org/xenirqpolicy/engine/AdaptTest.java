package org.xenirqpolicy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.read.HostReader;
import org.xenirqpolicy.read.InterruptsTable;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.JsonReader;
import org.xenirqpolicy.testing.Promtool;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * {@code xen-irq-policy adapt} on generated dom0s, through the CLI, judged by the bytes it leaves:
 * smp_affinity_list, the saved plan, the state file, and what it and status print. Only outcomes
 * that any correct adaptive planner gives are asserted (the planner's own rules have their tests).
 *
 * <p>The dom0: CPUs 0-2 online, CPU 2 banned for irqbalance, so CPUs 0 and 1 are usable; guests 1
 * and 2 with one 1-queue vif and one disk each: event channels 42 (xenbus) to 55. A first apply
 * places them (spread); the test then makes two channels that share a CPU hot (1,000,000
 * interrupts each, every other event channel none), counted since boot ({@code --sample 0}) so
 * that the rates are exactly what the test wrote: busiest CPU / lower bound is then 2.00.
 */
class AdaptTest {
    private static final SyntheticDom0 DOM0 = new SyntheticDom0(CpuSet.parseList("0-2"), 2, 1, 1, 1, 0, "xen-dyn-lateeoi",
            SyntheticDom0.uniformQueues(0, 0, 0));
    private static final String SETTINGS = "/etc/sysconfig/xen-irq-policy";
    private static final String STATE = "/run/xen-irq-policy/adaptive";
    private static final int FIRST = 42;
    private static final int LAST = 55;
    private static final long HOT = 1_000_000;

    @TempDir
    Path tmp;

    private HostTree dom0() {
        HostTree t = DOM0.layOut(HostTree.at(tmp.resolve("dom0")));
        assertEquals("xenbus\n", t.read("/sys/kernel/irq/" + FIRST + "/actions"));
        assertEquals("blkif-backend\n", t.read("/sys/kernel/irq/" + LAST + "/actions"));
        t.write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPULIST=2\n");
        Cli.Result apply = run(t, "apply");
        assertEquals(0, apply.status(), apply.err());
        return t;
    }

    private static Cli.Result run(HostTree t, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--root", t.root().toString()));
        return Cli.run(all.toArray(String[]::new));
    }

    private static Cli.Result adapt(HostTree t) {
        return run(t, "adapt", "--sample", "0");
    }

    /** Sets an IRQ's count since boot in /proc/interrupts (its first CPU column). */
    private static void count(HostTree t, int irq, long total) {
        String prefix = String.format("%4d:", irq);
        StringBuilder out = new StringBuilder();
        for (String line : t.read("/proc/interrupts").split("\n", -1)) {
            if (line.startsWith(prefix)) {
                line = prefix + String.format(" %10d", total) + line.substring(prefix.length() + 11);
            }
            out.append(line).append('\n');
        }
        t.write("/proc/interrupts", out.substring(0, out.length() - 1));
    }

    private static int cpuOf(HostTree t, int irq) {
        return CpuSet.parseList(t.read("/proc/irq/" + irq + "/smp_affinity_list").strip()).get(0);
    }

    private static Map<Integer, String> affinities(HostTree t) {
        Map<Integer, String> a = new TreeMap<>();
        for (int irq = FIRST; irq <= LAST; irq++) {
            a.put(irq, t.read("/proc/irq/" + irq + "/smp_affinity_list"));
        }
        return a;
    }

    /** Every file of the tree but the adaptive state: what a run that moves nothing must leave as it was. */
    private static Map<String, String> allButState(HostTree t) {
        Map<String, String> files = new TreeMap<>(t.files());
        files.remove(STATE.substring(1));
        return files;
    }

    /** ADAPTIVE=yes, and two event channels on one CPU equally hot: busiest CPU / lower bound 2.00. */
    private static int[] adaptiveWithTwoHotOnOneCpu(HostTree t) {
        settings(t, "ADAPTIVE=yes\n");
        int[] hot = twoOnOneCpu(t);
        count(t, hot[0], HOT);
        count(t, hot[1], HOT);
        return hot;
    }

    /** Two event channels the first apply put on one CPU, netback ones last (a queue's tx and rx are not what this is about). */
    private static int[] twoOnOneCpu(HostTree t) {
        Map<Integer, List<Integer>> byCpu = new HashMap<>();
        for (int irq = FIRST; irq <= LAST; irq++) {
            boolean netback = t.read("/sys/kernel/irq/" + irq + "/actions").startsWith("vif");
            List<Integer> here = byCpu.computeIfAbsent(cpuOf(t, irq), c -> new ArrayList<>());
            here.add(netback ? here.size() : 0, irq);
        }
        List<Integer> on = byCpu.values().stream().filter(l -> l.size() >= 2).findFirst().orElseThrow();
        return new int[] {on.get(0), on.get(1)};
    }

    private static void settings(HostTree t, String text) {
        t.write(SETTINGS, text);
    }

    private static Plan savedPlan(HostTree t) {
        return PlanStore.load(Host.at(t.root())).orElseThrow();
    }

    private static int irqNamed(HostTree t, String name) {
        for (int irq = FIRST; irq <= LAST; irq++) {
            if (t.read("/sys/kernel/irq/" + irq + "/actions").equals(name + "\n")) {
                return irq;
            }
        }
        throw new AssertionError("no IRQ named " + name);
    }

    @Test
    void aRunKeepsThePlacementsOfAPlanMadeByAnotherStrategyThanTheSettingsOne() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\nSTRATEGY=spread\n");
        // Load places by the counts since boot: the hot channels first, apart.
        int[] two = twoOnOneCpu(t);
        count(t, two[0], HOT);
        count(t, two[1], HOT / 2);
        Cli.Result load = run(t, "apply", "--strategy", "load", "--sample", "0");
        assertEquals(0, load.status(), load.err());
        assertEquals("LOAD", savedPlan(t).strategy().name());
        Map<String, String> was = allButState(t);

        for (int i = 0; i < 2; i++) {
            Cli.Result run = adapt(t);
            assertEquals(0, run.status(), run.err());
            assertTrue(run.out().startsWith("adaptive run: balanced"), run.out());
        }
        // Nothing re-placed by spread, the plan still load's: every file as the apply left it.
        assertEquals(was, allButState(t));
    }

    @Test
    void aHotQueueSplitsItsTxFromItsRxAndAManualApplyKeepsThemApartUntilRebalance() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n");
        int tx = irqNamed(t, "vif1.0-q0-tx");
        int rx = irqNamed(t, "vif1.0-q0-rx");
        int cpu = cpuOf(t, tx);
        assertEquals(cpu, cpuOf(t, rx), "spread puts a queue's tx and rx together");
        count(t, tx, HOT);
        count(t, rx, HOT);

        // 2.00: the whole queue moved would only make the other CPU as busy; the tx alone halves it.
        assertEquals(0, adapt(t).status());
        Cli.Result split = adapt(t);
        assertEquals(new Cli.Result(0, "adaptive run: moved 1 event channel: busiest CPU / lower bound 2.00 -> 1.00\n"
                + "  " + tx + " vif1.0-q0-tx: CPU " + cpu + " -> " + (1 - cpu) + " (1000000 interrupts since boot)\n", ""), split);
        assertEquals((1 - cpu) + "\n", t.read("/proc/irq/" + tx + "/smp_affinity_list"));
        assertEquals(cpu + "\n", t.read("/proc/irq/" + rx + "/smp_affinity_list"));
        Map<Integer, String> apart = affinities(t);

        // A manual apply keeps every placement, the split queue's too; so does the next adaptive run.
        Cli.Result apply = run(t, "apply");
        assertEquals(0, apply.status(), apply.err());
        assertEquals(apart, affinities(t));
        assertEquals(0, adapt(t).status());
        assertEquals(apart, affinities(t));
        assertEquals(1 - cpu, savedPlan(t).byIrq().get(tx).cpu());
        assertEquals(cpu, savedPlan(t).byIrq().get(rx).cpu());

        // apply --rebalance places the queue anew, together.
        Cli.Result rebalance = run(t, "apply", "--rebalance");
        assertEquals(0, rebalance.status(), rebalance.err());
        assertEquals(t.read("/proc/irq/" + tx + "/smp_affinity_list"), t.read("/proc/irq/" + rx + "/smp_affinity_list"));
    }

    @ParameterizedTest
    @CsvSource({"''", "'ADAPTIVE=no\\n'"})
    void offItDoesNothingAndWritesNothing(String text) {
        HostTree t = dom0();
        settings(t, text.replace("\\n", "\n"));
        int[] hot = twoOnOneCpu(t);
        count(t, hot[0], HOT);
        count(t, hot[1], HOT);
        Map<String, String> before = t.files();
        String off = "the adaptive mode is off (ADAPTIVE=no in /etc/sysconfig/xen-irq-policy): nothing done\n";
        for (int i = 0; i < 3; i++) {
            Cli.Result r = adapt(t);
            assertEquals(new Cli.Result(0, off, ""), r);
        }
        // The timer's tick, every minute: nothing for the journal.
        assertEquals(new Cli.Result(0, "", ""), run(t, "adapt", "--if-due"));
        assertEquals(new Cli.Result(0, "", ""), run(t, "adapt", "--if-due", "--sample", "0"));
        assertEquals(before, t.files());
    }

    @Test
    void twoHotChannelsOnOneCpuWaitThenOneMovesToTheIdleUsableCpuThenNothingMoves() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n");
        int[] hot = twoOnOneCpu(t);
        int busy = cpuOf(t, hot[0]);
        int idle = 1 - busy;
        count(t, hot[0], HOT);
        count(t, hot[1], HOT);

        // First run: above the threshold once, fewer than ADAPTIVE_SAMPLES (2) runs: it waits.
        Map<String, String> before = allButState(t);
        Cli.Result first = adapt(t);
        assertEquals(new Cli.Result(0, "adaptive run: waiting: busiest CPU / lower bound 2.00, above ADAPTIVE_THRESHOLD"
                + " for fewer than ADAPTIVE_SAMPLES runs; nothing moved\n", ""), first);
        assertEquals(before, allButState(t), "a waiting run writes nothing but its state");
        assertTrue(t.read(STATE).startsWith("xen-irq-policy adaptive 1\nsamples-above 1\n"), t.read(STATE));

        // Second run: exactly one of the two moves, to the other usable CPU (never to the banned CPU 2).
        Map<Integer, String> was = affinities(t);
        Cli.Result second = adapt(t);
        assertEquals(0, second.status(), second.err());
        assertEquals("", second.err());
        Map<Integer, String> now = affinities(t);
        List<Integer> changed = new ArrayList<>();
        for (int irq = FIRST; irq <= LAST; irq++) {
            if (!now.get(irq).equals(was.get(irq))) {
                changed.add(irq);
            }
        }
        assertEquals(1, changed.size(), "moved: " + changed);
        int moved = changed.get(0);
        assertTrue(moved == hot[0] || moved == hot[1], "moved " + moved + ", not one of the hot " + hot[0] + ", " + hot[1]);
        String name = t.read("/sys/kernel/irq/" + moved + "/actions").strip();
        assertEquals(idle + "\n", now.get(moved));
        assertEquals(idle, savedPlan(t).byIrq().get(moved).cpu(), "the saved plan says where it went");
        assertEquals(new Placement(moved, idle, name), savedPlan(t).byIrq().get(moved));
        assertEquals("adaptive run: moved 1 event channel: busiest CPU / lower bound 2.00 -> 1.00\n"
                + "  " + moved + " " + name + ": CPU " + busy + " -> " + idle + " (1000000 interrupts since boot)\n", second.out());
        String state = t.read(STATE);
        assertTrue(state.contains("\ncooling " + moved + " "), state);
        assertTrue(state.contains("\nmove " + moved + " " + busy + " " + idle + " 1000000 " + name + "\n"), state);
        assertTrue(state.matches("(?s).*\nrun [0-9]+ 0 MOVED 2\\.0000 1\\.0000\n.*"), state);
        for (int irq = FIRST; irq <= LAST; irq++) {
            assertFalse(CpuSet.parseList(now.get(irq).strip()).contains(2), "nothing on the banned CPU 2: IRQ " + irq);
        }

        // status shows the last run: when, why, before and after, what moved from and to.
        Cli.Result status = run(t, "status");
        assertEquals(0, status.status(), status.err());
        String time = Instant.ofEpochSecond(Long.parseLong(state.replaceAll("(?s).*\nrun ([0-9]+) .*", "$1"))).toString();
        assertTrue(status.out().endsWith("last adaptive run " + time + ": moved 1 event channel: busiest CPU / lower bound 2.00 -> 1.00\n"
                + "  " + moved + " " + name + ": CPU " + busy + " -> " + idle + " (1000000 interrupts since boot)\n"), status.out());
        Map<String, Object> json = JsonReader.object(run(t, "status", "--format", "json").out());
        @SuppressWarnings("unchecked")
        Map<String, Object> last = (Map<String, Object>) json.get("lastAdaptiveRun");
        assertEquals("moved", last.get("why"));
        assertEquals(true, last.get("movingPhaseOpen"), "a run that moved leaves a moving phase open");
        assertEquals(time, last.get("time"));
        assertEquals(List.of(Map.of("irq", (long) moved, "name", name, "from", (long) busy, "to", (long) idle,
                "interrupts", HOT)), normalised(last.get("moves")));

        // metrics exports the last run for Prometheus, in a form promtool accepts, after whether
        // the mode is on and how often it runs (an alert compares the last run's time with them).
        Cli.Result metrics = run(t, "metrics");
        assertEquals(0, metrics.status(), metrics.err());
        assertTrue(metrics.out().contains("\nxen_irq_policy_adaptive_enabled 1\n"
                + "# HELP xen_irq_policy_adaptive_interval_seconds ADAPTIVE_INTERVAL_MINUTES in seconds: how often an adaptive run is due.\n"
                + "# TYPE xen_irq_policy_adaptive_interval_seconds gauge\n"
                + "xen_irq_policy_adaptive_interval_seconds 60\n"
                + "# HELP xen_irq_policy_adaptive_last_run_timestamp_seconds "), metrics.out());
        assertTrue(metrics.out().endsWith("xen_irq_policy_adaptive_last_run_timestamp_seconds "
                + Instant.parse(time).getEpochSecond() + "\n"
                + "# HELP xen_irq_policy_adaptive_last_run_verdict The last adaptive run's verdict: 1 for it, 0 for the others.\n"
                + "# TYPE xen_irq_policy_adaptive_last_run_verdict gauge\n"
                + "xen_irq_policy_adaptive_last_run_verdict{why=\"quiet\"} 0\n"
                + "xen_irq_policy_adaptive_last_run_verdict{why=\"balanced\"} 0\n"
                + "xen_irq_policy_adaptive_last_run_verdict{why=\"waiting\"} 0\n"
                + "xen_irq_policy_adaptive_last_run_verdict{why=\"moved\"} 1\n"
                + "xen_irq_policy_adaptive_last_run_verdict{why=\"stuck\"} 0\n"
                + "# HELP xen_irq_policy_adaptive_last_run_moves Event channels the last adaptive run moved.\n"
                + "# TYPE xen_irq_policy_adaptive_last_run_moves gauge\n"
                + "xen_irq_policy_adaptive_last_run_moves 1\n"
                + "# HELP xen_irq_policy_adaptive_last_run_ratio Busiest usable CPU / lower bound in the last adaptive run,"
                + " before and after its moves; NaN when it counted nothing.\n"
                + "# TYPE xen_irq_policy_adaptive_last_run_ratio gauge\n"
                + "xen_irq_policy_adaptive_last_run_ratio{when=\"before\"} 2.0000\n"
                + "xen_irq_policy_adaptive_last_run_ratio{when=\"after\"} 1.0000\n"), metrics.out());
        if (Fixtures.inCi() || Files.isExecutable(Promtool.PROMTOOL)) {
            Promtool.requirePresent();
            assertEquals(new Promtool.Result(0, ""), Promtool.checkMetrics(metrics.out(), tmp));
        }

        // Third run: balanced now; nothing moves, nothing but the state is written.
        Map<String, String> balanced = allButState(t);
        Cli.Result third = adapt(t);
        assertEquals(new Cli.Result(0, "adaptive run: balanced: busiest CPU / lower bound 1.00, at most ADAPTIVE_THRESHOLD;"
                + " nothing moved\n", ""), third);
        assertEquals(balanced, allButState(t));
        // At the aim (1.00 <= 1.025), the phase ended: the next run above the threshold waits again.
        @SuppressWarnings("unchecked")
        Map<String, Object> ended = (Map<String, Object>) JsonReader.object(run(t, "status", "--format", "json").out())
                .get("lastAdaptiveRun");
        assertEquals(false, ended.get("movingPhaseOpen"));
    }

    /** JSON numbers as longs, whatever the reader makes of them. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> normalised(Object moves) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object m : (List<Object>) moves) {
            Map<String, Object> row = new HashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> row.put(k, v instanceof Number n ? (Object) n.longValue() : v));
            out.add(row);
        }
        return out;
    }

    /**
     * ADAPTIVE_MAX_MOVES bounds what one run writes: every event channel the first apply put on
     * one CPU is equally hot and the other CPU idle, so that evening them out takes three moves
     * or more; a run then moves exactly the limit's number, and the default (4) more than 2.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "4"})
    void aRunMovesAtMostAdaptiveMaxMovesEventChannels(int limit) {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n" + (limit == 4 ? "" : "ADAPTIVE_MAX_MOVES=" + limit + "\n"));
        int busy = cpuOf(t, FIRST);
        int hot = 0;
        for (int irq = FIRST; irq <= LAST; irq++) {
            if (cpuOf(t, irq) == busy) {
                count(t, irq, HOT);
                hot++;
            }
        }
        assertTrue(hot >= 6, "the first apply put " + hot + " event channels on CPU " + busy);
        assertEquals(0, adapt(t).status(), "waits one sample");
        Map<Integer, String> was = affinities(t);
        Cli.Result moving = adapt(t);
        assertEquals(0, moving.status(), moving.err());
        Map<Integer, String> now = affinities(t);
        List<Integer> moved = new ArrayList<>();
        for (int irq = FIRST; irq <= LAST; irq++) {
            if (!now.get(irq).equals(was.get(irq))) {
                moved.add(irq);
                assertEquals((1 - busy) + "\n", now.get(irq), "IRQ " + irq + " to the idle usable CPU");
            }
        }
        if (limit == 4) {
            assertTrue(moved.size() > 2 && moved.size() <= 4, "moved " + moved);
        } else {
            assertEquals(limit, moved.size(), "moved " + moved + "\n" + moving.out());
        }
        for (int irq : moved) {
            assertEquals(1 - busy, savedPlan(t).byIrq().get(irq).cpu(), "the saved plan has IRQ " + irq + " where it moved");
        }
    }

    @Test
    void aChannelMovedWithinTheCoolDownStaysAndAnExcludedOneIsNeverMoved() {
        HostTree t = dom0();
        int[] hot = adaptiveWithTwoHotOnOneCpu(t);
        adapt(t);
        Map<Integer, String> was = affinities(t);
        assertEquals(0, adapt(t).status());
        int moved = cpuOf(t, hot[0]) != Integer.parseInt(was.get(hot[0]).strip()) ? hot[0] : hot[1];
        int stayed = moved == hot[0] ? hot[1] : hot[0];
        int movedTo = cpuOf(t, moved);

        // Now the moved channel and another one on its CPU are hot, that other one excluded, and
        // the one that stayed is quiet: only the moved channel could even the load, and it cools down.
        int other = -1;
        for (int irq = FIRST; irq <= LAST && other < 0; irq++) {
            if (irq != moved && cpuOf(t, irq) == movedTo) {
                other = irq;
            }
        }
        count(t, stayed, 0);
        count(t, other, HOT);
        settings(t, "ADAPTIVE=yes\nEXCLUDE=" + other + "\n");
        // The path unit starts an apply when the settings change: it saves the plan with the exclusion.
        assertEquals(0, run(t, "apply").status());
        Map<String, String> before = allButState(t);
        Cli.Result third = adapt(t);
        Cli.Result fourth = adapt(t);
        assertEquals(0, third.status(), third.err());
        assertEquals(new Cli.Result(0, "adaptive run: stuck: busiest CPU / lower bound 2.00, and no allowed move lowers it"
                + " (cool-downs, exclusions, one hot IRQ, or no gain by the estimate); nothing moved\n", ""), fourth);
        assertEquals(before, allButState(t), "neither the cooling channel nor the excluded one moved");

        // Without the cool-down the moved channel goes back; the excluded one still stays.
        settings(t, "ADAPTIVE=yes\nEXCLUDE=" + other + "\nADAPTIVE_COOLDOWN_MINUTES=0\n");
        Cli.Result fifth = adapt(t);
        assertEquals(0, fifth.status(), fifth.err());
        assertEquals((1 - movedTo) + "\n", t.read("/proc/irq/" + moved + "/smp_affinity_list"));
        assertEquals(movedTo + "\n", t.read("/proc/irq/" + other + "/smp_affinity_list"));
    }

    /** Removes an IRQ's own files (chip_name, actions, smp_affinity_list): a run that reads them finds them gone. */
    private static void removeFilesOf(HostTree t, int irq) throws Exception {
        for (String file : List.of("/sys/kernel/irq/" + irq + "/chip_name", "/sys/kernel/irq/" + irq + "/actions",
                "/proc/irq/" + irq + "/smp_affinity_list")) {
            Files.delete(t.path(file));
        }
    }

    /** One run of the engine itself, the short way or always the full way; its report as adapt prints it. */
    private static Engine.Adapted engineRun(HostTree t, boolean shortWay, long now) {
        Host host = Host.at(t.root());
        return Engine.adapt(host, 0, HostReader.readSettings(host).adaptive().limits(), now, shortWay);
    }

    @Test
    void bothWaysGiveTheSameVerdictsMovesPlanAndStateRunAfterRun() throws Exception {
        HostTree a = dom0();
        // An excluded channel loads its CPU on both ways (its files are read on the short one too).
        int excluded = irqNamed(a, "vif2.0-q0-tx");
        settings(a, "ADAPTIVE=yes\nADAPTIVE_COOLDOWN_MINUTES=0\nEXCLUDE=" + excluded + "\n");
        assertEquals(0, run(a, "apply").status());
        int[] hot = twoOnOneCpu(a);
        count(a, hot[0], HOT);
        count(a, hot[1], HOT);
        count(a, excluded, HOT / 4);
        HostTree b = HostTree.at(tmp.resolve("copy"));
        copyTree(a.root(), b.root());
        assertEquals(a.files(), b.files());

        List<String> verdicts = new ArrayList<>();
        long now = 1_800_000_000L;
        for (int i = 0; i < 4; i++, now += 60) {
            if (i == 2) {
                // The traffic turns: the channel that stayed goes quiet, another one turns hot.
                count(a, hot[1], 0);
                count(b, hot[1], 0);
                count(a, LAST, 3 * HOT);
                count(b, LAST, 3 * HOT);
            }
            Engine.Adapted shortWay = engineRun(a, true, now);
            Engine.Adapted fullWay = engineRun(b, false, now);
            assertEquals(fullWay.step(), shortWay.step(), "run " + i);
            assertEquals(fullWay.state(), shortWay.state(), "run " + i);
            assertEquals(butLockMark(b), butLockMark(a), "run " + i + ": every file, the plan, the state and the affinities");
            // The short way wrote only what it moved; the full way went over every placement.
            assertEquals(shortWay.step().moves().size(), shortWay.applied().outcomes().size(), "run " + i);
            assertEquals(fullWay.step().plan().placements().size(), fullWay.applied().outcomes().size(), "run " + i);
            verdicts.add(shortWay.step().why().name());
        }
        assertEquals(List.of("WAITING", "MOVED", "MOVED", "BALANCED"), verdicts);
    }

    /**
     * One run of the engine on a window of {@code seconds} that counted {@code counts} (totals
     * since boot, set at the window's end) from the tree's counts before: the timer's way, without
     * its sleep.
     */
    private static Engine.Adapted windowRun(HostTree t, boolean shortWay, long now, int seconds, Map<Integer, Long> counts) {
        Host host = Host.at(t.root());
        String mark = ApplyLock.markBeforeRead(host);
        InterruptsTable before = HostReader.readInterrupts(host);
        counts.forEach((irq, total) -> count(t, irq, total));
        return Engine.adapt(host, mark, Engine.Window.since(host, before, seconds),
                HostReader.readSettings(host).adaptive().limits(), now, shortWay);
    }

    /** The state's rate lines: IRQ to its estimated interrupts per window. */
    private static Map<Integer, Long> rateLines(HostTree t) {
        Map<Integer, Long> rates = new TreeMap<>();
        t.read(STATE).lines().filter(l -> l.startsWith("rate ")).forEach(l -> {
            String[] f = l.split(" ");
            rates.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
        });
        return rates;
    }

    @Test
    void theStateCarriesTheEstimateOfTwoWindowsAndALateRunStartsAfresh() throws Exception {
        HostTree a = dom0();
        settings(a, "ADAPTIVE=yes\n");
        int[] hot = twoOnOneCpu(a);
        HostTree b = HostTree.at(tmp.resolve("copy"));
        copyTree(a.root(), b.root());
        long now = 1_800_000_000L;
        // Per run: when, its window's length, the two channels' interrupts in it (both on one CPU
        // until a run moves one: busiest / bound 1.33 and 1.375), and the rate lines it leaves.
        // Run 1: no run before, the window's own. Run 2 is 211 s later (more than two intervals
        // and 30 s): the window alone, and it waits again, not counted with run 1. Run 3, a minute
        // later: the mean of runs 2 and 3, and it moves. Run 4 sampled 5 s, not 3: the window alone.
        long[] at = {now, now + 211, now + 271, now + 331};
        int[] seconds = {3, 3, 3, 5};
        long[][] window = {{30_000, 10_000}, {40_000, 15_000}, {30_000, 10_000}, {60_000, 10_000}};
        long[][] lines = {{30_000, 10_000}, {40_000, 15_000}, {35_000, 12_500}, {60_000, 10_000}};
        List<String> verdicts = new ArrayList<>();
        long[] total = {0, 0};
        for (int i = 0; i < at.length; i++) {
            total[0] += window[i][0];
            total[1] += window[i][1];
            Map<Integer, Long> counts = Map.of(hot[0], total[0], hot[1], total[1]);
            Engine.Adapted shortWay = windowRun(a, true, at[i], seconds[i], counts);
            Engine.Adapted fullWay = windowRun(b, false, at[i], seconds[i], counts);
            assertEquals(fullWay.step(), shortWay.step(), "run " + i);
            assertEquals(fullWay.state(), shortWay.state(), "run " + i);
            assertEquals(butLockMark(b), butLockMark(a), "run " + i + ": every file, the plan, the state and the affinities");
            verdicts.add(shortWay.step().why().name());
            Map<Integer, Long> expected = new TreeMap<>();
            for (int irq = FIRST; irq <= LAST; irq++) {
                expected.put(irq, 0L);
            }
            expected.put(hot[0], lines[i][0]);
            expected.put(hot[1], lines[i][1]);
            assertEquals(expected, rateLines(a), "run " + i + ": the state's rate lines");
        }
        // Run 4 finds the two apart, 60,000 alone the bound: at the aim, the phase ends.
        assertEquals(List.of("WAITING", "WAITING", "MOVED", "BALANCED"), verdicts);
        assertEquals(0, AdaptiveState.load(Host.at(a.root())).memory().samplesAbove());
    }

    /** Every file but the lock's, whose mark names the process and its clock. */
    private static Map<String, String> butLockMark(HostTree t) {
        Map<String, String> files = new TreeMap<>(t.files());
        files.remove("run/xen-irq-policy/lock");
        return files;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    @Test
    void aRunOnThePlanInForceReadsTheFilesOfNoIrqButThoseItMoves() throws Exception {
        HostTree t = dom0();
        int[] hot = adaptiveWithTwoHotOnOneCpu(t);
        Map<String, String> placed = allButState(t);
        // Gone, every event channel's files would be IRQs gone to a run that read them: it would
        // drop them from the plan. A run that reads none gives its verdict and writes its state only.
        for (int irq = FIRST; irq <= LAST; irq++) {
            if (irq != hot[0] && irq != hot[1]) {
                removeFilesOf(t, irq);
            }
        }
        Map<String, String> before = allButState(t);
        assertEquals(new Cli.Result(0, "adaptive run: waiting: busiest CPU / lower bound 2.00, above ADAPTIVE_THRESHOLD"
                + " for fewer than ADAPTIVE_SAMPLES runs; nothing moved\n", ""), adapt(t));
        assertEquals(before, allButState(t));

        // The next run moves one of the two hot channels: it reads and writes that one's files only,
        // and the saved plan still places every event channel.
        Plan was = savedPlan(t);
        Cli.Result moved = adapt(t);
        assertEquals(0, moved.status(), moved.err());
        assertTrue(moved.out().startsWith("adaptive run: moved 1 event channel: busiest CPU / lower bound 2.00 -> 1.00\n"), moved.out());
        Plan now = savedPlan(t);
        assertEquals(was.placements().size(), now.placements().size());
        int changed = now.byIrq().get(hot[0]).cpu() != was.byIrq().get(hot[0]).cpu() ? hot[0] : hot[1];
        assertEquals(now.byIrq().get(changed).cpu() + "\n", t.read("/proc/irq/" + changed + "/smp_affinity_list"));
        placed.put("proc/irq/" + changed + "/smp_affinity_list", t.read("/proc/irq/" + changed + "/smp_affinity_list"));
        for (Map.Entry<String, String> file : allButState(t).entrySet()) {
            if (!file.getKey().startsWith("run/") && !file.getKey().startsWith("proc/interrupts")) {
                assertEquals(placed.get(file.getKey()), file.getValue(), file.getKey());
            }
        }
    }

    @Test
    void aMovedIrqWhoseOwnFilesNameAnotherChannelTakesTheFullWay() {
        HostTree t = dom0();
        int[] hot = adaptiveWithTwoHotOnOneCpu(t);
        // Their lines still name them as the plan does; their own files name another channel (the
        // number freed and taken again since /proc/interrupts was read, or a line forged by a
        // name with a newline). The check of a moved IRQ must read sysfs, not trust the line.
        for (int irq : hot) {
            t.write("/sys/kernel/irq/" + irq + "/actions", "vif9.0-q0-tx\n");
        }
        long now = 1_800_000_000L;
        Engine.Adapted waiting = engineRun(t, true, now);
        assertEquals("WAITING", waiting.step().why().name());
        assertEquals(List.of(), waiting.applied().outcomes(), "the short way, nothing read or written");
        Engine.Adapted moved = engineRun(t, true, now + 60);
        assertEquals("MOVED", moved.step().why().name());
        // Not the short way's write of the moved IRQs alone: the full way went over every placement.
        assertEquals(moved.step().plan().placements().size(), moved.applied().outcomes().size());
        assertTrue(moved.applied().outcomes().size() > moved.step().moves().size());
    }

    @Test
    void anIrqPutElsewhereByHandStaysThereOnAShortRunAndApplyPutsItBack() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n");
        int irq = irqNamed(t, "xenbus");
        int planned = cpuOf(t, irq);
        t.write("/proc/irq/" + irq + "/smp_affinity_list", (1 - planned) + "\n");
        Map<String, String> before = allButState(t);
        // Quiet (nothing counted): the run judges by the plan and writes its state only.
        assertTrue(adapt(t).out().startsWith("adaptive run: quiet"));
        assertEquals(before, allButState(t));
        // check reports it from the host, and apply puts it back.
        Cli.Result check = run(t, "check");
        assertEquals(1, check.status(), check.out());
        assertTrue(check.out().contains("1 of 14 event-channel IRQs are not on their planned CPU: " + irq + " xenbus"), check.out());
        assertEquals(0, run(t, "apply").status());
        assertEquals(planned + "\n", t.read("/proc/irq/" + irq + "/smp_affinity_list"));
    }

    @Test
    void aNewEventChannelTakesTheFullWayAndIsPlaced() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n");
        // Guest 3's console channel appears, with no request from the hook (irqbalance not running).
        int irq = LAST + 1;
        t.write("/proc/interrupts", t.read("/proc/interrupts").replaceFirst("(?m)^ NMI:",
                String.format("%4d: %10d %10d %10d  xen-dyn-lateeoi -event     evtchn:xenconsoled%n NMI:", irq, 0, 0, 0)));
        t.write("/sys/kernel/irq/" + irq + "/chip_name", "xen-dyn-lateeoi\n");
        t.write("/sys/kernel/irq/" + irq + "/actions", "evtchn:xenconsoled\n");
        t.irq(irq, CpuSet.parseList("0-2"));
        assertTrue(adapt(t).out().startsWith("adaptive run: quiet"));
        int cpu = savedPlan(t).byIrq().get(irq).cpu();
        assertTrue(cpu == 0 || cpu == 1, "placed on a usable CPU: " + cpu);
        assertEquals(cpu + "\n", t.read("/proc/irq/" + irq + "/smp_affinity_list"));
    }

    @Test
    void aRequestOrAStalePlanTakesTheFullWay() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n");
        int irq = irqNamed(t, "xenbus");
        int planned = cpuOf(t, irq);
        // A request from the hook: the full way, which also puts back an IRQ found elsewhere.
        t.write("/proc/irq/" + irq + "/smp_affinity_list", (1 - planned) + "\n");
        t.write("/run/irqbalance/xen-irq-policy-request." + irq, "");
        assertTrue(adapt(t).out().startsWith("adaptive run: quiet"));
        assertEquals(planned + "\n", t.read("/proc/irq/" + irq + "/smp_affinity_list"));
        assertFalse(t.exists("/run/irqbalance/xen-irq-policy-request." + irq));

        // CPU 1 banned for irqbalance too: the plan in force is stale, and the run places anew on CPU 0.
        t.write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPULIST=1-2\n");
        assertTrue(adapt(t).out().startsWith("adaptive run: quiet"));
        assertEquals(CpuSet.of(0), savedPlan(t).usable());
        for (int i = FIRST; i <= LAST; i++) {
            assertEquals("0\n", t.read("/proc/irq/" + i + "/smp_affinity_list"), "IRQ " + i);
        }
    }

    /**
     * A save in place cut short (an apply killed between its files) left an IRQ file that the
     * whole plan does not describe: a quiet run takes the full way and saves the plan anew, in a
     * new directory, so that the hook no longer reads the stray file.
     */
    @Test
    void aQuietRunRepairsAPlanWhoseSaveInPlaceWasCutShort() throws Exception {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n");
        int irq = irqNamed(t, "xenbus");
        int planned = cpuOf(t, irq);
        String dir = "/run/xen-irq-policy/" + Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan"));
        String stray = t.read(dir + "/irq." + irq).replaceFirst("^4 (\\d+) \\d+ ", "4 $1 " + (1 - planned) + " ");
        t.write(dir + "/irq." + irq, stray).write(dir + "/saving", "");
        assertTrue(adapt(t).out().startsWith("adaptive run: quiet"));
        String now = "/run/xen-irq-policy/" + Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan"));
        assertNotEquals(dir, now, "a new directory");
        assertFalse(t.exists(dir), "the old one removed");
        assertFalse(t.exists(now + "/saving"));
        assertTrue(t.read(now + "/irq." + irq).matches("4 \\d+ " + planned + " .*\n"), t.read(now + "/irq." + irq));
    }

    @Test
    void aCorruptOrForeignStateFileIsIgnoredAsNoMemory() throws Exception {
        HostTree t = dom0();
        int[] hot = adaptiveWithTwoHotOnOneCpu(t);
        String waiting = "adaptive run: waiting: busiest CPU / lower bound 2.00, above ADAPTIVE_THRESHOLD"
                + " for fewer than ADAPTIVE_SAMPLES runs; nothing moved\n";
        Map<String, String> before = allButState(t);
        assertEquals(waiting, adapt(t).out());
        // Cut short: a waiting run again, not a move from a memory of one run above.
        t.write(STATE, t.read(STATE).replace("\n", "\ngarbage\n"));
        assertEquals(new Cli.Result(0, waiting, ""), adapt(t));
        assertEquals(before, allButState(t));
        // The same IRQ's rate twice, or a move line after the rates: not a state this version writes.
        String rate = t.read(STATE).lines().filter(l -> l.startsWith("rate ")).findFirst().orElseThrow();
        for (String extra : List.of(rate, "move 42 0 1 5 xenbus")) {
            t.write(STATE, t.read(STATE) + extra + "\n");
            assertEquals(new Cli.Result(0, waiting, ""), adapt(t), extra);
            assertEquals(before, allButState(t));
        }
        // Whole but owned by another user: not trusted either.
        UserPrincipalLookupService users = t.root().getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(t.path(STATE), users.lookupPrincipalByName("nobody"));
        assertEquals(new Cli.Result(0, waiting, ""), adapt(t));
        assertEquals(before, allButState(t));
        // A link in its place: neither followed nor written through, but replaced by the state.
        Files.delete(t.path(STATE));
        t.write("/elsewhere", "xen-irq-policy adaptive 1\nsamples-above 1\n");
        Files.createSymbolicLink(t.path(STATE), Path.of("/elsewhere"));
        assertEquals(new Cli.Result(0, waiting, ""), adapt(t));
        assertTrue(Files.isRegularFile(t.path(STATE), LinkOption.NOFOLLOW_LINKS));
        assertEquals("xen-irq-policy adaptive 1\nsamples-above 1\n", t.read("/elsewhere"));
    }

    @Test
    void ifDueSkipsARunWithinTheIntervalSilently() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\nADAPTIVE_INTERVAL_MINUTES=5\n");
        assertEquals(0, run(t, "adapt", "--sample", "0", "--if-due").status());
        String state = t.read(STATE);
        Map<String, String> before = t.files();
        assertEquals(new Cli.Result(0, "", ""), run(t, "adapt", "--sample", "0", "--if-due"));
        assertEquals(before, t.files());
        assertEquals(state, t.read(STATE));
        // Without --if-due (an admin's run) it runs; here in JSON: no interrupts counted, quiet.
        Cli.Result json = run(t, "adapt", "--sample", "0", "--format", "json");
        assertEquals(0, json.status(), json.err());
        Map<String, Object> report = JsonReader.object(json.out());
        assertEquals(1L, ((Number) report.get("version")).longValue());
        @SuppressWarnings("unchecked")
        Map<String, Object> run = (Map<String, Object>) report.get("run");
        assertEquals("quiet", run.get("why"));
        assertEquals(null, run.get("ratioBefore"));
        assertEquals(List.of(), run.get("moves"));
        assertEquals(null, report.get("stateError"));
        assertTrue(report.get("apply") instanceof Map, json.out());
    }

    @Test
    void aSampleWindowWithoutInterruptsIsQuiet() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\nSAMPLE_SECONDS=1\n");
        int[] hot = twoOnOneCpu(t);
        count(t, hot[0], HOT);
        count(t, hot[1], HOT);
        Map<String, String> before = allButState(t);
        // Counts since boot would say 2.00; over the 1 s window the tree's counters do not grow.
        assertEquals(new Cli.Result(0, "adaptive run: quiet: no event-channel interrupts counted in 1s, nothing moved\n", ""), run(t, "adapt"));
        assertEquals(before, allButState(t));
        assertTrue(t.read(STATE).contains("\nrun ") && t.read(STATE).contains(" 1 QUIET NaN NaN\n"), t.read(STATE));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ADAPTIVE=maybe|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE: 'maybe' is not yes or no",
        "ADAPTIVE_THRESHOLD=0.9|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_THRESHOLD: '0.9' is not a decimal number from 1.1 to 10",
        "ADAPTIVE_THRESHOLD=1|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_THRESHOLD: '1' is not a decimal number from 1.1 to 10",
        "ADAPTIVE_THRESHOLD=1.05|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_THRESHOLD: '1.05' is not a decimal number from 1.1 to 10",
        "ADAPTIVE_THRESHOLD=1e3|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_THRESHOLD: '1e3' is not a decimal number from 1.1 to 10",
        "ADAPTIVE_SAMPLES=0|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_SAMPLES: '0' is not a whole number from 1 to 100",
        "ADAPTIVE_MAX_MOVES=-1|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_MAX_MOVES: '-1' is not a whole number from 1 to 10000",
        "ADAPTIVE_COOLDOWN_MINUTES=1h|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_COOLDOWN_MINUTES: '1h' is not a whole number from 0 to 10080",
        "ADAPTIVE_QUEUE_SPREAD_COST=1.5|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_QUEUE_SPREAD_COST: '1.5' is not a decimal number from 0 to 1",
        "ADAPTIVE_INTERVAL_MINUTES=0|/etc/sysconfig/xen-irq-policy:2: ADAPTIVE_INTERVAL_MINUTES: '0' is not a whole number from 1 to 1440",
        "STRATEGY=modulo|/etc/sysconfig/xen-irq-policy:1: ADAPTIVE: yes needs STRATEGY spread or load; modulo places by IRQ number and would undo every adaptive move",
    })
    void badSettingsAreOneLineNamingFileAndLineAndWriteNothing(String line, String error) {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n" + line + "\n");
        int[] hot = twoOnOneCpu(t);
        count(t, hot[0], HOT);
        count(t, hot[1], HOT);
        Map<String, String> before = t.files();
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: " + error + "\n"), adapt(t));
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: " + error + "\n"), run(t, "adapt", "--sample", "0", "--if-due"));
        assertEquals(before, t.files());
    }

    /**
     * A guest that starts between two adaptive runs: the apply the hook's request starts deals its
     * queue onto the CPU with the least traffic in the last run's window (rate lines of the
     * state), not by count, which would put it on the busy CPU 0. Only with ADAPTIVE=yes, and only
     * from a run recent enough (at most two intervals, plus 30 s of slack, ago); otherwise by count.
     */
    @ParameterizedTest
    @CsvSource({"yes, 0, 1", "no, 0, 0", "yes, 165, 0", "yes, 135, 1"})
    void aStartingGuestIsDealtAroundTheLastRunsRatesWithAdaptiveOnAndARecentRun(String adaptive, long ageSeconds,
            int expectedCpu) {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n");
        int busy = irqNamed(t, "vif1.0-q0-tx");
        assertEquals(0, cpuOf(t, busy));
        count(t, busy, HOT);
        count(t, irqNamed(t, "vif1.0-q0-rx"), HOT / 3);
        Cli.Result waiting = adapt(t);
        assertTrue(waiting.out().startsWith("adaptive run: waiting"), waiting.out());
        String state = t.read(STATE);
        assertTrue(state.contains("\nrate " + busy + " " + HOT + " vif1.0-q0-tx\n"), state);
        assertTrue(state.contains("\nrate " + LAST + " 0 blkif-backend\n"), state);
        // The run's start as recorded, moved back by the age under test.
        String[] run = state.lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow().split(" ");
        long started = Long.parseLong(run[1]);
        assertTrue(Math.abs(Instant.now().getEpochSecond() - started) < 60, state);
        t.write(STATE, state.replace("run " + started + " ", "run " + (Instant.now().getEpochSecond() - ageSeconds) + " "));
        settings(t, "ADAPTIVE=" + adaptive + "\n");

        // Guest 3 starts: IRQs 56 (xenstored) to 60 (disk), its queue at 58 and 59.
        new SyntheticDom0(CpuSet.parseList("0-2"), 3, 1, 1, 1, 0, "xen-dyn-lateeoi", SyntheticDom0.uniformQueues(0, 0, 0))
                .layOut(t);
        assertEquals("vif3.0-q0-tx\n", t.read("/sys/kernel/irq/58/actions"));
        Cli.Result apply = run(t, "apply");
        assertEquals(0, apply.status(), apply.err());
        assertEquals(expectedCpu + "\n", t.read("/proc/irq/58/smp_affinity_list"));
        assertEquals(expectedCpu + "\n", t.read("/proc/irq/59/smp_affinity_list"));
        // Everybody else stays where the first apply put them.
        assertEquals(0, cpuOf(t, busy));
    }

    /** A state an earlier release wrote (a run and its moves, no rate lines) is still its memory. */
    @Test
    void aStateOfAnEarlierReleaseWithoutRatesIsStillTheMemory() {
        HostTree t = dom0();
        int[] hot = adaptiveWithTwoHotOnOneCpu(t);
        t.write(STATE, "xen-irq-policy adaptive 1\nsamples-above 1\nrun " + (Instant.now().getEpochSecond() - 60)
                + " 3 WAITING 2.0000 2.0000\nmove 42 0 1 5 xenbus\n");
        // One run above the threshold remembered: this one is the second, and moves.
        Cli.Result second = adapt(t);
        assertEquals(0, second.status(), second.err());
        assertTrue(second.out().startsWith("adaptive run: moved 1 event channel"), second.out());
    }

    /** A dry run shows the verdict and moves the run after it makes, and writes nothing, not even with the mode off. */
    @Test
    void aDryRunShowsWhatTheNextRunDoesAndWritesNothing() {
        HostTree t = dom0();
        adaptiveWithTwoHotOnOneCpu(t);
        assertTrue(adapt(t).out().startsWith("adaptive run: waiting"));
        Map<String, String> before = t.files();
        Cli.Result dry = run(t, "adapt", "--sample", "0", "--dry-run");
        assertEquals(0, dry.status(), dry.err());
        assertEquals("", dry.err());
        assertTrue(dry.out().startsWith("adaptive run (dry run, nothing written): would move 1 event channel:"
                + " busiest CPU / lower bound 2.00 -> 1.00\n  "), dry.out());
        assertEquals(before, t.files(), "a dry run writes nothing");
        Map<String, Object> json = JsonReader.object(run(t, "adapt", "--sample", "0", "--dry-run", "--format", "json").out());
        assertEquals(true, json.get("dryRun"));
        assertEquals(before, t.files());

        // Off: the same preview, after a line that says the mode is off; still nothing written.
        settings(t, "ADAPTIVE=no\n");
        before = t.files();
        assertEquals(new Cli.Result(0, "the adaptive mode is off (ADAPTIVE=no in /etc/sysconfig/xen-irq-policy);"
                + " with it on, a run now would do this:\n" + dry.out(), ""), run(t, "adapt", "--sample", "0", "--dry-run"));
        assertEquals(before, t.files());

        // The run itself then makes exactly the moves shown.
        settings(t, "ADAPTIVE=yes\n");
        Cli.Result real = adapt(t);
        assertEquals(new Cli.Result(0, dry.out().replace("adaptive run (dry run, nothing written): would move",
                "adaptive run: moved"), ""), real);
        assertEquals(false, JsonReader.object(run(t, "adapt", "--sample", "0", "--format", "json").out()).get("dryRun"));
    }

    @Test
    void aDryRunIsNotTheTimers() {
        HostTree t = dom0();
        settings(t, "ADAPTIVE=yes\n");
        Map<String, String> before = t.files();
        assertEquals(new Cli.Result(2, "", "xen-irq-policy: --dry-run and --if-due exclude each other: --if-due is the"
                + " timer's, which never previews (see 'xen-irq-policy adapt --help')\n"),
                run(t, "adapt", "--dry-run", "--if-due"));
        assertEquals(before, t.files());
    }
}
