package org.xenirqpolicy.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.read.IrqFiles;
import org.xenirqpolicy.read.ShellRead;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

/**
 * The contract itself: a plan saved by the engine's writer ({@link PlanStore#save}) is the plan
 * the hook reads. Generated plans of thousands of event channels, with names of any bytes, guest
 * channels, exclusions of each kind (IRQ number, dom:N, globs) and gaps in the usable CPUs; the
 * hook, run as irqbalance runs it (dash, and bash in POSIX mode as Fedora's sh), must then write
 * the planned CPU, leave an excluded channel alone, and place by its fallback (with a request)
 * an IRQ the plan does not know or knows under another name. The expected answer of each call is
 * computed from the Plan value, never from the file.
 */
class HookReadsSavedPlanTest {
    private static final Path HOOK = Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook");
    private static final int FIRST_IRQ = 100;
    private static final int IRQS = 2000;
    private static final String UNTOUCHED = "0-7\n";

    @TempDir
    Path tmp;

    /** A name as the kernel may give it: any bytes but newline, or a guest's netback channel. */
    private static String rawName(Random random) {
        if (random.nextInt(3) == 0) {
            return "vif" + random.nextInt(12) + "." + random.nextInt(2) + "-q" + random.nextInt(4) + (random.nextBoolean() ? "-tx" : "-rx");
        }
        StringBuilder name = new StringBuilder();
        int length = 1 + random.nextInt(24);
        for (int i = 0; i < length; i++) {
            char c = (char) random.nextInt(256);
            name.append(c == '\n' ? 'n' : c);
        }
        return name.toString();
    }

    private static CpuSet usable(Random random) {
        List<Integer> cpus = new ArrayList<>();
        for (int cpu = 0; cpu < 8; cpu++) {
            if (random.nextInt(3) != 0) {
                cpus.add(cpu);
            }
        }
        return cpus.isEmpty() ? CpuSet.of(5) : CpuSet.of(cpus.stream().mapToInt(Integer::intValue).toArray());
    }

    private record Answer(String out, String affinity, boolean request) {
    }

