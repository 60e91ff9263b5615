package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.classify.XenDynRule;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

/**
 * The hook called directly, as irqbalance calls it, on the sample dom0 (IRQs 241-248, CPUs 0-3),
 * under the shells it meets: dash (Debian's sh) and bash in POSIX mode (Fedora's sh).
 */
class HookInputTest {
    private static final Path HOOK = Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook");

    @TempDir
    Path tmp;

    private Path sample() {
        return sample("root");
    }

    private Path sample(String dir) {
        Path root = Cli.sampleDom0(tmp.resolve(dir));
        HostTree.at(root).write("/run/irqbalance/.keep", "");
        return root;
    }

    private static Dom0Namespace.Result hook(String shell, Path root, Map<String, String> env, Path script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(shell.split(" ")));
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("XEN_IRQ_POLICY_ROOT", root.toString());
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            String err = new String(p.getErrorStream().readAllBytes());
            return new Dom0Namespace.Result(p.waitFor(), out, err);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Dom0Namespace.Result hook(String shell, Path root, String... args) {
        return hook(shell, root, Map.of(), HOOK, args);
    }

    /** Every file but the ones the hook may write: affinities and requests. */
    private static Map<String, String> outsideProcIrq(Path root) {
        Map<String, String> files = new TreeMap<>(HostTree.at(root).files());
        files.keySet().removeIf(f -> f.matches("proc/irq/[0-9]+/smp_affinity_list") || f.startsWith("run/irqbalance/xen-irq-policy-request."));
        return files;
    }

    /** Saves a plan as the engine does. */
    private static void plan(Path root, Plan plan) {
        PlanStore.save(Host.at(root), plan);
    }

    private static Plan plan(String usable) {
        return new Plan(Strategy.SPREAD, CpuSet.parseList(usable),
                List.of(new Placement(241, 2, "vif26.0-q0-tx"), new Placement(242, 2, "vif26.0-q0-rx")));
    }

