package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.read.ShellRead;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HookRun;
import org.xenirqpolicy.testing.HostTree;

/**
 * The hook and the plan's exclude lines: an excluded event channel gets ban=true and nothing
 * else, no affinity write and no request, whether the plan knew it or it appeared later (a guest
 * started after the apply whose names match a glob or dom:N); and the hook's matching, with
 * sh's case under LC_ALL=C, agrees with the engine's (Selector) on every name and selector tried.
 */
class HookExclusionsTest {
    private static final int FIRST_IRQ = 300;

    @TempDir
    Path tmp;

    private static HookRun.Result hook(String shell, Path root, int irq) {
        return HookRun.run(shell, root, irq, Map.of());
    }

    private static HookRun.Result hook(String shell, Path root, int irq, Map<String, String> env) {
        return HookRun.run(shell, root, irq, env);
    }

    private static final List<String> NAMES = List.of("vif1.0-q0-tx", "vif1.0-q0-rx", "vif1.0", "vif1.0-tx", "vif1.0-q12",
            "vif12.0-q0-tx", "vif1.10-q3-rx", "vif01.0-q0-tx", "vif1.0-q0-tx-x", "vif1.0-q-tx", "vif1.-q0", "vif1.0-qa",
            "vifx1.0", "vif1.0-q0-txrx", "blkif-backend", "evtchn:qemu-dm-1", "xenbus", "vif1.0-q0-tx, evtchn:x", "Vif1.0",
            "vif1.0-q0-tx\r", "v\u00e9f1", "a]b", "a-b", "*", "[x", "a b", "a\u00a0b", "dom:1");

    private static final List<String> SELECTORS = List.of("dom:1", "dom:12", "dom:0", "vif1.*", "vif1.0-q?-[tr]x",
            "[!v]*", "*[]]*", "*[a-c]*", "[!a-z]*", "v\u00e9*", "*\r", "a?b", "*-*", "[*]", "x[!]]", "*?e*", "*[!-]b",
            "[]-]*", "[a-c-e]*", "*[!a-]", "*[\u00a0]*", "vif1.0-q0-tx", "" + (FIRST_IRQ + 3));

