package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

/**
 * The hook against applies that replace the plan while it runs. A save writes a new directory,
 * renames the link over the old one and removes the old directory, so a hook may read one file
 * of the old plan and the next of the new, or find a file gone; a save that only moves, adds or
 * drops placements changes the directory in force in place, file by file. Two plans that disagree
 * on every answer are saved in turn by the engine's writer ({@link PlanStore#save}) while the
 * real hook runs, traced with strace so that every CPU it writes is seen, not only the last: each
 * must be the answer of one plan or of the other, never of a mixture of both, nor the fallback a
 * vanished file would give. After an apply's own write, the IRQ must be where the plan in place
 * says.
 */
class HookPlanRaceTest {
    private static final Path HOOK = Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook");
    private static final int HOOKS_PER_ROUND = 3;
    private static final String ONLINE = "0-8\n";
    /**
     * IRQ 241 is planned by both under its name: A puts it on 2 and B on 6. 243 is planned by
     * both under another name (its number reused): each plan's fallback, 243 mod 4, over its
     * usable CPUs. 244 has no file: the header's usable CPUs, 244 mod 4. 245 has a file in B
     * only (CPU 6); in A, A's fallback, 1. 246 is excluded by A (no write) and planned by B on 7.
     * The mixtures the hook must never answer from: A's missing file read with B's header gives
     * 245 mod 4 over 4-7, 5, and 246 over 4-7, 6. The fallbacks without a plan, over the online
     * CPUs 0-8, are 7, 0, 1, 2 and 3, and for 241 over the usable CPUs of either plan 1 or 5:
     * none is an answer of either plan for that IRQ.
     */
    private static final Plan A = new Plan(Strategy.SPREAD, CpuSet.parseList("0-3"),
            List.of(new Placement(241, 2, "vif26.0-q0-tx"), new Placement(243, 1, "vif9.0-q1-tx")), Exclusions.parse("246"));
    private static final Plan B = new Plan(Strategy.SPREAD, CpuSet.parseList("4-7"), List.of(new Placement(241, 6, "vif26.0-q0-tx"),
            new Placement(243, 5, "vif9.0-q1-tx"), new Placement(245, 6, "vif26.1-q0-tx"), new Placement(246, 7, "vif26.1-q0-rx")));
    /** What each plan writes for each IRQ; absent: nothing (excluded). */
    private static final Map<Integer, String> UNDER_A = Map.of(241, "2", 243, "3", 244, "0", 245, "1");
    private static final Map<Integer, String> UNDER_B = Map.of(241, "6", 243, "7", 244, "4", 245, "6", 246, "7");
    private static final List<Integer> IRQS = List.of(241, 243, 244, 245, 246);
    /**
     * C has A's usable CPUs and selectors, so that A and C replace each other in place: 241 moves
     * to 0, 243 is planned under its own name on 1, 244 gets a file (2), 245 has none in either,
     * 246 is excluded by both. The fallbacks a vanished file or a missing plan would give (241 mod
     * 4 over 0-3: 1; over the online CPUs 0-8: 7, 0, 1, 2) are none of either plan's answers.
     */
    private static final Plan C = new Plan(Strategy.SPREAD, CpuSet.parseList("0-3"), List.of(new Placement(241, 0, "vif26.0-q0-tx"),
            new Placement(243, 1, "vif26.0-q1-tx"), new Placement(244, 2, "vif26.0-q1-rx")), Exclusions.parse("246"));
    private static final Map<Integer, String> UNDER_C = Map.of(241, "0", 243, "1", 244, "2", 245, "1");

    /** The CPUs a hook may write for the IRQ: one plan's answer or the other's. */
    private static Set<String> answers(int irq, Map<Integer, String> underOne, Map<Integer, String> underOther) {
        Set<String> answers = new HashSet<>();
        Optional.ofNullable(underOne.get(irq)).ifPresent(answers::add);
        Optional.ofNullable(underOther.get(irq)).ifPresent(answers::add);
        return answers;
    }

