package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

class ApplyTest {
    @TempDir
    Path tmp;

    private static Map<String, FileTime> mtimes(Path root) throws IOException {
        Map<String, FileTime> times = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                times.put(root.relativize(p).toString(), Files.getLastModifiedTime(p));
            }
        }
        return times;
    }

    @Test
    void applyWritesEachPlannedCpuThenASecondApplyWritesNothing() throws Exception {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree tree = HostTree.at(root);
        Cli.Result first = Cli.run("apply", "--root", root.toString());
        assertEquals(0, first.status(), first.err());
        // One summary line, the moves only with --verbose (see ApplyOutputTest).
        assertEquals("spread: 8 moved, 0 in place, 0 gone, 0 failed; plan saved in /run/xen-irq-policy/plan\n", first.out());
        int[] expected = {0, 0, 1, 1, 2, 2, 3, 3};
        for (int i = 0; i < 8; i++) {
            assertEquals(expected[i] + "\n", tree.read("/proc/irq/" + (241 + i) + "/smp_affinity_list"));
        }
        assertEquals("""
                # Written by 'xen-irq-policy apply', beside the files the irqbalance hook reads. See xen-irq-policy(8).
                xen-irq-policy-plan 4
                generation 1
                base 1
                strategy spread
                usable 0-3
                irq 241 0 vif26.0-q0-tx
                irq 242 0 vif26.0-q0-rx
                irq 243 1 vif26.0-q1-tx
                irq 244 1 vif26.0-q1-rx
                irq 245 2 vif26.1-q0-tx
                irq 246 2 vif26.1-q0-rx
                irq 247 3 vif26.1-q1-tx
                irq 248 3 vif26.1-q1-rx
                end 8
                """, tree.read("/run/xen-irq-policy/plan/all"));
        // The same plan in the hook's files: the link, a header, one file per IRQ.
        assertEquals("plan.1", Files.readSymbolicLink(tree.path("/run/xen-irq-policy/plan")).toString());
        assertEquals("4 1 1 0-3\n", tree.read("/run/xen-irq-policy/plan.1/header"));
        for (int i = 0; i < 8; i++) {
            assertEquals("4 1 " + expected[i] + " 0-3 vif26." + i / 4 + "-q" + i / 2 % 2 + (i % 2 == 0 ? "-tx" : "-rx") + "\n",
                    tree.read("/run/xen-irq-policy/plan.1/irq." + (241 + i)));
        }

        Map<String, String> files = tree.files();
        Map<String, FileTime> times = mtimes(root);
        Thread.sleep(20);
        Cli.Result second = Cli.run("apply", "--root", root.toString());
        assertEquals(0, second.status(), second.err());
        assertEquals("nothing to change: 8 event-channel IRQs already on their spread CPUs\n", second.out());
        assertEquals(files, tree.files());
        assertEquals(times, mtimes(root), "the second apply wrote nothing");
    }

    @Test
    void dryRunWritesNothing() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Map<String, String> before = HostTree.at(root).files();
        Cli.Result r = Cli.run("apply", "--root", root.toString(), "--dry-run", "--strategy", "modulo");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("would move 241 vif26.0-q0-tx: 0-3 -> 1\n"), r.out());
        assertTrue(r.out().endsWith("dry run, modulo: 8 to move, 0 in place, 0 gone, 0 failed\n"), r.out());
        assertEquals(before, HostTree.at(root).files());
        assertFalse(Files.exists(root.resolve("run")));
    }

    @Test
    void ticklessCpusAreLeftAloneAndSaidSo() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree.at(root).write("/sys/devices/system/cpu/nohz_full", "1-2\n");
        Cli.Result r = Cli.run("apply", "--root", root.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("strategy spread on CPUs 0,3 (online 0-3, banned for irqbalance none, isolated none, nohz_full 1-2);"
                + " 8 event-channel IRQs", Cli.run("plan", "--root", root.toString()).out().lines().findFirst().orElseThrow());
        String plan = HostTree.at(root).read("/run/xen-irq-policy/plan/all");
        assertTrue(plan.contains("\nusable 0,3\n"), plan);
        for (int irq = 241; irq <= 248; irq++) {
            assertTrue(HostTree.at(root).read("/proc/irq/" + irq + "/smp_affinity_list").matches("[03]\n"), "IRQ " + irq);
        }
        // A kernel built with nohz_full that does not use it prints "(null)": every CPU is usable.
        HostTree.at(root).write("/sys/devices/system/cpu/nohz_full", "(null)\n");
        assertTrue(Cli.run("plan", "--root", root.toString()).out().startsWith("strategy spread on CPUs 0-3 (online 0-3,"
                + " banned for irqbalance none, isolated none); "));
    }

    @Test
    void onlyCpusZeroAndThreeWhenCpuOneIsOfflineAndTwoIsBanned() {
        for (String strategy : new String[] {"spread", "modulo", "load"}) {
            Path root = tmp.resolve(strategy);
            new SyntheticDom0(CpuSet.parseList("0,2-3"), 5, 2, 2, 1, 3, "xen-dyn-lateeoi",
                    SyntheticDom0.uniformQueues(300, 100, 5)).layOut(HostTree.at(root));
            HostTree.at(root).write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPULIST=2\n");
            Cli.Result r = Cli.run("apply", "--root", root.toString(), "--strategy", strategy, "--sample", "0");
            assertEquals(0, r.status(), r.err());
            String plan = HostTree.at(root).read("/run/xen-irq-policy/plan/all");
            assertTrue(plan.contains("\nusable 0,3\n"), plan);
            int irqs = 0;
            for (String line : plan.split("\n")) {
                if (line.startsWith("irq ")) {
                    irqs++;
                    String cpu = line.split(" ")[2];
                    assertTrue(cpu.equals("0") || cpu.equals("3"), strategy + ": " + line);
                    String irq = line.split(" ")[1];
                    assertEquals(cpu + "\n", HostTree.at(root).read("/proc/irq/" + irq + "/smp_affinity_list"));
                }
            }
            // 4 global channels + per guest (xenstored, xenconsoled, 2 vifs x 2 queues x tx/rx, 1 disk).
            assertEquals(4 + 5 * (2 + 8 + 1), irqs, strategy);
        }
    }

    @Test
    void aRefusedWriteIsReportedAndTheOthersStillApply() throws IOException {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        // A directory where the attribute should be: the write fails as the kernel's EIO would.
        Path attr = root.resolve("proc/irq/243/smp_affinity_list");
        Files.delete(attr);
        Files.createDirectory(attr);
        Files.delete(root.resolve("proc/irq/246/smp_affinity_list"));
        Cli.Result r = Cli.run("apply", "--root", root.toString(), "--verbose");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("xen-irq-policy: IRQ 243 vif26.0-q1-tx: "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.out().contains("gone 246 vif26.1-q0-rx: the IRQ no longer exists\n"), r.out());
        assertTrue(r.out().contains("spread: 6 moved, 0 in place, 1 gone, 1 failed; plan saved in /run/xen-irq-policy/plan\n"), r.out());
        assertEquals("3\n", HostTree.at(root).read("/proc/irq/248/smp_affinity_list"));
        String plan = HostTree.at(root).read("/run/xen-irq-policy/plan/all");
        assertTrue(plan.contains("\nirq 243 1 vif26.0-q1-tx\n"), "a failed IRQ stays planned: " + plan);
        assertFalse(plan.contains("irq 246 "), "a vanished IRQ leaves the plan: " + plan);
        assertTrue(plan.endsWith("\nend 7\n"), plan);
    }

    @Test
    void statusShowsWhatIsNotWhereThePlanPutsIt() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Cli.Result before = Cli.run("status", "--root", root.toString());
        assertEquals(0, before.status(), before.err());
        assertTrue(before.out().contains("8 not where a fresh spread plan (none applied yet) puts them:\n  241 vif26.0-q0-tx on 0-3, planned 0\n"), before.out());
        assertTrue(before.out().contains("8 event-channel IRQs are not bound to one CPU\n"), before.out());
        // CPU 3 took 157885 + 3457479 of the 8 IRQs' interrupts, CPU 2 none; mean 1038522.75.
        assertTrue(before.out().contains("\n3       0     3615364\n"), before.out());
        assertTrue(before.out().contains("\n2       0           0\n"), before.out());
        assertTrue(before.out().contains("imbalance 3.48 (busiest usable CPU / mean, interrupts since boot)\n"), before.out());

        assertEquals(0, Cli.run("apply", "--root", root.toString()).status());
        Cli.Result after = Cli.run("status", "--root", root.toString());
        assertTrue(after.out().contains("all event-channel IRQs are where the applied plan (/run/xen-irq-policy/plan) puts them\n"), after.out());
        // Counts since boot stay where they were taken; the IRQs now sit on their planned CPUs.
        assertTrue(after.out().contains("\n0       2        2098  241 vif26.0-q0-tx, 242 vif26.0-q0-rx\n"), after.out());
        assertTrue(after.out().contains("\n3       2     3615364  247 vif26.1-q1-tx, 248 vif26.1-q1-rx\n"), after.out());

        HostTree.at(root).write("/proc/irq/245/smp_affinity_list", "0\n");
        Cli.Result moved = Cli.run("status", "--root", root.toString(), "--format", "json");
        assertTrue(moved.out().contains("\"misplaced\":[{\"irq\":245,\"name\":\"vif26.1-q0-tx\""), moved.out());
    }

    @Test
    void applyConsumesTheHooksRequestsAndNothingElse() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree t = HostTree.at(root);
        t.write("/run/irqbalance/xen-irq-policy-request.241", "");
        t.write("/run/irqbalance/other-file", "x");
        t.write("/run/xen-irq-policy/request.245", "");
        t.write("/run/xen-irq-policy/request.notanirq", "");
        Cli.Result r = Cli.run("apply", "--root", root.toString());
        assertEquals(0, r.status(), r.err());
        assertFalse(t.exists("/run/irqbalance/xen-irq-policy-request.241"));
        assertFalse(t.exists("/run/xen-irq-policy/request.245"));
        assertTrue(t.exists("/run/irqbalance/other-file"));
        assertTrue(t.exists("/run/xen-irq-policy/request.notanirq"));
        // A dry run leaves requests for the next real run; bad input answers them, or the path
        // unit would start the service again and again until the input is fixed.
        t.write("/run/irqbalance/xen-irq-policy-request.242", "");
        assertEquals(0, Cli.run("apply", "--root", root.toString(), "--dry-run").status());
        assertTrue(t.exists("/run/irqbalance/xen-irq-policy-request.242"));
        t.write("/etc/sysconfig/xen-irq-policy", "STRATEGY=nope\n");
        assertEquals(2, Cli.run("apply", "--root", root.toString()).status());
        assertFalse(t.exists("/run/irqbalance/xen-irq-policy-request.242"));
    }
}