    private Path tree(String dir) {
        StringBuilder interrupts = new StringBuilder("           CPU0       CPU1       CPU2       CPU3\n");
        for (int i = 0; i < NAMES.size(); i++) {
            interrupts.append(String.format("%4d:          0          0          0          0  xen-dyn    -event     n%d%n",
                    FIRST_IRQ + i, i));
        }
        HostTree t = HostTree.at(tmp.resolve(dir));
        t.fromInterrupts(interrupts.toString(), false);
        t.write("/run/irqbalance/.keep", "");
        for (int i = 0; i < NAMES.size(); i++) {
            t.write("/sys/kernel/irq/" + (FIRST_IRQ + i) + "/chip_name", "xen-dyn-lateeoi\n");
            t.write("/sys/kernel/irq/" + (FIRST_IRQ + i) + "/actions", NAMES.get(i) + "\n");
        }
        return t.root();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void theHookExcludesExactlyWhatTheEngineExcludes(String shell) throws IOException {
        List<String> disagreements = new ArrayList<>();
        for (String text : SELECTORS) {
            Selector selector = Selector.parse(text);
            Path root = tree("t" + SELECTORS.indexOf(text));
            HostTree t = HostTree.at(root);
            // A plan that places nothing: every IRQ is either excluded or unknown to it.
            PlanStore.save(Host.at(root), new Plan(Strategy.SPREAD, CpuSet.parseList("0-3"), List.of(),
                    new Exclusions(List.of(selector))));
            for (int i = 0; i < NAMES.size(); i++) {
                int irq = FIRST_IRQ + i;
                String name = ShellRead.firstLine(NAMES.get(i) + "\n");
                HookRun.Result r = hook(shell, root, irq);
                assertEquals(HookRun.Result.BANNED, r, text + " on " + name);
                boolean untouched = t.read("/proc/irq/" + irq + "/smp_affinity_list").equals("0-3\n")
                        && !t.exists("/run/irqbalance/xen-irq-policy-request." + irq);
                boolean moved = t.read("/proc/irq/" + irq + "/smp_affinity_list").equals(irq % 4 + "\n")
                        && t.exists("/run/irqbalance/xen-irq-policy-request." + irq);
                assertTrue(untouched != moved, text + " on " + name + ": excluded (untouched) or placed with a request");
                if (untouched != selector.matches(irq, name)) {
                    disagreements.add(Quote(text) + " on " + Quote(name) + ": hook " + (untouched ? "excludes" : "places")
                            + ", engine " + (selector.matches(irq, name) ? "excludes" : "places"));
                }
            }
        }
        assertEquals(List.of(), disagreements);
    }

    private static String Quote(String s) {
        return org.xenirqpolicy.model.Quote.of(s);
    }

    /**
     * The sample dom0 (IRQs 241-248, vif26.*), applied with EXCLUDE: the excluded IRQ the plan
     * knows, pinned by hand, and a guest's channels that appear later and match a glob or its
     * dom:N, each get ban=true alone; a later channel that matches nothing is placed and asked for.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void anExcludedIrqIsBannedAndNeverMovedEvenOneBornAfterThePlan(String shell) {
        Path root = Cli.sampleDom0(tmp.resolve("sample"));
        HostTree t = HostTree.at(root);
        t.write("/run/irqbalance/.keep", "");
        t.write("/etc/sysconfig/xen-irq-policy", "EXCLUDE=\"243 vif30.* dom:31\"\n");
        t.write("/proc/irq/243/smp_affinity_list", "3\n");
        Cli.Result apply = Cli.run("apply", "--root", root.toString());
        assertEquals(0, apply.status(), apply.err());
        assertEquals("3\n", t.read("/proc/irq/243/smp_affinity_list"));
        assertTrue(t.read("/run/xen-irq-policy/plan/all").contains("\nusable 0-3\nexclude 243\nexclude vif30.*\nexclude dom:31\nirq 241 "));
        assertEquals("4 1 1 0-3 243 vif30.* dom:31\n", t.read("/run/xen-irq-policy/plan/header"));
        assertFalse(t.exists("/run/xen-irq-policy/plan/irq.243"), "an excluded IRQ has no file: the hook reads the selectors");

        // Guests 30, 31 and 32 start: one channel each, unknown to the plan.
        String[] late = {"vif30.0-q0-tx", "vif31.0-q1-rx", "vif32.0-q0-tx"};
        for (int i = 0; i < late.length; i++) {
            int irq = 250 + i;
            t.irq(irq, CpuSet.parseList("0-3"));
            t.write("/sys/kernel/irq/" + irq + "/chip_name", "xen-dyn-lateeoi\n");
            t.write("/sys/kernel/irq/" + irq + "/actions", late[i] + "\n");
        }
        t.write("/proc/irq/243/smp_affinity_list", "1\n");
        for (int irq : new int[] {243, 250, 251}) {
            String before = t.read("/proc/irq/" + irq + "/smp_affinity_list");
            assertEquals(HookRun.Result.BANNED, hook(shell, root, irq), "IRQ " + irq);
            assertEquals(before, t.read("/proc/irq/" + irq + "/smp_affinity_list"), "IRQ " + irq + " is not moved");
            assertFalse(t.exists("/run/irqbalance/xen-irq-policy-request." + irq), "no request for " + irq);
        }
        assertEquals(HookRun.Result.BANNED, hook(shell, root, 252));
        assertEquals(252 % 4 + "\n", t.read("/proc/irq/252/smp_affinity_list"), "a channel no selector matches is placed");
        assertTrue(t.exists("/run/irqbalance/xen-irq-policy-request.252"));
    }

    /**
     * irqbalance asks the hook before it applies its own --banirq, and the plan may be missing
     * (before the first apply, after a failed one, with the units disabled): an IRQ that
     * IRQBALANCE_ARGS bans, in any of its forms, is answered ban=true and never moved, plan or
     * not. The same arguments naming other IRQs leave the fallback as it is.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void anIrqBannedByIrqbalancesArgumentsIsNeverMovedEvenWithoutAPlan(String shell) {
        Path root = Cli.sampleDom0(tmp.resolve("sample"));
        HostTree t = HostTree.at(root);
        t.write("/run/irqbalance/.keep", "");
        assertFalse(t.exists("/run/xen-irq-policy/plan"));
        for (String args : List.of("--foreground --banirq=243", "--banirq 243 --policyscript=/x", "-i 243", "-i243 -i 17")) {
            t.write("/proc/irq/243/smp_affinity_list", "1\n");
            assertEquals(HookRun.Result.BANNED, hook(shell, root, 243, Map.of("IRQBALANCE_ARGS", args)), args);
            assertEquals("1\n", t.read("/proc/irq/243/smp_affinity_list"), args + ": not moved");
            assertFalse(t.exists("/run/irqbalance/xen-irq-policy-request.243"), args + ": no request");
        }
        for (String args : List.of("--banirq=2430", "-i 24", "--banirq", "-i", "--banscript=243 -x 243")) {
            t.write("/proc/irq/243/smp_affinity_list", "1\n");
            assertEquals(HookRun.Result.BANNED, hook(shell, root, 243, Map.of("IRQBALANCE_ARGS", args)), args);
            assertEquals(243 % 4 + "\n", t.read("/proc/irq/243/smp_affinity_list"), args + ": the fallback places it");
            assertTrue(t.exists("/run/irqbalance/xen-irq-policy-request.243"), args + ": and asks for a plan");
        }
    }
}