    @TempDir
    Path tmp;

    private Path tree() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree.at(root).write("/run/irqbalance/.keep", "").write("/sys/devices/system/cpu/online", ONLINE);
        return root;
    }

    /** The hook for {@code irq}, under strace, writing its system calls to {@code trace}. */
    private static Process start(String shell, Path root, int irq, Path trace) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=openat,write", "-e", "signal=none",
                "-o", trace.toString()));
        cmd.addAll(List.of(shell.split(" ")));
        cmd.addAll(List.of(HOOK.toString(), "/sys", String.valueOf(irq)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("XEN_IRQ_POLICY_ROOT", root.toString());
        return pb.start();
    }

    private static final Pattern OPEN_FOR_WRITE = Pattern.compile("openat\\(AT_FDCWD, \"([^\"]*)\", O_WRONLY\\|O_CREAT\\|O_TRUNC.*= (\\d+)");
    private static final Pattern WRITE = Pattern.compile("write\\(1, \"([^\"]*)\\\\n\", \\d+\\)");

    /**
     * What the traced hook wrote to the affinity file, in order: each write to standard output
     * after standard output was pointed at the file (the shell opens it, then moves it to fd 1).
     */
    private static List<String> written(Path trace, Path affinity) {
        List<String> cpus = new ArrayList<>();
        boolean intoAffinity = false;
        try {
            for (String line : Files.readAllLines(trace)) {
                Matcher open = OPEN_FOR_WRITE.matcher(line);
                if (open.find()) {
                    intoAffinity = open.group(1).equals(affinity.toString());
                    continue;
                }
                Matcher write = WRITE.matcher(line);
                if (write.find() && intoAffinity) {
                    cpus.add(write.group(1));
                    intoAffinity = false;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cpus;
    }

    private static void finish(Process p, String what) throws InterruptedException, IOException {
        assertEquals(0, p.waitFor(), what);
        assertEquals("", new String(p.getErrorStream().readAllBytes()), what);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void everyCpuTheHookWritesIsTheAnswerOfOnePlanWhilePlansAreSavedInTurn(String shell) throws Exception {
        race(shell, B, UNDER_B);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void everyCpuTheHookWritesIsTheAnswerOfOnePlanWhilePlansAreSavedInPlace(String shell) throws Exception {
        race(shell, C, UNDER_C);
        HostTree t = HostTree.at(tmp.resolve("root"));
        assertEquals("plan.1", Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan")).toString(), "saved in place throughout");
    }

    /** A and {@code other} saved in turn while the hook runs for each IRQ in turn. */
    private void race(String shell, Plan other, Map<Integer, String> underOther) throws Exception {
        Path root = tree();
        HostTree t = HostTree.at(root);
        Host host = Host.at(root);
        PlanStore.save(host, A);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger saves = new AtomicInteger();
        Thread saver = new Thread(() -> {
            while (!done.get()) {
                PlanStore.save(host, saves.incrementAndGet() % 2 == 0 ? A : other);
            }
        });
        saver.start();
        List<String> wrong = new ArrayList<>();
        int calls = 0;
        int writing = 0;
        try {
            long end = System.nanoTime() + 6_000_000_000L;
            while (System.nanoTime() < end && calls < 600) {
                int irq = IRQS.get(calls % IRQS.size());
                Path affinity = t.path("/proc/irq/" + irq + "/smp_affinity_list");
                // Unplaced: every call writes at least once, but under A for 246, which A excludes.
                Files.writeString(affinity, ONLINE);
                Path trace = tmp.resolve("trace");
                Process p = start(shell, root, irq, trace);
                finish(p, "IRQ " + irq);
                List<String> cpus = written(trace, affinity);
                Set<String> answers = answers(irq, UNDER_A, underOther);
                if (!answers.containsAll(cpus)) {
                    wrong.add("IRQ " + irq + " written " + cpus + ", answers " + answers);
                }
                // None when the plan changed under every read (then it asks the engine): the saver
                // here replaces it every few milliseconds, an apply at most a few times a minute.
                writing += cpus.isEmpty() ? 0 : 1;
                calls++;
            }
        } finally {
            done.set(true);
            saver.join();
        }
        assertEquals(List.of(), wrong, calls + " calls, " + saves.get() + " saves");
        assertTrue(saves.get() > calls, "the plan changed during most calls: " + calls + " calls, " + saves.get() + " saves");
        // Most calls wrote: the CPUs checked above are a sample, not an empty list.
        assertTrue(writing > calls / 2, writing + " of " + calls + " calls wrote");
        // Settled: the plan saved last, whole, and nothing else left.
        Plan last = saves.get() % 2 == 0 ? A : other;
        assertEquals(Optional.of(last), PlanStore.load(host));
        try (var entries = Files.list(t.path("/run/xen-irq-policy"))) {
            assertEquals(List.of(Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan")).toString()),
                    entries.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("plan.")).toList());
        }
        for (int irq : IRQS) {
            Files.writeString(t.path("/proc/irq/" + irq + "/smp_affinity_list"), ONLINE);
            finish(start(shell, root, irq, tmp.resolve("trace")), "IRQ " + irq);
            String expected = (last == A ? UNDER_A : underOther).getOrDefault(irq, ONLINE.strip());
            assertEquals(expected + "\n", t.read("/proc/irq/" + irq + "/smp_affinity_list"), "IRQ " + irq + " under the last plan");
        }
    }

    /**
     * An apply saves its plan, then writes the affinities; a hook that read the old plan just
     * before the save may write after the apply. Here hook calls run while the plan is replaced by
     * one that disagrees, followed by the apply's write, over and over: after each round the IRQ
     * must be where the plan in place says, and every CPU a hook wrote is one plan's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void afterEachApplyTheIrqIsWhereThePlanInPlaceSays(String shell) throws Exception {
        Path root = tree();
        HostTree t = HostTree.at(root);
        Host host = Host.at(root);
        PlanStore.save(host, A);
        Path affinity = t.path("/proc/irq/241/smp_affinity_list");
        Random random = new Random(241);
        int rounds = 0;
        List<String> misplaced = new ArrayList<>();
        long end = System.nanoTime() + 8_000_000_000L;
        while (System.nanoTime() < end && rounds < 200) {
            Plan next = rounds % 2 == 0 ? B : A;
            String cpu = String.valueOf(next.byIrq().get(241).cpu());
            // irqbalance found the IRQ unplaced (a new guest, a CPU back online): every hook writes.
            Files.writeString(affinity, ONLINE);
            List<Process> hooks = new ArrayList<>();
            List<Path> traces = new ArrayList<>();
            for (int i = 0; i < HOOKS_PER_ROUND; i++) {
                traces.add(tmp.resolve("trace." + i));
                hooks.add(start(shell, root, 241, traces.get(i)));
            }
            // The apply: its plan saved at some moment of the hooks' run, then its write.
            LockSupport.parkNanos(random.nextInt(20_000_000));
            PlanStore.save(host, next);
            Files.writeString(affinity, cpu + "\n");
            for (int i = 0; i < HOOKS_PER_ROUND; i++) {
                finish(hooks.get(i), "round " + rounds);
                List<String> cpus = written(traces.get(i), affinity);
                if (!answers(241, UNDER_A, UNDER_B).containsAll(cpus)) {
                    misplaced.add("round " + rounds + ": a hook wrote " + cpus);
                }
            }
            String now = Files.readString(affinity);
            if (!now.equals(cpu + "\n")) {
                misplaced.add("round " + rounds + ": on " + now.strip() + ", planned " + cpu);
            }
            rounds++;
        }
        assertEquals(List.of(), misplaced, rounds + " rounds");
        // No request: every call found its IRQ in a plan whose CPU is usable.
        assertEquals(false, t.exists("/run/irqbalance/xen-irq-policy-request.241"));
    }
}
