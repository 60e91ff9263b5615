package org.xenirqpolicy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SeedScript;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * bench/hook-vs-seed.sh: irqbalance --oneshot on a simulated dom0 (80% of its IRQs xen-dyn,
 * the chip the seed script handles): no policy script, the seed's script, our hook with the
 * engine's plan in place as after boot, and our hook before any plan exists (its worst case). Policy time = run time - run time with no
 * script; both scripts see every IRQ, as irqbalance calls them.
 */
public final class HookVsSeed {
    private static final CpuSet CPUS = CpuSet.parseList("0-3");
    private static final double TARGET = 0.3;

    private HookVsSeed() {
    }

    public static void main(String[] args) throws Exception {
        String sizes = args.length > 0 ? args[0] : "100,1000,5000";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (String size : sizes.split(",")) {
            bench(Integer.parseInt(size), reps);
            System.out.println();
        }
    }

    private static void bench(int irqs, int reps) throws Exception {
        Path work = Fixtures.repo().resolve("target/bench/hook-vs-seed");
        deleteTree(work);
        Files.createDirectories(work);

        // Per guest: xenstored, xenconsoled, 4 queues x tx/rx, 2 disks = 12 event channels; plus 4 global ones.
        int guests = Math.max(1, (int) Math.round((0.8 * irqs - 4) / 12));
        int fixed = 3 + 6 * CPUS.size() + 4 + 12 * guests;
        SyntheticDom0 dom0 = new SyntheticDom0(CPUS, guests, 1, 4, 2, Math.max(0, irqs - fixed), "xen-dyn",
                SyntheticDom0.uniformQueues(3000, 1000, 20));
        Path fresh = work.resolve("fresh");
        dom0.layOut(HostTree.at(fresh));
        Path booted = work.resolve("booted");
        Cli.copyTree(fresh, booted);
        Cli.Result apply = Cli.run("apply", "--root", booted.toString());
        if (apply.status() != 0) {
            throw new IllegalStateException("apply failed: " + apply.err());
        }
        Path seed = SeedScript.write(work);
        Path hook = Dom0Namespace.stageHook(work.resolve("stage"));
        long total = dom0.irqs().size();
        long dyn = dom0.eventChannelTraffic().size();

        Times none = median(reps, () -> run(work, fresh, null));
        Times seedTime = median(reps, () -> run(work, fresh, seed));
        Times noPlan = median(reps, () -> run(work, fresh, hook));
        Times hookTime = median(reps, () -> run(work, booted, hook));
        checkPlaced(work.resolve("run"));

        String version = Dom0Namespace.run(Duration.ofSeconds(10), Dom0Namespace.IRQBALANCE.toString(), "--version").out().strip();
        System.out.printf(Locale.ROOT, "hook vs seed: %s --oneshot, simulated dom0 of %d IRQs (%d xen-dyn), CPUs %s, median of %d%n",
                version, total, dyn, CPUS.toList(), reps);
        System.out.println("policy time = irqbalance's time less its time with no script; CPU = user + sys of irqbalance and its scripts");
        System.out.printf(Locale.ROOT, "%-6s %7s %8s %9s %10s %12s%n", "script", "wall s", "CPU s", "policy s", "policy CPU", "CPU/IRQ ms");
        row("none", none, none, total, "");
        row("seed", seedTime, none, total, "");
        row("hook", hookTime, none, total, "");
        row("hook*", noPlan, none, total, "  * before any plan: every event channel by the fallback, with a request");
        double cpuRatio = (hookTime.cpu() - none.cpu()) / (seedTime.cpu() - none.cpu());
        double wallRatio = (hookTime.wall() - none.wall()) / (seedTime.wall() - none.wall());
        System.out.printf(Locale.ROOT, "whole start, policy time hook/seed: CPU %.2f, wall %.2f (target <= %.2f: %s)%n", cpuRatio,
                wallRatio, TARGET, Math.max(cpuRatio, wallRatio) <= TARGET ? "met" : "MISSED");

        // Per call, without irqbalance: every IRQ through "sh -c 'exec SCRIPT /sys IRQ'", as its popen runs it.
        Times seedCalls = perCall(work, fresh, seed, dom0);
        Times hookCalls = perCall(work, booted, hook, dom0);
        System.out.printf(Locale.ROOT, "per call (%d calls): seed %.2f ms CPU %.2f ms wall; hook %.2f ms CPU %.2f ms wall;"
                + " hook/seed CPU %.2f wall %.2f (target <= %.2f: %s)%n", total,
                seedCalls.cpu() * 1000 / total, seedCalls.wall() * 1000 / total, hookCalls.cpu() * 1000 / total,
                hookCalls.wall() * 1000 / total, hookCalls.cpu() / seedCalls.cpu(), hookCalls.wall() / seedCalls.wall(), TARGET,
                Math.max(hookCalls.cpu() / seedCalls.cpu(), hookCalls.wall() / seedCalls.wall()) <= TARGET ? "met" : "MISSED");
    }

