package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

/**
 * The hook against an apply that replaces the plan while the hook runs. An apply saves its new
 * plan (a rename), then writes the affinities; a hook that read the old plan just before the
 * rename may write after the apply. Here hook calls run while a plan is replaced by one that
 * disagrees, followed by the apply's write, over and over: after each round the IRQ must be where
 * the plan in place says.
 */
class HookPlanRaceTest {
    private static final Path HOOK = Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook");
    private static final int HOOKS_PER_ROUND = 3;

    @TempDir
    Path tmp;

    private static String plan(int cpu) {
        return "xen-irq-policy-plan 2\nstrategy spread\nusable 0-3\nirq 241 " + cpu
                + " vif26.0-q0-tx\nirq 242 2 vif26.0-q0-rx\nend 2\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void afterEachApplyTheIrqIsWhereThePlanInPlaceSays(String shell) throws Exception {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree t = HostTree.at(root);
        t.write("/run/irqbalance/.keep", "");
        t.write("/run/xen-irq-policy/plan", plan(1));
        Path planFile = t.path("/run/xen-irq-policy/plan");
        Path affinity = t.path("/proc/irq/241/smp_affinity_list");
        Random random = new Random(241);
        List<String> cmd = new ArrayList<>(List.of(shell.split(" ")));
        cmd.addAll(List.of(HOOK.toString(), "/sys", "241"));
        int rounds = 0;
        List<String> misplaced = new ArrayList<>();
        long end = System.nanoTime() + 8_000_000_000L;
        while (System.nanoTime() < end && rounds < 400) {
            int next = rounds % 2 == 0 ? 3 : 1;
            // irqbalance found the IRQ unplaced (a new guest, a CPU back online): every hook writes.
            Files.writeString(affinity, "0-3\n");
            Path staged = t.path("/run/xen-irq-policy/plan.new");
            Files.writeString(staged, plan(next));
            List<Process> hooks = new ArrayList<>();
            for (int i = 0; i < HOOKS_PER_ROUND; i++) {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().put("XEN_IRQ_POLICY_ROOT", root.toString());
                hooks.add(pb.start());
            }
            // The apply: its plan saved at some moment of the hooks' run, then its write.
            LockSupport.parkNanos(random.nextInt(6_000_000));
            Files.move(staged, planFile, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(affinity, next + "\n");
            for (Process p : hooks) {
                assertEquals(0, p.waitFor());
                assertEquals("", new String(p.getErrorStream().readAllBytes()));
            }
            String now = Files.readString(affinity);
            if (!now.equals(next + "\n")) {
                misplaced.add("round " + rounds + ": on " + now.strip() + ", planned " + next);
            }
            rounds++;
        }
        assertEquals(List.of(), misplaced, rounds + " rounds");
        // No request: every call found its IRQ in a plan whose CPU is usable.
        assertEquals(false, t.exists("/run/irqbalance/xen-irq-policy-request.241"));
    }
}
