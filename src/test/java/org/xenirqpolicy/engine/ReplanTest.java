package org.xenirqpolicy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

/**
 * When the CPUs event channels may use change (irqbalance told to avoid one, a CPU offline), the
 * applied plan is stale: plan and status say so, and the path unit and the udev rule start the
 * service that places them anew.
 */
class ReplanTest {
    private static final String STALE = "the applied plan is stale: it was made for CPUs 0-3, usable now 0-2;"
            + " 'xen-irq-policy apply' places the event channels anew\n";

    @TempDir
    Path tmp;

    private Path appliedSample() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Cli.Result apply = Cli.run("apply", "--root", root.toString());
        assertEquals(0, apply.status(), apply.err());
        return root;
    }

    @Test
    void planAndStatusSayTheAppliedPlanIsStaleOnceIrqbalanceIsToldToAvoidAPlannedCpu() {
        Path root = appliedSample();
        assertFalse(Cli.run("status", "--root", root.toString()).out().contains("stale"));
        assertTrue(Cli.run("status", "--root", root.toString(), "--format", "json").out()
                .contains("\"appliedPlanUsable\":\"0-3\",\"appliedPlanStale\":false"));

        // As tuned's irqbalance plugin does it.
        HostTree.at(root).write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPULIST=3\n");
        Cli.Result status = Cli.run("status", "--root", root.toString());
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("\n" + STALE), status.out());
        Cli.Result plan = Cli.run("plan", "--root", root.toString());
        assertTrue(plan.out().split("\n", 3)[1].concat("\n").equals(STALE), plan.out());
        for (String command : List.of("plan", "status")) {
            String json = Cli.run(command, "--root", root.toString(), "--format", "json").out();
            assertTrue(json.contains("\"appliedPlanUsable\":\"0-3\",\"appliedPlanStale\":true"), command + ": " + json);
        }

        assertEquals(0, Cli.run("apply", "--root", root.toString()).status());
        assertFalse(Cli.run("status", "--root", root.toString()).out().contains("stale"));
        assertFalse(HostTree.at(root).read("/proc/irq/241/smp_affinity_list").equals("3\n"));
    }

    @Test
    void aCpuGoneOfflineMakesTheAppliedPlanStale() {
        Path root = appliedSample();
        HostTree.at(root).write("/sys/devices/system/cpu/online", "0-2\n");
        assertTrue(Cli.run("status", "--root", root.toString()).out().contains("\n" + STALE));
    }

    @Test
    void noPlanAppliedYetIsNotStale() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree.at(root).write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPULIST=3\n");
        assertFalse(Cli.run("status", "--root", root.toString()).out().contains("stale"));
        assertTrue(Cli.run("plan", "--root", root.toString(), "--format", "json").out()
                .contains("\"appliedPlanUsable\":null,\"appliedPlanStale\":false"));
    }

    @Test
    void thePathUnitStartsAnApplyWhenEitherSettingsFileChanges() throws Exception {
        List<String> unit = Files.readAllLines(Fixtures.repo().resolve("src/main/systemd/xen-irq-policy.path"));
        assertTrue(unit.contains("PathChanged=/etc/sysconfig/irqbalance"), unit.toString());
        assertTrue(unit.contains("PathChanged=/etc/sysconfig/xen-irq-policy"), unit.toString());
        assertTrue(unit.contains("Unit=xen-irq-policy.service"), unit.toString());
    }

    /**
     * udev's own rule engine (udevadm test, which runs nothing) on this machine's cpu1, with our
     * rule alone in /run/udev/rules.d of a private mount namespace.
     */
    @Test
    void theUdevRuleStartsTheServiceWithoutWaitingWhenACpuGoesOnlineOrOfflineAndOnlyThen() {
        Dom0Namespace.requirePrerequisites();
        if (!Files.isExecutable(Path.of("/usr/bin/udevadm")) || !Files.isDirectory(Path.of("/sys/devices/system/cpu/cpu0"))) {
            Fixtures.unmet("needs udevadm (apt-get install udev) and /sys/devices/system/cpu/cpu0");
        }
        Path rule = Fixtures.repo().resolve("src/main/udev/80-xen-irq-policy.rules");
        // Only where the service is enabled: an admin's opt-out (systemctl disable) holds here too.
        String run = "run: '/bin/sh -c 'if /usr/bin/systemctl -q is-enabled xen-irq-policy.service; "
                + "then exec /usr/bin/systemctl --no-block start xen-irq-policy.service; fi''";
        for (String action : List.of("online", "offline", "add", "change")) {
            Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(60), "unshare", "--mount", "--propagation", "private",
                    "sh", "-c", "mkdir -p /run/udev/rules.d && mount -t tmpfs rules /run/udev/rules.d && cp \"$1\" /run/udev/rules.d/"
                            + " && exec udevadm test --action=\"$2\" /sys/devices/system/cpu/cpu0",
                    "sh", rule.toString(), action);
            assertEquals(0, r.status(), r.out() + r.err());
            boolean runs = (r.out() + r.err()).lines().anyMatch(run::equals);
            assertEquals(action.equals("online") || action.equals("offline"), runs, action + ":\n" + r.out() + r.err());
        }
    }
}
