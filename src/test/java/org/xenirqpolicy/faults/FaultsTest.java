package org.xenirqpolicy.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * Concurrency and faults, with the engine as it runs: separate processes (each CLI run is one,
 * and the lock is a process lock), on a generated dom0.
 */
class FaultsTest {
    private static final SyntheticDom0 DOM0 = SyntheticDom0.FORTY_GUESTS;

    @TempDir
    Path tmp;
    Path tree;

    @BeforeEach
    void dom0() {
        tree = tmp.resolve("dom0");
        DOM0.layOut(HostTree.at(tree));
    }


    private Map<String, String> affinities() {
        Map<String, String> out = new java.util.TreeMap<>();
        HostTree.at(tree).files().forEach((f, v) -> {
            if (f.endsWith("/smp_affinity_list")) {
                out.put(f, v);
            }
        });
        return out;
    }

    private void assertPlacedAsPlanned() {
        Plan plan = PlanFile.parse(HostTree.at(tree).read("/run/xen-irq-policy/plan/all")).orElseThrow();
        assertEquals(DOM0.eventChannelTraffic().size(), plan.placements().size());
        for (Placement p : plan.placements()) {
            assertEquals(p.cpu() + "\n", HostTree.at(tree).read("/proc/irq/" + p.irq() + "/smp_affinity_list"), p.toString());
        }
    }