    private static Answer hook(String shell, Path root, int irq) {
        List<String> cmd = new ArrayList<>(List.of(shell.split(" ")));
        cmd.addAll(shell.equals("/bin/sh -c") ? List.of("exec " + HOOK + " /sys " + irq) : List.of(HOOK.toString(), "/sys", String.valueOf(irq)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("XEN_IRQ_POLICY_ROOT", root.toString());
        try {
            Process p = pb.start();
            String out = p.waitFor() + " " + new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            HostTree t = HostTree.at(root);
            String request = "/run/irqbalance/xen-irq-policy-request." + irq;
            boolean requested = t.exists(request);
            String affinity = t.read(IrqFiles.affinity(irq));
            // Back as it was, so that every call starts from the same tree.
            t.path(request).toFile().delete();
            t.write(IrqFiles.affinity(irq), UNTOUCHED);
            return new Answer(out, affinity, requested);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The plan as the hook's files hold it, read here field by field as the hook's {@code read}
     * splits them (the strategy is not in them): the header's usable CPUs and selectors, and one
     * placement per {@code irq.N}, each file of a generation within the header's base and
     * generation, and of its usable CPUs.
     */
    private static Plan fromHookFiles(Path root, Strategy strategy) {
        HostTree t = HostTree.at(root);
        String headerLine = t.read("/run/xen-irq-policy/plan/header");
        assertTrue(headerLine.endsWith("\n"), headerLine);
        String[] header = headerLine.substring(0, headerLine.length() - 1).split(" ", -1);
        assertEquals("4", header[0]);
        long generation = Long.parseLong(header[1]);
        String base = header[2];
        String usable = header[3];
        List<Selector> selectors = new ArrayList<>();
        for (int i = 4; i < header.length; i++) {
            selectors.add(Selector.parse(header[i]));
        }
        List<Placement> placements = new ArrayList<>();
        try (Stream<Path> files = Files.list(t.path("/run/xen-irq-policy/plan"))) {
            assertEquals("plan." + base, Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan")).toString());
            for (Path path : files.toList()) {
                String file = path.getFileName().toString();
                if (!file.startsWith("irq.")) {
                    assertTrue(file.equals("all") || file.equals("header"), file);
                    continue;
                }
                String line = t.read("/run/xen-irq-policy/plan/" + file);
                assertTrue(line.endsWith("\n"), file);
                String[] f = line.substring(0, line.length() - 1).split(" ", 5);
                assertEquals(List.of("4", usable), List.of(f[0], f[3]), file);
                long written = Long.parseLong(f[1]);
                assertTrue(Long.parseLong(base) <= written && written <= generation, line);
                placements.add(new Placement(Integer.parseInt(file.substring(4)), Integer.parseInt(f[2]), f[4]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Plan(strategy, CpuSet.parseList(usable), placements, new Exclusions(selectors));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theHookAnswersFromTheSavedPlanAsThePlanSays(long seed) {
        Random random = new Random(seed);
        Path root = tmp.resolve("dom0");
        HostTree t = HostTree.at(root);
        t.write("/sys/devices/system/cpu/online", "0-7\n").write("/run/irqbalance/.keep", "");
        CpuSet usable = usable(random);
        List<Placement> placements = new ArrayList<>();
        Map<Integer, String> actual = new HashMap<>();
        for (int irq = FIRST_IRQ; irq < FIRST_IRQ + IRQS; irq++) {
            String raw = rawName(random);
            t.write("/sys/kernel/irq/" + irq + "/chip_name", "xen-dyn\n");
            t.write("/sys/kernel/irq/" + irq + "/actions", raw + "\n");
            t.write(IrqFiles.affinity(irq), UNTOUCHED);
            String name = ShellRead.firstLine(raw);
            actual.put(irq, name);
            int kind = random.nextInt(10);
            if (kind == 0) {
                continue; // unknown to the plan: a guest started after it
            }
            // kind 1: the IRQ number reused by another channel since the plan was made
            String planned = kind == 1 ? name + "x" : name;
            placements.add(new Placement(irq, usable.get(random.nextInt(usable.size())), planned));
        }
        int excludedIrq = FIRST_IRQ + random.nextInt(IRQS);
        Exclusions exclusions = new Exclusions(List.of(Selector.parse(String.valueOf(excludedIrq)),
                Selector.parse("dom:" + random.nextInt(12)), Selector.parse("vif" + random.nextInt(12) + ".1-*"),
                Selector.parse("*\u00e9*"), Selector.parse("?[!a-z]*")));
        // As the engine plans: a channel an exclusion matches (under the name it had then) is not placed.
        placements.removeIf(p -> exclusions.match(p.irq(), p.name()).isPresent());
        Plan plan = new Plan(Strategy.SPREAD, usable, placements, exclusions);
        PlanStore.save(Host.at(root), plan);
        assertEquals(Optional.of(plan), PlanStore.load(Host.at(root)), "the engine reads back what it saved");
        assertEquals(plan, fromHookFiles(root, plan.strategy()), "the hook's files say what the whole-plan file says");

        // The first and last IRQs (ends of the file), the excluded number, and a sample between.
        TreeSet<Integer> asked = new TreeSet<>(List.of(FIRST_IRQ, FIRST_IRQ + IRQS - 1, excludedIrq));
        while (asked.size() < 100) {
            asked.add(FIRST_IRQ + random.nextInt(IRQS));
        }
        Map<Integer, Placement> byIrq = plan.byIrq();
        List<String> wrong = new ArrayList<>();
        int call = 0;
        for (int irq : asked) {
            String name = actual.get(irq);
            Answer expected;
            if (exclusions.match(irq, name).isPresent()) {
                expected = new Answer("0 ban=true\n", UNTOUCHED, false);
            } else if (byIrq.containsKey(irq) && byIrq.get(irq).name().equals(name)) {
                expected = new Answer("0 ban=true\n", byIrq.get(irq).cpu() + "\n", false);
            } else {
                expected = new Answer("0 ban=true\n", usable.get(irq % usable.size()) + "\n", true);
            }
            String shell = call++ % 2 == 0 ? "/bin/sh -c" : "/bin/bash --posix";
            Answer got = hook(shell, root, irq);
            if (!got.equals(expected)) {
                wrong.add(shell + " IRQ " + irq + ": expected " + expected + ", got " + got);
            }
        }
        assertEquals(List.of(), wrong);
    }
}
