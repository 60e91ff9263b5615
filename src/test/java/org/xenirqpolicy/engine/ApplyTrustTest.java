package org.xenirqpolicy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * Whether what the hook trusts, the saved plan and the requests, stays true to the host: across
 * an apply racing the hook, a /run too full for the new plan, a crash and a settings typo.
 */
class ApplyTrustTest {
    private static final SyntheticDom0 DOM0 = new SyntheticDom0(CpuSet.parseList("0-7"), 24, 2, 4, 1, 4, "xen-dyn-lateeoi",
            SyntheticDom0.uniformQueues(3000, 1000, 20));
    private static final Path HOOK = Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook");
    private static final String PLAN = "/run/xen-irq-policy/plan";
    private static final String PLAN_TEXT = PLAN + "/all";

    @TempDir
    Path tmp;
    Path tree;

    @BeforeEach
    void dom0() {
        tree = tmp.resolve("dom0");
        DOM0.layOut(HostTree.at(tree));
        HostTree.at(tree).write("/run/irqbalance/.keep", "");
    }

    private Plan savedPlan() {
        return PlanFile.parse(HostTree.at(tree).read(PLAN_TEXT)).orElseThrow();
    }

    /** The event channels not on the CPU the saved plan gives them, as "IRQ on X, planned Y". */
    private List<String> misplaced(Plan plan) {
        List<String> wrong = new ArrayList<>();
        for (Placement p : plan.placements()) {
            String now = HostTree.at(tree).read("/proc/irq/" + p.irq() + "/smp_affinity_list");
            if (!now.equals(p.cpu() + "\n")) {
                wrong.add(p.irq() + " on " + now.strip() + ", planned " + p.cpu());
            }
        }
        return wrong;
    }

