package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * The hook under the real irqbalance, on simulated dom0s in a private mount namespace, as the
 * package lays it out: bans, placements, guests that start later, policy directories, and
 * Fedora's sandbox.
 */
class IrqbalanceHookTest {
    private static final CpuSet CPUS = CpuSet.parseList("0-3");

    @TempDir
    Path tmp;
    Path tree;
    Path hook;

    @BeforeEach
    void prerequisites() {
        Dom0Namespace.requirePrerequisites();
        tree = tmp.resolve("dom0");
        hook = Dom0Namespace.stageHook(tmp.resolve("stage"));
    }

    private static SyntheticDom0 dom0(int guests) {
        return new SyntheticDom0(CPUS, guests, 1, 2, 1, 3, "xen-dyn-lateeoi", SyntheticDom0.uniformQueues(3000, 1000, 20));
    }

    private Plan appliedPlan() {
        return PlanFile.parse(HostTree.at(tree).read("/run/xen-irq-policy/plan/all")).orElseThrow();
    }

    private Map<Integer, String> affinities(SyntheticDom0 dom0) {
        Map<Integer, String> out = new HashMap<>();
        for (SyntheticDom0.Irq irq : dom0.irqs()) {
            out.put(irq.irq(), HostTree.at(tree).read("/proc/irq/" + irq.irq() + "/smp_affinity_list"));
        }
        return out;
    }

    private static boolean isEventChannel(SyntheticDom0.Irq irq) {
        return irq.chip().startsWith("xen-dyn");
    }

    @Test
    void everyEventChannelIsBannedAndOnItsPlannedCpuAndNothingElseIsTouched() {
        SyntheticDom0 dom0 = dom0(6);
        dom0.layOut(HostTree.at(tree));
        // At boot the engine runs before irqbalance starts.
        assertEquals(0, Cli.run("apply", "--root", tree.toString()).status());
        Map<Integer, String> before = affinities(dom0);
        Plan plan = appliedPlan();
        // Undo the engine's writes for half of them: the hook must put those back.
        for (Placement p : plan.placements()) {
            if (p.irq() % 2 == 0) {
                HostTree.at(tree).write("/proc/irq/" + p.irq() + "/smp_affinity_list", "0-3\n");
            }
        }

        Dom0Namespace.Result r = Dom0Namespace.irqbalanceOnce(tree, false, hook.toString());
        assertEquals(0, r.status(), r.err());
        Map<Integer, Placement> planned = plan.byIrq();
        for (SyntheticDom0.Irq irq : dom0.irqs()) {
            String now = HostTree.at(tree).read("/proc/irq/" + irq.irq() + "/smp_affinity_list");
            if (isEventChannel(irq)) {
                assertTrue(r.out().contains("IRQ " + irq.irq() + " was BANNED.\n"), "banned " + irq);
                assertEquals(planned.get(irq.irq()).cpu() + "\n", now, irq.toString());
            } else {
                assertFalse(r.out().contains("IRQ " + irq.irq() + " was BANNED."), "not banned " + irq);
                assertEquals(before.get(irq.irq()), now, "untouched " + irq);
            }
        }
        assertEquals(List.of(), HostTree.at(tree).files().keySet().stream().filter(f -> f.contains("request")).toList(),
                "every event channel was in the plan: no request");
        assertEquals("", r.err());
    }