    private static final Plan PLAN = plan("0-3");

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void hostileArgumentsGetNoAnswerAndChangeNothing(String shell) {
        Path root = sample();
        plan(root, PLAN);
        Map<String, String> before = HostTree.at(root).files();
        List<String[]> cases = List.of(new String[] {}, new String[] {"/sys"}, new String[] {"/sys", "241", "x"},
                new String[] {"/sys", "../../etc/passwd"}, new String[] {"/sys", "-1"}, new String[] {"/sys", "99999999"},
                new String[] {"/sys", "999999999"}, new String[] {"/sys", ""}, new String[] {"/sys", "241 "},
                new String[] {"/sys", "0241"}, new String[] {"/sys", "2*"}, new String[] {"/sys", "$(reboot)"},
                new String[] {"/sys/bus/pci/devices/0000:00:02.0", "241"}, new String[] {"", "241"},
                new String[] {"/sys/", "241"}, new String[] {"/sys", "1"});
        for (String[] args : cases) {
            Dom0Namespace.Result r = hook(shell, root, args);
            String what = shell + " " + String.join("|", args);
            assertEquals(0, r.status(), what);
            assertEquals("", r.out(), what);
            assertEquals("", r.err(), what);
        }
        assertEquals(before, HostTree.at(root).files());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void inAPolicyDirectoryNotMineIsExitOne(String shell) throws IOException {
        Path root = sample();
        Path link = Files.createSymbolicLink(tmp.resolve("entry"), HOOK);
        assertEquals(new Dom0Namespace.Result(1, "", ""), hook(shell, root, Map.of(), link, "/sys", "1"));
        assertEquals(new Dom0Namespace.Result(1, "", ""), hook(shell, root, Map.of(), link, "/sys/bus/pci/devices/x", "241"));
        assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook(shell, root, Map.of(), link, "/sys", "241"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void aPlannedIrqGoesToItsPlannedCpuWithNoRequest(String shell) throws IOException {
        Path root = sample();
        plan(root, PLAN);
        HostTree t = HostTree.at(root);
        Map<String, String> outside = outsideProcIrq(root);
        assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook(shell, root, "/sys", "241"));
        assertEquals("2\n", t.read("/proc/irq/241/smp_affinity_list"));
        assertFalse(t.exists("/run/irqbalance/xen-irq-policy-request.241"));
        // Already there: not written again.
        var mtime = Files.getLastModifiedTime(t.path("/proc/irq/241/smp_affinity_list"));
        t.path("/proc/irq/241/smp_affinity_list").toFile().setLastModified(mtime.toMillis() - 60_000);
        var older = Files.getLastModifiedTime(t.path("/proc/irq/241/smp_affinity_list"));
        assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook(shell, root, "/sys", "241"));
        assertEquals(older, Files.getLastModifiedTime(t.path("/proc/irq/241/smp_affinity_list")));
        assertEquals(outside, outsideProcIrq(root));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void anIrqTheEngineHasNotPlacedYetGetsTheSeedRuleAndARequest(String shell) {
        Path root = sample();
        plan(root, plan("1,3,5"));
        HostTree t = HostTree.at(root);
        t.write("/sys/devices/system/cpu/online", "0-5\n");
        Map<String, String> outside = outsideProcIrq(root);
        assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook(shell, root, "/sys", "245"));
        // 245 mod 3 = 2: the third usable CPU of the plan.
        assertEquals("5\n", t.read("/proc/irq/245/smp_affinity_list"));
        assertEquals("", t.read("/run/irqbalance/xen-irq-policy-request.245"));
        assertEquals(outside, outsideProcIrq(root));
        // Where /run/irqbalance cannot be written the request goes to our own directory.
        t.path("/run/irqbalance/xen-irq-policy-request.245").toFile().delete();
        t.path("/run/irqbalance/.keep").toFile().delete();
        t.path("/run/irqbalance").toFile().delete();
        assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook(shell, root, "/sys", "246"));
        assertEquals("", t.read("/run/xen-irq-policy/request.246"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void anUntrustedPlanIsIgnoredAndNeverMakesItFail(String shell) throws IOException {
        // The plan's file for IRQ 241 (saved as "4 1 2 0-3 vif26.0-q0-tx\n") replaced by one that is
        // garbage, cut short (no newline), of another version, with a generation or a CPU that is
        // no number; or no file for 241 and a header that is cut short or of another version.
        Map<String, String> irq241 = new LinkedHashMap<>();
        irq241.put("garbage\n\u0000\u0001\n", null);
        irq241.put("4 1 2 0-3 vif26.0-q0-tx", null);
        irq241.put("3 1 2 0-3 vif26.0-q0-tx\n", null);
        irq241.put("4 x 2 0-3 vif26.0-q0-tx\n", null);
        irq241.put("4 1 x 0-3 vif26.0-q0-tx\n", null);
        // A CPU or a generation too large for the shell's arithmetic: dash's test would complain
        // on stderr. A generation with a leading zero is none the engine writes.
        irq241.put("4 1 99999999999999999999 0-3 vif26.0-q0-tx\n", null);
        irq241.put("4 1234567890123456789 2 0-3 vif26.0-q0-tx\n", null);
        irq241.put("4 01 2 0-3 vif26.0-q0-tx\n", null);
        irq241.put("#", "4 1 1 2-3");
        irq241.put("#\n", "3 1 2-3\n");
        irq241.put("#\t", "4 1 1234567890123456789 2-3\n");
        irq241.put("#\t\t", "4 01 1 2-3\n");
        irq241.put("#\t\t\t", "4 1 x 2-3\n");
        int n = 0;
        for (Map.Entry<String, String> e : irq241.entrySet()) {
            String what = e.getKey() + " / " + e.getValue();
            Path root = sample("u" + n++);
            plan(root, PLAN);
            HostTree t = HostTree.at(root);
            if (e.getKey().startsWith("#")) {
                Files.delete(t.path("/run/xen-irq-policy/plan/irq.241"));
            } else {
                t.write("/run/xen-irq-policy/plan/irq.241", e.getKey());
            }
            if (e.getValue() != null) {
                t.write("/run/xen-irq-policy/plan/header", e.getValue());
            }
            Dom0Namespace.Result r = hook(shell, root, "/sys", "241");
            assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), r, what);
            // Neither the plan's CPU 2 nor the header's 2-3 (241 mod 2 = 1: CPU 3): the fallback
            // over the online CPUs 0-3, 241 mod 4 = 1.
            assertEquals("1\n", t.read("/proc/irq/241/smp_affinity_list"), what);
            assertTrue(t.exists("/run/irqbalance/xen-irq-policy-request.241"), what);
        }
        // A file of a generation outside the header's base and generation (below its base, above
        // its generation), read after read: a plan that is being replaced again and again, or a
        // forgery. The IRQ (its number reused, so the header is read) is left where it is, and
        // the engine asked to place it. Within them (a file a save in place left unchanged) the
        // two are of one plan: the header's fallback, 241 mod 2 over 2-3, CPU 3.
        Map<String, String> fileAndHeader = new LinkedHashMap<>();
        fileAndHeader.put("4 1 2 0-3 vif9.0-q0-tx\n", "4 3 2 2-3\n");
        fileAndHeader.put("4 6 2 0-3 vif9.0-q0-tx\n", "4 5 4 2-3\n");
        fileAndHeader.put("4 3 2 0-3 vif9.0-q0-tx\n", "4 5 2 2-3\n");
        // The longest generations the engine writes, 18 digits, compare as numbers in both shells.
        fileAndHeader.put("4 123456789012345678 2 0-3 vif9.0-q0-tx\n", "4 999999999999999999 123456789012345677 2-3\n");
        Set<String> ofOnePlan = Set.of("4 3 2 0-3 vif9.0-q0-tx\n", "4 123456789012345678 2 0-3 vif9.0-q0-tx\n");
        Path root = null;
        String before;
        for (Map.Entry<String, String> e : fileAndHeader.entrySet()) {
            root = sample("generations" + e.getKey().split(" ")[1]);
            plan(root, PLAN);
            HostTree.at(root).write("/run/xen-irq-policy/plan/irq.241", e.getKey())
                    .write("/run/xen-irq-policy/plan/header", e.getValue());
            before = HostTree.at(root).read("/proc/irq/241/smp_affinity_list");
            assertEquals(ofOnePlan.contains(e.getKey()) ? "3\n" : before, placedByHook(shell, root, Map.of(), "241"), e.toString());
            assertTrue(HostTree.at(root).exists("/run/irqbalance/xen-irq-policy-request.241"), e.toString());
        }
        // An empty file of root's, the IRQ's or the header for an IRQ without one, reads as nothing,
        // as does a file whose directory an apply removed under the read (see the next case): no
        // plan's answer, and not "no plan" either. The IRQ is left where it is and the engine asked.
        for (String file : List.of("irq.241", "header")) {
            root = sample("empty-" + file);
            plan(root, PLAN);
            HostTree empty = HostTree.at(root).write("/run/xen-irq-policy/plan/" + file, "");
            String irq = file.equals("header") ? "245" : "241";
            before = empty.read("/proc/irq/" + irq + "/smp_affinity_list");
            assertEquals(before, placedByHook(shell, root, Map.of(), irq), "an empty " + file);
            assertTrue(empty.exists("/run/irqbalance/xen-irq-policy-request." + irq), "an empty " + file);
        }
        // The link names a directory that is gone: an apply removed it after linking a new plan
        // while this call resolved the link, or it was deleted. Not "no plan": the IRQ is left
        // where it is, and the engine asked to place it (its next save replaces the link).
        root = sample("dangling");
        plan(root, PLAN);
        HostTree dangling = HostTree.at(root);
        Path linked = dangling.path("/run/xen-irq-policy").resolve(Files.readSymbolicLink(dangling.path("/run/xen-irq-policy/plan")));
        try (var files = Files.list(linked)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(linked);
        for (String irq : List.of("241", "245")) {
            before = dangling.read("/proc/irq/" + irq + "/smp_affinity_list");
            assertEquals(before, placedByHook(shell, root, Map.of(), irq), "IRQ " + irq + " behind a dangling link");
            assertTrue(dangling.exists("/run/irqbalance/xen-irq-policy-request." + irq), "IRQ " + irq);
        }
        // A trusted header is used for an IRQ without a file of its own: 1-3, 243 mod 3 = 0 is CPU 1
        // (the online CPUs would give 243 mod 4 = 3).
        root = sample("header");
        plan(root, new Plan(Strategy.SPREAD, CpuSet.parseList("1-3"), PLAN.placements()));
        assertEquals("1\n", placedByHook(shell, root, Map.of(), "243"));
        // The single-file plan of an older release (version 2) is not trusted: 241 mod 4 = 1.
        root = sample("v2");
        HostTree.at(root).write("/run/xen-irq-policy/plan", """
                xen-irq-policy-plan 2
                strategy spread
                usable 0-3
                irq 241 2 vif26.0-q0-tx
                end 1
                """);
        assertEquals("1\n", placedByHook(shell, root, Map.of(), "241"));
        // Files owned by another user: the IRQ's, or the header for an IRQ without one. Not trusted,
        // and not "no plan" either (the test of the owner may have named another plan than the
        // open would): not the plan's CPU 2, nor the fallback; left where it is, the engine asked.
        UserPrincipalLookupService users = root.getFileSystem().getUserPrincipalLookupService();
        for (String file : List.of("irq.241", "header")) {
            root = sample("owner-" + file);
            plan(root, new Plan(Strategy.SPREAD, CpuSet.parseList("2"), PLAN.placements()));
            HostTree owned = HostTree.at(root);
            Files.setOwner(owned.path("/run/xen-irq-policy/plan/" + file), users.lookupPrincipalByName("nobody"));
            String irq = file.equals("header") ? "245" : "241";
            before = owned.read("/proc/irq/" + irq + "/smp_affinity_list");
            assertEquals(before, placedByHook(shell, root, Map.of(), irq), "a plan file owned by another user: " + file);
            assertTrue(owned.exists("/run/irqbalance/xen-irq-policy-request." + irq), "a plan file owned by another user: " + file);
        }
    }

    /** The hook for one IRQ, which must answer ban=true and nothing else; where the IRQ then is. */
    private static String placedByHook(String shell, Path root, Map<String, String> env, String irq) {
        assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook(shell, root, env, HOOK, "/sys", irq));
        return HostTree.at(root).read("/proc/irq/" + irq + "/smp_affinity_list");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void withoutAPlanTheFallbackAvoidsBannedIsolatedAndOfflineCpus(String shell) {
        Path root = sample();
        HostTree t = HostTree.at(root);
        t.write("/sys/devices/system/cpu/online", "0,2-3,5-40\n");
        t.write("/sys/devices/system/cpu/isolated", "5-7\n");
        // Usable: 0, 3, 8-31, 33-40 (2 banned by list, 32 by mask, 5-7 isolated): 34 CPUs.
        Map<String, String> env = Map.of("IRQBALANCE_BANNED_CPULIST", "2", "IRQBALANCE_BANNED_CPUS", "1,00000000");
        // 241 mod 34 = 3: 0, 3, 8, [9].
        assertEquals("9\n", placedByHook(shell, root, env, "241"));
        // 246 mod 34 = 8: 0, 3, 8, 9, 10, 11, 12, 13, [14].
        assertEquals("14\n", placedByHook(shell, root, env, "246"));
        // Bits 1-63 set but bit 8 of the high word (CPU 40): only 0 and 40 remain usable, 247 mod 2 = 1.
        assertEquals("40\n", placedByHook(shell, root, Map.of("IRQBALANCE_BANNED_CPUS", "fffffeff,fffffffe"), "247"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void withoutAPlanTheFallbackAvoidsTicklessCpusAsIrqbalanceDoes(String shell) {
        Path root = sample();
        HostTree t = HostTree.at(root);
        t.write("/sys/devices/system/cpu/online", "0-7\n");
        t.write("/sys/devices/system/cpu/nohz_full", "4-7\n");
        // 246 mod 4 = 2, of CPUs 0-3.
        assertEquals("2\n", placedByHook(shell, root, Map.of(), "246"));
        // What a kernel built with nohz_full prints when it is not in use: all 8 CPUs, 246 mod 8 = 6.
        t.write("/sys/devices/system/cpu/nohz_full", "(null)\n");
        assertEquals("6\n", placedByHook(shell, root, Map.of(), "246"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void aPlannedCpuNoLongerUsableIsHandledLikeAnUnplannedIrq(String shell) {
        // The plan puts 241 and 242 on CPU 2; since then CPU 2 was banned, or went offline.
        List<Map<String, String>> bans = List.of(Map.of("IRQBALANCE_BANNED_CPULIST", "2"),
                Map.of("IRQBALANCE_BANNED_CPULIST", "1-3"), Map.of("IRQBALANCE_BANNED_CPUS", "4"),
                Map.of("IRQBALANCE_BANNED_CPUS", "0000000C"), Map.of());
        for (Map<String, String> env : bans) {
            Path root = tmp.resolve("b" + bans.indexOf(env));
            Cli.copyTree(sample(), root);
            plan(root, PLAN);
            HostTree t = HostTree.at(root);
            if (env.isEmpty()) {
                t.write("/sys/devices/system/cpu/online", "0-1,3\n");
            }
            Map<String, String> outside = outsideProcIrq(root);
            // The fallback over the plan's CPUs that are still usable, 0,1,3: 241 mod 3 = 1 is
            // CPU 1, 242 mod 3 = 2 is CPU 3; 0 alone with 1-3 banned; 0,1 with the mask C (CPUs
            // 2-3): 241 mod 2 = 1 is CPU 1, 242 mod 2 = 0 is CPU 0.
            String expected = env.containsValue("1-3") ? "0 0" : env.containsValue("0000000C") ? "1 0" : "1 3";
            assertEquals(expected, placedByHook(shell, root, env, "241").strip() + " "
                    + placedByHook(shell, root, env, "242").strip(), env.toString());
            assertEquals("", t.read("/run/irqbalance/xen-irq-policy-request.241"), env.toString());
            assertEquals("", t.read("/run/irqbalance/xen-irq-policy-request.242"), env.toString());
            assertEquals(outside, outsideProcIrq(root));
        }
        // None of the plan's CPUs left: the online ones less the banned, here 4-7; 241 mod 4 = 1.
        Path root = sample();
        plan(root, PLAN);
        HostTree.at(root).write("/sys/devices/system/cpu/online", "0-7\n");
        assertEquals("5\n", placedByHook(shell, root, Map.of("IRQBALANCE_BANNED_CPULIST", "0-3"), "241"));
        assertTrue(HostTree.at(root).exists("/run/irqbalance/xen-irq-policy-request.241"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void aPlanMayKeepIsolatedCpusAndCpusStillUsableNeedNoRequest(String shell) {
        Path root = sample();
        plan(root, PLAN);
        HostTree t = HostTree.at(root);
        // Isolated and tickless CPUs are set at boot, before any plan: a plan that uses one was
        // made with EXCLUDE_ISOLATED=no. A ban of another CPU changes nothing for this IRQ.
        t.write("/sys/devices/system/cpu/isolated", "2\n");
        t.write("/sys/devices/system/cpu/nohz_full", "2\n");
        assertEquals("2\n", placedByHook(shell, root, Map.of("IRQBALANCE_BANNED_CPULIST", "3", "IRQBALANCE_BANNED_CPUS", "2"), "241"));
        assertFalse(t.exists("/run/irqbalance/xen-irq-policy-request.241"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void withoutChipNameTheProcInterruptsLineDecides(String shell) {
        Path root = tmp.resolve("centos");
        String text = """
                           CPU0       CPU1
                 272:     642971     803006   xen-dyn-event     eth1
                 278:          0      11235  xen-percpu-ipi       callfuncsingle1
                 280:        0        0   xen-dyn    -event     vif2.0-q0-tx
                """;
        HostTree.at(root).fromInterrupts(text, false);
        assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook(shell, root, "/sys", "272"));
        assertEquals("0\n", HostTree.at(root).read("/proc/irq/272/smp_affinity_list"));
        assertEquals(new Dom0Namespace.Result(0, "", ""), hook(shell, root, "/sys", "278"));
        assertEquals("0-1\n", HostTree.at(root).read("/proc/irq/278/smp_affinity_list"));
        assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook(shell, root, "/sys", "280"));
        assertEquals(new Dom0Namespace.Result(0, "", ""), hook(shell, root, "/sys", "279"));
    }

    @Test
    void theHookPlacesExactlyTheChipsOfTheEnginesRule() throws IOException {
        String hook = Files.readString(HOOK);
        Matcher m = Pattern.compile("# The chips of XenDynRule.CHIPS.*\ncase \\$chip in\n(.*)\\) ;;\n").matcher(hook);
        assertTrue(m.find(), "the hook's chip case");
        assertEquals(XenDynRule.CHIPS, List.of(m.group(1).split(" \\| ")));
    }

    @Test
    void theEnginesPlanFileIsTheOneTheHookReads() {
        Path root = sample();
        assertEquals(0, Cli.run("apply", "--root", root.toString(), "--strategy", "modulo").status());
        for (int irq = 241; irq <= 248; irq++) {
            HostTree.at(root).write("/proc/irq/" + irq + "/smp_affinity_list", "0-3\n");
            assertEquals(new Dom0Namespace.Result(0, "ban=true\n", ""), hook("/bin/dash", root, "/sys", String.valueOf(irq)));
            assertEquals(irq % 4 + "\n", HostTree.at(root).read("/proc/irq/" + irq + "/smp_affinity_list"));
            assertFalse(HostTree.at(root).exists("/run/irqbalance/xen-irq-policy-request." + irq));
        }
    }
}