    /** Every IRQ of the dom0 through the script once, in the namespace, on a fresh copy of {@code template}. */
    private static Times perCall(Path work, Path template, Path script, SyntheticDom0 dom0) throws IOException {
        Path tree = work.resolve("run");
        deleteTree(tree);
        Cli.copyTree(template, tree);
        StringBuilder irqs = new StringBuilder();
        dom0.irqs().forEach(irq -> irqs.append(irq.irq()).append(' '));
        String loop = "for i in " + irqs + "; do sh -c \"exec " + script + " /sys $i\" >/dev/null; done";
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "\"$@\" >/dev/null 2>&1; s=$?; times; exit $s", "sh"));
        cmd.addAll(Dom0Namespace.inside(tree, false, "sh", "-c", loop));
        long start = System.nanoTime();
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(10), cmd.toArray(String[]::new));
        double wall = (System.nanoTime() - start) / 1e9;
        String[] children = r.out().strip().split("\\n")[1].strip().split("\\s+");
        return new Times(wall, seconds(children[0]) + seconds(children[1]));
    }

    private static void row(String name, Times t, Times none, long irqs, String note) {
        boolean base = t == none;
        System.out.printf(Locale.ROOT, "%-6s %7.2f %8.2f %9s %10s %12s%s%n", name, t.wall(), t.cpu(),
                base ? "-" : String.format(Locale.ROOT, "%.2f", t.wall() - none.wall()),
                base ? "-" : String.format(Locale.ROOT, "%.2f", t.cpu() - none.cpu()),
                base ? "-" : String.format(Locale.ROOT, "%.2f", (t.cpu() - none.cpu()) * 1000 / irqs), note);
    }

    /** Seconds of one run: wall clock, and CPU of irqbalance and everything it waited for. */
    record Times(double wall, double cpu) {
    }

    /** One irqbalance --oneshot run on a fresh copy of {@code template}. */
    private static Times run(Path work, Path template, Path script) throws IOException {
        Path tree = work.resolve("run");
        deleteTree(tree);
        Cli.copyTree(template, tree);
        List<String> irqbalance = new ArrayList<>(List.of(Dom0Namespace.IRQBALANCE.toString(), "--oneshot", "--foreground",
                "--interval=1"));
        if (script != null) {
            irqbalance.add("--policyscript=" + script);
        }
        // The shell's times builtin reports the CPU its children used, scripts included: irqbalance waits for them.
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "\"$@\" >/dev/null 2>&1; s=$?; times; exit $s", "sh"));
        cmd.addAll(Dom0Namespace.inside(tree, false, irqbalance.toArray(String[]::new)));
        long start = System.nanoTime();
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(5), cmd.toArray(String[]::new));
        double wall = (System.nanoTime() - start) / 1e9;
        if (r.status() != 0) {
            throw new IllegalStateException("irqbalance failed: " + r.out() + r.err());
        }
        String[] children = r.out().strip().split("\n")[1].strip().split("\\s+");
        return new Times(wall, seconds(children[0]) + seconds(children[1]));
    }

    /** "1m2.345s" as seconds. */
    private static double seconds(String time) {
        int m = time.indexOf('m');
        return Integer.parseInt(time.substring(0, m)) * 60 + Double.parseDouble(time.substring(m + 1, time.length() - 1));
    }

    /** The last run was the hook's: every planned IRQ must be on its CPU, or the figure means nothing. */
    private static void checkPlaced(Path tree) {
        Plan plan = PlanFile.parse(HostTree.at(tree).read("/run/xen-irq-policy/plan/all")).orElseThrow();
        for (Placement p : plan.placements()) {
            String now = HostTree.at(tree).read("/proc/irq/" + p.irq() + "/smp_affinity_list");
            if (!now.equals(p.cpu() + "\n")) {
                throw new IllegalStateException("IRQ " + p.irq() + " on " + now.strip() + ", planned " + p.cpu());
            }
        }
    }

    interface Run {
        Times once() throws IOException;
    }

    /** The run with the median CPU time. */
    private static Times median(int reps, Run run) throws IOException {
        List<Times> t = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            t.add(run.once());
        }
        t.sort(java.util.Comparator.comparingDouble(Times::cpu));
        return t.get(reps / 2);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