    /**
     * EXCLUDE=dom:2, one of guest 2's queues pinned by hand on CPU 3, then irqbalance starts:
     * it bans guest 2's netback channels like every event channel, and the hook leaves them
     * where they were, byte for byte, with no request; everything else is as planned.
     */
    @Test
    void anExcludedGuestIsBannedButLeftWhereItIs() {
        SyntheticDom0 dom0 = dom0(6);
        HostTree t = HostTree.at(tree);
        dom0.layOut(t);
        t.write("/etc/sysconfig/xen-irq-policy", "EXCLUDE=dom:2\n");
        List<SyntheticDom0.Irq> guest2 = dom0.irqs().stream().filter(irq -> irq.name().startsWith("vif2.")).toList();
        assertEquals(4, guest2.size());
        int pinned = guest2.get(0).irq();
        t.write("/proc/irq/" + pinned + "/smp_affinity_list", "3\n");
        assertEquals(0, Cli.run("apply", "--root", tree.toString()).status());
        Map<Integer, String> before = affinities(dom0);
        assertEquals("3\n", before.get(pinned));
        Plan plan = appliedPlan();
        for (SyntheticDom0.Irq irq : guest2) {
            assertFalse(plan.byIrq().containsKey(irq.irq()), "not planned: " + irq);
        }

        Dom0Namespace.Result r = Dom0Namespace.irqbalanceOnce(tree, false, hook.toString());
        assertEquals(0, r.status(), r.err());
        for (SyntheticDom0.Irq irq : dom0.irqs()) {
            if (isEventChannel(irq)) {
                assertTrue(r.out().contains("IRQ " + irq.irq() + " was BANNED.\n"), "banned " + irq);
            }
            String now = t.read("/proc/irq/" + irq.irq() + "/smp_affinity_list");
            Placement p = plan.byIrq().get(irq.irq());
            assertEquals(p == null ? before.get(irq.irq()) : p.cpu() + "\n", now, irq.toString());
        }
        assertEquals("3\n", t.read("/proc/irq/" + pinned + "/smp_affinity_list"));
        assertEquals(List.of(), t.files().keySet().stream().filter(f -> f.contains("request")).toList(),
                "no request for the excluded channels");
    }

    @Test
    void aCpuBannedAfterTheApplyIsLeftByTheHookWithARequestAndByTheNextApply() {
        SyntheticDom0 dom0 = dom0(6);
        dom0.layOut(HostTree.at(tree));
        assertEquals(0, Cli.run("apply", "--root", tree.toString()).status());
        Map<Integer, Placement> boot = appliedPlan().byIrq();
        List<Integer> onThree = boot.values().stream().filter(p -> p.cpu() == 3).map(Placement::irq).toList();
        assertFalse(onThree.isEmpty(), "the boot plan uses CPU 3");

        // tuned's irqbalance plugin bans CPU 3 and restarts irqbalance: in the file, which the
        // engine reads, and so in irqbalance's environment, where systemd puts the file.
        HostTree t = HostTree.at(tree);
        t.write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPULIST=3\n");
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(90), Dom0Namespace.inside(tree, false, "env",
                "IRQBALANCE_BANNED_CPULIST=3", Dom0Namespace.IRQBALANCE.toString(), "--oneshot", "--foreground", "--debug",
                "--interval=1", "--policyscript=" + hook).toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Banned CPUs: 00000008"), r.out());
        for (Placement p : boot.values()) {
            String now = t.read("/proc/irq/" + p.irq() + "/smp_affinity_list");
            assertTrue(r.out().contains("IRQ " + p.irq() + " was BANNED.\n"), "banned " + p);
            assertNotEquals("3\n", now, "left CPU 3: " + p);
            assertEquals(p.cpu() == 3, t.exists("/run/irqbalance/xen-irq-policy-request." + p.irq()), "a request for " + p);
            if (p.cpu() != 3) {
                assertEquals(p.cpu() + "\n", now, "kept " + p);
            }
        }

        // What xen-irq-policy.path starts on those requests: a plan without CPU 3, in force.
        Cli.Result apply = Cli.run("apply", "--root", tree.toString());
        assertEquals(0, apply.status(), apply.err());
        Plan next = appliedPlan();
        assertEquals(CpuSet.parseList("0-2"), next.usable());
        assertEquals(boot.keySet(), next.byIrq().keySet());
        for (Placement p : next.placements()) {
            assertNotEquals(3, p.cpu(), p.toString());
            assertEquals(p.cpu() + "\n", t.read("/proc/irq/" + p.irq() + "/smp_affinity_list"), p.toString());
        }
        assertEquals(List.of(), t.files().keySet().stream().filter(f -> f.contains("request")).toList());
        // And the hook now agrees with it: no request, nothing moved.
        Map<Integer, String> placed = affinities(dom0);
        Dom0Namespace.Result again = Dom0Namespace.run(Duration.ofSeconds(90), Dom0Namespace.inside(tree, false, "env",
                "IRQBALANCE_BANNED_CPULIST=3", Dom0Namespace.IRQBALANCE.toString(), "--oneshot", "--foreground",
                "--interval=1", "--policyscript=" + hook).toArray(String[]::new));
        assertEquals(0, again.status(), again.err());
        for (Placement p : next.placements()) {
            assertEquals(placed.get(p.irq()), t.read("/proc/irq/" + p.irq() + "/smp_affinity_list"), p.toString());
        }
        assertEquals(List.of(), t.files().keySet().stream().filter(f -> f.contains("request")).toList());
    }