    private Process hook(int irq) throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "exec \"$0\" /sys \"$1\"", HOOK.toString(), String.valueOf(irq));
        pb.environment().put("XEN_IRQ_POLICY_ROOT", tree.toString());
        pb.redirectErrorStream(true);
        return pb.start();
    }

    @Test
    void whenAnApplyThatMovesIrqsReturnsEveryEventChannelIsWhereItsSavedPlanSaysThoughTheHookRanThroughout()
            throws Exception {
        assertEquals(0, Cli.run("apply", "--root", tree.toString(), "--strategy", "modulo").status());
        List<Integer> irqs = new ArrayList<>(DOM0.eventChannelTraffic().keySet());
        String[] strategies = {"spread", "modulo", "load", "spread", "modulo", "load"};
        for (String strategy : strategies) {
            AtomicBoolean applying = new AtomicBoolean(true);
            AtomicReference<String> hookFailure = new AtomicReference<>();
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int offset = t;
                Thread caller = new Thread(() -> {
                    // irqbalance asks about every IRQ at its start; two at a time, round and round.
                    for (int i = offset; applying.get() || i < irqs.size(); i += 2) {
                        try {
                            Process p = hook(irqs.get(i % irqs.size()));
                            String out = new String(p.getInputStream().readAllBytes());
                            if (p.waitFor() != 0 || !out.equals("ban=true\n")) {
                                hookFailure.compareAndSet(null, p.exitValue() + ": " + out);
                            }
                        } catch (Exception e) {
                            hookFailure.compareAndSet(null, e.toString());
                        }
                    }
                });
                caller.start();
                callers.add(caller);
            }
            Thread.sleep(50);
            Cli.Result apply = Cli.run("apply", "--root", tree.toString(), "--strategy", strategy, "--rebalance", "--sample", "0");
            applying.set(false);
            for (Thread caller : callers) {
                caller.join(120_000);
            }
            assertEquals(0, apply.status(), apply.err());
            assertEquals(null, hookFailure.get());
            assertEquals(List.of(), misplaced(savedPlan()), "after the " + strategy + " apply");
        }
    }

    @Test
    void aPlanThatCannotBeSavedIsNotLeftForTheHookToTrust() {
        Dom0Namespace.requirePrerequisites();
        assertEquals(0, Cli.run("apply", "--root", tree.toString(), "--strategy", "modulo").status());
        String old = HostTree.at(tree).read(PLAN_TEXT);
        // The old plan on a /run with no room left for a new one (each file of it takes a page).
        Path run = tree.resolve("run/xen-irq-policy");
        String script = "rm -rf /tmp/old-run && cp -a " + run + " /tmp/old-run && mount -t tmpfs -o size=4m full " + run
                + " && cp -a /tmp/old-run/. " + run + " && : > " + run + "/lock"
                + " && (dd if=/dev/zero of=" + run + "/filler bs=4k 2>/dev/null; true)"
                + " && \"$@\"; rc=$?; if [ -e " + run + "/plan ] || [ -L " + run + "/plan ]; then echo PLAN-LEFT; cat " + run + "/plan/all; fi;"
                + " for d in " + run + "/plan.*; do [ -e \"$d\" ] && echo DIR-LEFT \"$d\" $(ls -A \"$d\"); done; exit $rc";
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"));
        cmd.addAll(Cli.inOwnJvm("apply", "--root", tree.toString(), "--strategy", "spread"));
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("the plan was not saved") && r.err().contains("No space left on device"), r.err());
        assertFalse(r.out().contains("PLAN-LEFT"), "the modulo plan must not outlive a spread apply:\n" + r.out());
        // One directory may stay, holding its header alone and linked by nothing: it keeps the
        // generations growing (PlanStore.remove). Neither plan's other files are left.
        List<String> left = r.out().lines().filter(l -> l.startsWith("DIR-LEFT ")).toList();
        assertTrue(left.size() <= 1 && left.stream().allMatch(l -> l.matches("DIR-LEFT \\S+( header)?")),
                "only a header is left:\n" + r.out());
        assertTrue(old.contains("strategy modulo"), old);
    }

    @Test
    void requestsAnApplyFoundOutliveItsCrashAndGoWithTheNextApply() throws Exception {
        Dom0Namespace.requirePrerequisites();
        int irq = DOM0.eventChannelTraffic().keySet().iterator().next();
        String request = "/run/irqbalance/xen-irq-policy-request." + irq;
        HostTree.at(tree).write(request, "");
        // The apply stops where it reads the applied plan, under the lock, after it has seen the
        // request: a FIFO with no writer blocks that read until the apply is killed.
        Path plan = tree.resolve(PLAN.substring(1));
        Files.createDirectories(plan.resolveSibling("plan.1"));
        Files.createSymbolicLink(plan, Path.of("plan.1"));
        Dom0Namespace.Result mkfifo = Dom0Namespace.run(Duration.ofSeconds(10), "mkfifo", plan.resolve("all").toString());
        assertEquals(0, mkfifo.status(), mkfifo.err());
        try (Dom0Namespace.Running apply = new Dom0Namespace.Running(Cli.inOwnJvm("apply", "--root", tree.toString()))) {
            Thread.sleep(4000);
            assertTrue(apply.alive(), apply.out() + apply.err());
            apply.signal("KILL");
            Dom0Namespace.await(Duration.ofSeconds(20), "the killed apply", () -> !apply.alive());
        }
        assertTrue(HostTree.at(tree).exists(request), "a request outlives the apply that died with it");
        Files.delete(plan);
        Cli.Result next = Cli.run("apply", "--root", tree.toString());
        assertEquals(0, next.status(), next.err());
        assertFalse(HostTree.at(tree).exists(request));
        assertEquals(List.of(), misplaced(savedPlan()));
        assertEquals(DOM0.eventChannelTraffic().size(), savedPlan().placements().size());
    }

    @Test
    void aSettingsTypoIsOneLineNamingFileAndLineAndAnswersTheRequestsSoTheServiceDoesNotSpin() {
        int irq = DOM0.eventChannelTraffic().keySet().iterator().next();
        HostTree t = HostTree.at(tree);
        t.write("/etc/sysconfig/xen-irq-policy", "# ours\nSTRATEGY=sprad\n");
        t.write("/run/irqbalance/xen-irq-policy-request." + irq, "");
        t.write("/run/xen-irq-policy/request." + irq, "");
        Map<String, String> before = t.files();
        Cli.Result r = Cli.run("apply", "--root", tree.toString());
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("xen-irq-policy: /etc/sysconfig/xen-irq-policy:2: STRATEGY: "), r.err());
        Map<String, String> expected = new java.util.TreeMap<>(before);
        expected.remove("run/irqbalance/xen-irq-policy-request." + irq);
        expected.remove("run/xen-irq-policy/request." + irq);
        assertEquals(expected, t.files(), "the requests answered, nothing else written");
        // Fixed: the next apply (started by the path unit's PathChanged=) places everything.
        t.write("/etc/sysconfig/xen-irq-policy", "# ours\nSTRATEGY=spread\n");
        assertEquals(0, Cli.run("apply", "--root", tree.toString()).status());
        assertEquals(List.of(), misplaced(savedPlan()));
    }

}