    @Test
    void anApplyWaitsForTheLockThatAnotherHolds() throws Exception {
        Map<String, String> before = affinities();
        Path lockFile = tree.resolve("run/xen-irq-policy/lock");
        Files.createDirectories(lockFile.getParent());
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            try (Dom0Namespace.Running apply = new Dom0Namespace.Running(Cli.inOwnJvm("apply", "--root", tree.toString()))) {
                // An apply takes well under a second here; while the lock is held it must not write.
                Thread.sleep(5000);
                assertTrue(apply.alive(), apply.err());
                assertEquals(before, affinities());
                assertFalse(Files.exists(tree.resolve("run/xen-irq-policy/plan")));
                held.release();
                Dom0Namespace.await(Duration.ofSeconds(60), "the apply after the lock was released", () -> !apply.alive());
                assertTrue(apply.out().contains("plan saved in /run/xen-irq-policy/plan"), apply.out() + apply.err());
            }
        }
        assertPlacedAsPlanned();
    }

    @Test
    void twoAppliesAtOnceLeaveOneConsistentPlan() throws Exception {
        try (Dom0Namespace.Running a = new Dom0Namespace.Running(Cli.inOwnJvm("apply", "--root", tree.toString(), "--strategy", "spread"));
                Dom0Namespace.Running b = new Dom0Namespace.Running(Cli.inOwnJvm("apply", "--root", tree.toString(), "--strategy", "spread"))) {
            Dom0Namespace.await(Duration.ofSeconds(120), "both applies", () -> !a.alive() && !b.alive());
            assertEquals("", a.err());
            assertEquals("", b.err());
            // One placed everything; the other, serialised behind it, found nothing to change.
            assertTrue(a.out().contains("nothing to change") ^ b.out().contains("nothing to change"), a.out() + "\n---\n" + b.out());
        }
        assertPlacedAsPlanned();
    }

    @Test
    void theHookRacingAnApplyAlwaysAnswersAndNeverFails() throws Exception {
        Path hook = Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook");
        HostTree.at(tree).write("/run/irqbalance/.keep", "");
        int irq = DOM0.eventChannelTraffic().keySet().iterator().next();
        try (Dom0Namespace.Running apply = new Dom0Namespace.Running(Cli.inOwnJvm("apply", "--root", tree.toString(), "--rebalance"))) {
            int calls = 0;
            while (apply.alive() || calls < 20) {
                ProcessBuilder pb = new ProcessBuilder("sh", hook.toString(), "/sys", String.valueOf(irq));
                pb.environment().put("XEN_IRQ_POLICY_ROOT", tree.toString());
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes());
                String err = new String(p.getErrorStream().readAllBytes());
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), new Dom0Namespace.Result(p.exitValue(), out, err));
                calls++;
            }
            assertEquals("", apply.err());
        }
        assertPlacedAsPlanned();
    }

    @Test
    void killedMidApplyThePlanIsTheOldOrTheNewNeverTorn() throws Exception {
        Dom0Namespace.Result first = Dom0Namespace.run(Duration.ofMinutes(2), Cli.inOwnJvm("apply", "--root", tree.toString(), "--strategy", "modulo").toArray(String[]::new));
        assertEquals(0, first.status(), first.err());
        String old = HostTree.at(tree).read("/run/xen-irq-policy/plan/all");
        for (int delayMs : new int[] {150, 300, 450, 600, 800}) {
            Process p = new ProcessBuilder(Cli.inOwnJvm("apply", "--root", tree.toString(), "--strategy", "spread")).start();
            Thread.sleep(delayMs);
            p.destroyForcibly().waitFor();
            String now = HostTree.at(tree).read("/run/xen-irq-policy/plan/all");
            Optional<Plan> parsed = PlanFile.parse(now);
            assertTrue(parsed.isPresent(), "a complete plan after kill -9 at " + delayMs + " ms");
            assertTrue(now.equals(old) || parsed.get().strategy().id().equals("spread"), now);
        }
        // A killed apply may leave a directory of a plan it never linked, or one it unlinked but
        // did not remove: the next apply that saves removes every directory but its own.
        assertEquals(0, Cli.run("apply", "--root", tree.toString(), "--strategy", "modulo").status());
        Path run = tree.resolve("run/xen-irq-policy");
        try (var entries = Files.list(run)) {
            assertEquals(List.of(Files.readSymbolicLink(run.resolve("plan")).toString()),
                    entries.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("plan.")).toList());
        }
    }

    private Dom0Namespace.Result applyWithRun(String mountRun) {
        String script = mountRun + " && exec \"$@\"";
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"));
        cmd.addAll(Cli.inOwnJvm("apply", "--root", tree.toString()));
        return Dom0Namespace.run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
    }

    @Test
    void anAffinityFileFailingWithEioFailsThatIrqAloneAndExitsOne() {
        Dom0Namespace.requirePrerequisites();
        int irq = DOM0.eventChannelTraffic().keySet().stream().min(Integer::compare).orElseThrow();
        String attr = "/proc/irq/" + irq + "/smp_affinity_list";
        String original = HostTree.at(tree).read(attr);
        // The kernel's own EIO, as smp_affinity_list gives it for an IRQ whose affinity cannot be
        // set: /proc/PID/mem of a sleeping process fails every read and write at offset 0, which
        // is never mapped, with EIO.
        String script = "sleep 600 & s=$!; mount --bind /proc/$s/mem " + tree + attr + " && \"$@\"; rc=$?; kill $s; exit $rc";
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"));
        cmd.addAll(Cli.inOwnJvm("apply", "--root", tree.toString()));
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().matches("xen-irq-policy: IRQ " + irq + " \\S+: cannot write " + attr + ": Input/output error\n"), r.err());
        assertTrue(r.out().contains(", 1 failed; plan saved in "), r.out());
        assertEquals(original, HostTree.at(tree).read(attr), "the file under the mount is untouched");
        for (int other : DOM0.eventChannelTraffic().keySet()) {
            if (other != irq) {
                assertTrue(HostTree.at(tree).read("/proc/irq/" + other + "/smp_affinity_list").matches("[0-7]\n"), "IRQ " + other);
            }
        }
        String plan = HostTree.at(tree).read("/run/xen-irq-policy/plan/all");
        assertTrue(plan.contains("\nirq " + irq + " "), "a failed IRQ stays planned: " + plan);
    }

    @Test
    void aReadOnlyRunStopsApplyBeforeAnyChange() {
        Dom0Namespace.requirePrerequisites();
        Map<String, String> before = affinities();
        Path run = tree.resolve("run");
        HostTree.at(tree).write("/run/.keep", "");
        Dom0Namespace.Result r = applyWithRun("mount --bind " + run + " " + run + " && mount -o remount,bind,ro " + run);
        assertEquals(2, r.status(), r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("xen-irq-policy: cannot lock " + run + "/xen-irq-policy/lock: Read-only file system"), r.err());
        assertEquals(before, affinities(), "nothing written");
    }

    @Test
    void aFullRunIsAPartialFailureThatNamesTheCause() {
        Dom0Namespace.requirePrerequisites();
        Path run = tree.resolve("run");
        HostTree.at(tree).write("/run/.keep", "");
        // Room for the lock file, not for the plan.
        Dom0Namespace.Result r = applyWithRun("mount -t tmpfs -o size=4k,nr_inodes=16 full " + run);
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("xen-irq-policy: the IRQs are placed but the plan was not saved"), r.err());
        assertTrue(r.err().contains("No space left on device"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        int placed = 0;
        for (int irq : DOM0.eventChannelTraffic().keySet()) {
            placed += HostTree.at(tree).read("/proc/irq/" + irq + "/smp_affinity_list").matches("[0-7]\n") ? 1 : 0;
        }
        assertEquals(DOM0.eventChannelTraffic().size(), placed);
    }
}