    @Test
    void aGuestStartedUnderTheSandboxIsPlacedByTheHookThenByTheEngine() throws Exception {
        SyntheticDom0 before = dom0(6);
        before.layOut(HostTree.at(tree));
        assertEquals(0, Cli.run("apply", "--root", tree.toString()).status());
        Plan boot = appliedPlan();
        List<String> cmd = Dom0Namespace.inside(tree, true, Dom0Namespace.IRQBALANCE.toString(), "--foreground",
                "--debug", "--interval=1", "--policyscript=" + hook);
        try (Dom0Namespace.Running irqbalance = new Dom0Namespace.Running(cmd)) {
            int lastBoot = boot.placements().get(boot.placements().size() - 1).irq();
            Dom0Namespace.await(Duration.ofSeconds(30), "the first bans",
                    () -> irqbalance.out().contains("IRQ " + lastBoot + " was BANNED."));

            // Two guests start: their IRQ directories appear, then their /proc/interrupts lines.
            SyntheticDom0 after = dom0(8);
            List<SyntheticDom0.Irq> added = after.irqs().stream()
                    .filter(irq -> before.irqs().stream().noneMatch(b -> b.irq() == irq.irq())).toList();
            HostTree t = HostTree.at(tree);
            for (SyntheticDom0.Irq irq : added) {
                t.irq(irq.irq(), CPUS);
                t.write("/sys/kernel/irq/" + irq.irq() + "/chip_name", irq.chip() + "\n");
                t.write("/sys/kernel/irq/" + irq.irq() + "/actions", irq.name() + "\n");
            }
            // In place: the bind mount shows this inode, a renamed file would stay unseen.
            Files.writeString(t.path("/proc/interrupts"), after.procInterrupts());

            Dom0Namespace.await(Duration.ofSeconds(30), "requests for the new IRQs", () -> added.stream()
                    .allMatch(irq -> t.exists("/run/irqbalance/xen-irq-policy-request." + irq.irq())));
            for (SyntheticDom0.Irq irq : added) {
                Dom0Namespace.await(Duration.ofSeconds(10), "ban of " + irq,
                        () -> irqbalance.out().contains("IRQ " + irq.irq() + " was BANNED."));
                // The fallback: the seed rule over the plan's usable CPUs, so never left on CPU 0 by default.
                assertEquals(boot.usable().get(irq.irq() % boot.usable().size()) + "\n",
                        t.read("/proc/irq/" + irq.irq() + "/smp_affinity_list"), "fallback for " + irq);
            }
            assertFalse(t.exists("/run/xen-irq-policy/request." + added.get(0).irq()), "our /run is read-only in the sandbox");

            // What xen-irq-policy.path would start: the engine, outside irqbalance's sandbox.
            Cli.Result apply = Cli.run("apply", "--root", tree.toString());
            assertEquals(0, apply.status(), apply.err());
            assertEquals(List.of(), t.files().keySet().stream().filter(f -> f.contains("request")).toList());
            Plan next = appliedPlan();
            Map<Integer, Placement> nextByIrq = next.byIrq();
            for (Placement p : boot.placements()) {
                assertEquals(p.cpu(), nextByIrq.get(p.irq()).cpu(), "kept " + p);
            }
            Map<Integer, Long> load = new HashMap<>();
            Map<Integer, Long> traffic = after.eventChannelTraffic();
            for (Placement p : next.placements()) {
                assertEquals(p.cpu() + "\n", t.read("/proc/irq/" + p.irq() + "/smp_affinity_list"), p.toString());
                load.merge(p.cpu(), traffic.get(p.irq()), Long::sum);
            }
            long total = traffic.values().stream().mapToLong(Long::longValue).sum();
            double bound = Math.max(total / (double) CPUS.size(), 3000);
            double busiest = load.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertTrue(busiest <= 1.05 * bound, "busiest " + busiest + " bound " + bound);
            assertTrue(irqbalance.alive(), irqbalance.err());
            assertEquals("", irqbalance.err());
        }
    }

    @Test
    void theHookWorksInAPolicyDirectoryBesideAForeignScript() throws IOException {
        SyntheticDom0 dom0 = dom0(3);
        dom0.layOut(HostTree.at(tree));
        assertEquals(0, Cli.run("apply", "--root", tree.toString()).status());
        Path dir = Files.createDirectories(tmp.resolve("policy.d"));
        Files.createSymbolicLink(dir.resolve("xen-irq-policy"), hook);
        // A foreign script that claims the keyboard and nothing else; it runs before or after ours.
        Path foreign = dir.resolve("keyboard");
        Files.writeString(foreign, """
                #!/bin/sh
                [ "$2" = 1 ] || exit 1
                echo ban=true
                """);
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwxr-xr-x"));

        Dom0Namespace.Result r = Dom0Namespace.irqbalanceOnce(tree, false, dir.toString());
        assertEquals(0, r.status(), r.err());
        Map<Integer, Placement> planned = appliedPlan().byIrq();
        for (SyntheticDom0.Irq irq : dom0.irqs()) {
            boolean banned = r.out().contains("IRQ " + irq.irq() + " was BANNED.");
            assertEquals(isEventChannel(irq) || irq.irq() == 1, banned, irq.toString());
            if (isEventChannel(irq)) {
                assertEquals(planned.get(irq.irq()).cpu() + "\n", HostTree.at(tree).read("/proc/irq/" + irq.irq() + "/smp_affinity_list"));
            }
        }
        assertFalse(r.out().contains("Error executing policy script"), r.out());
    }

    @Test
    void inTheSandboxTheHookWorksAndNoJvmCanStart() {
        SyntheticDom0 dom0 = dom0(2);
        dom0.layOut(HostTree.at(tree));
        assertEquals(0, Cli.run("apply", "--root", tree.toString()).status());
        Dom0Namespace.Result r = Dom0Namespace.irqbalanceOnce(tree, true, hook.toString());
        assertEquals(0, r.status(), r.err());
        for (Placement p : appliedPlan().placements()) {
            assertTrue(r.out().contains("IRQ " + p.irq() + " was BANNED.\n"), "banned " + p);
        }

        // The engine's runtime cannot start there, however it is started: that is why the hook is shell.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Dom0Namespace.Result jvm = Dom0Namespace.run(Duration.ofSeconds(60),
                Dom0Namespace.inside(tree, true, "sh", "-c", java + " -Xint -version").toArray(String[]::new));
        assertNotEquals(0, jvm.status());
        // HotSpot prints its initialisation error on stdout.
        assertTrue((jvm.out() + jvm.err()).contains("Failed to mark memory page as executable"), jvm.out() + jvm.err());
        // And the root is read-only: only /proc/irq and /run/irqbalance take writes.
        Dom0Namespace.Result write = Dom0Namespace.run(Duration.ofSeconds(30), Dom0Namespace.inside(tree, true, "sh", "-c",
                "echo x > /tmp/probe || echo x > /run/xen-irq-policy/probe || echo refused").toArray(String[]::new));
        assertEquals("refused\n", write.out());
    }
}
