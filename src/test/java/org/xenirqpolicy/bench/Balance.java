package org.xenirqpolicy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SeedScript;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * bench/balance.sh: busiest CPU / lower bound over traffic profiles, for the seed script's rule
 * and our three strategies. The bound is the one SpreadQualityTest uses, max(total / usable CPUs,
 * largest single IRQ): no placement on the usable CPUs can do better. Weights are the interrupt
 * counts of each tree (Engine.plan with sample 0 reads them since boot), so {@code load} sees
 * exactly the traffic it is scored on.
 *
 * <p>The seed column is where the seed's script really puts each IRQ: the script itself is run on
 * a copy of the tree and the affinities read back. It counts cpuN directories and assumes CPUs
 * 0..n-1, so on a host with offline or banned CPUs it lands IRQs on CPUs that are not usable;
 * those are counted where they fall and the row is marked, since its ratio is then not comparable.
 */
public final class Balance {
    static final long TX = 3000;
    static final long RX = 1000;
    static final long LIGHT = 20;
    static final double SPREAD_UNIFORM_TARGET = 1.05;
    static final double LOAD_SKEWED_TARGET = 1.10;

    private Balance() {
    }

    /** A laid-out dom0 tree and what it stands for. */
    record Profile(String key, String title, Path root) {
    }

    /**
     * One placement scored on one profile.
     *
     * @param perCpu      interrupts per CPU, for every CPU the placement used or could use
     * @param ratio       busiest CPU / lower bound
     * @param unusableIrqs IRQs put on a CPU outside the usable set (the seed's 0..n-1 guess)
     */
    record Score(Map<Integer, Long> perCpu, double ratio, int unusableIrqs, long unusableInterrupts) {
    }

    /** A profile's four scores and the facts the table prints beside them. */
    record Row(Profile profile, CpuSet usable, int irqs, long total, long largest, double bound, Score seed,
            Score modulo, Score spread, Score load) {
    }

    public static void main(String[] args) throws IOException {
        Path chart = Path.of(args.length > 0 ? args[0] : "target/balance.png");
        Path work = Fixtures.repo().resolve("target/bench/balance");
        deleteTree(work);
        Files.createDirectories(work);
        Path seedScript = SeedScript.write(work);

        List<Row> rows = new ArrayList<>();
        for (Profile p : profiles(work)) {
            Map<Integer, Integer> byScript = seedByScript(seedScript, p.root(), work.resolve("seed-run"));
            Map<Integer, Integer> byRule = SeedRule.place(HostTree.at(p.root()), eventChannels(p.root()));
            // The chart built by mvn verify uses SeedRule without running the script: prove here they agree.
            if (!byScript.equals(byRule)) {
                throw new IllegalStateException(p.key() + ": seed script " + byScript + " but SeedRule " + byRule);
            }
            rows.add(score(p, byScript));
        }
        System.out.print(table(rows));

        Row chartRow = rows.stream().filter(r -> r.profile().key().equals(BalanceChart.PROFILE)).findFirst().orElseThrow();
        BalanceChart.write(chart, chartRow);
        System.out.println("chart: " + chart + " (per-CPU load, seed rule vs spread, profile " + chartRow.profile().title() + ")");
    }

    /** The five profiles, laid out under {@code work}. */
    static List<Profile> profiles(Path work) {
        List<Profile> profiles = new ArrayList<>();
        // (a) every queue alike: 16 guests x 4 queues over 8 CPUs.
        profiles.add(synthetic(work, "a", "uniform, 16 guests x 4 queues", CpuSet.parseList("0-7"), 16, 4, 1,
                SyntheticDom0.uniformQueues(TX, RX, LIGHT)));
        // (b) the seed report's own dom0: its per-IRQ totals as captured.
        Path fedora = work.resolve("b");
        HostTree.at(fedora).fromInterrupts(Fixtures.read(Fixtures.required("fixtures/interrupts/fedora26-dom0-vif-excerpt.txt")), true);
        profiles.add(new Profile("b", "seed's Fedora 26 dom0 capture", fedora));
        // (c) one hot guest: guest 1's queues carry 10x the traffic of the others'.
        ToLongFunction<String> uniform = SyntheticDom0.uniformQueues(TX, RX, LIGHT);
        profiles.add(synthetic(work, "c", "skewed: guest 1 at 10x, 8 guests x 4 queues", CpuSet.parseList("0-7"), 8, 4, 1,
                name -> name.startsWith("vif1.") ? 10 * uniform.applyAsLong(name) : uniform.applyAsLong(name)));
        // (d) many small guests, one queue each, on few CPUs.
        profiles.add(synthetic(work, "d", "many small guests: 60 x 1 queue", CpuSet.parseList("0-3"), 60, 1, 1, uniform));
        profiles.add(gapsAndBanned(work));
        return profiles;
    }

    /** (e) CPUs 1, 6, 7 present but offline and CPU 0 banned for irqbalance: usable 2-5,8. */
    static Profile gapsAndBanned(Path work) {
        Profile gaps = synthetic(work, "e", "gaps: online 0,2-5,8, CPU 0 banned, 12 x 2 queues", CpuSet.parseList("0,2-5,8"),
                12, 2, 1, SyntheticDom0.uniformQueues(TX, RX, LIGHT));
        // Linux keeps a cpuN directory for every present CPU, offline ones too: the seed counts them.
        HostTree.at(gaps.root()).cpus(CpuSet.parseList("0-8"), CpuSet.parseList("0,2-5,8"))
                .write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPULIST=0\n");
        return gaps;
    }

    private static Profile synthetic(Path work, String key, String title, CpuSet cpus, int guests, int queues, int disks,
            ToLongFunction<String> traffic) {
        Path root = work.resolve(key);
        new SyntheticDom0(cpus, guests, 1, queues, disks, 4, "xen-dyn", traffic).layOut(HostTree.at(root));
        return new Profile(key, title, root);
    }

    static List<EventChannel> eventChannels(Path root) {
        return Engine.plan(Host.at(root), new Engine.Options(Strategy.MODULO, false, 0)).irqs();
    }

    /** Scores the seed's placement ({@code seedCpus}) and the three strategies on one profile. */
    static Row score(Profile p, Map<Integer, Integer> seedCpus) {
        Engine.Planned modulo = Engine.plan(Host.at(p.root()), new Engine.Options(Strategy.MODULO, false, 0));
        Engine.Planned spread = Engine.plan(Host.at(p.root()), new Engine.Options(Strategy.SPREAD, false, 0));
        Engine.Planned load = Engine.plan(Host.at(p.root()), new Engine.Options(Strategy.LOAD, false, 0));
        CpuSet usable = spread.plan().usable();
        Map<Integer, Long> traffic = new LinkedHashMap<>();
        for (EventChannel irq : spread.irqs()) {
            traffic.put(irq.irq(), spread.weights().getOrDefault(irq.irq(), 0L));
        }
        long total = traffic.values().stream().mapToLong(Long::longValue).sum();
        long largest = traffic.values().stream().mapToLong(Long::longValue).max().orElse(0);
        double bound = Math.max(total / (double) usable.size(), largest);
        return new Row(p, usable, traffic.size(), total, largest, bound, score(seedCpus, traffic, usable, bound),
                score(cpus(modulo), traffic, usable, bound), score(cpus(spread), traffic, usable, bound),
                score(cpus(load), traffic, usable, bound));
    }

    private static Map<Integer, Integer> cpus(Engine.Planned planned) {
        Map<Integer, Integer> cpus = new TreeMap<>();
        for (Placement placement : planned.plan().placements()) {
            cpus.put(placement.irq(), placement.cpu());
        }
        return cpus;
    }

    private static Score score(Map<Integer, Integer> cpuOf, Map<Integer, Long> traffic, CpuSet usable, double bound) {
        Map<Integer, Long> perCpu = new TreeMap<>();
        usable.stream().forEach(c -> perCpu.put(c, 0L));
        int unusableIrqs = 0;
        long unusableInterrupts = 0;
        for (Map.Entry<Integer, Long> t : traffic.entrySet()) {
            int cpu = cpuOf.get(t.getKey());
            perCpu.merge(cpu, t.getValue(), Long::sum);
            if (!usable.contains(cpu)) {
                unusableIrqs++;
                unusableInterrupts += t.getValue();
            }
        }
        long busiest = perCpu.values().stream().mapToLong(Long::longValue).max().orElse(0);
        return new Score(perCpu, busiest / bound, unusableIrqs, unusableInterrupts);
    }

    /** Runs the seed's script for every event channel of a copy of {@code root}, as irqbalance would, and reads back where each went. */
    private static Map<Integer, Integer> seedByScript(Path script, Path root, Path copy) throws IOException {
        deleteTree(copy);
        Cli.copyTree(root, copy);
        Map<Integer, Integer> cpus = new TreeMap<>();
        HostTree tree = HostTree.at(copy);
        for (EventChannel irq : eventChannels(root)) {
            SeedScript.run(script, copy, irq.irq());
            cpus.put(irq.irq(), CpuSet.parseList(tree.read("/proc/irq/" + irq.irq() + "/smp_affinity_list").strip()).get(0));
        }
        return cpus;
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append("busiest CPU / lower bound, bound = max(total / usable CPUs, largest single IRQ); 1.00 is the best any placement can do\n");
        out.append(String.format(Locale.ROOT, "%-56s %-8s %4s %7s %7s %7s %7s  %s%n", "profile", "usable", "IRQs", "seed",
                "modulo", "spread", "load", "target"));
        List<String> notes = new ArrayList<>();
        for (Row r : rows) {
            boolean seedOff = r.seed().unusableIrqs() > 0;
            String target = switch (r.profile().key()) {
                case "a" -> target("spread", r.spread().ratio(), SPREAD_UNIFORM_TARGET);
                case "c" -> target("load", r.load().ratio(), LOAD_SKEWED_TARGET);
                default -> "";
            };
            out.append(String.format(Locale.ROOT, "%-56s %-8s %4d %6.2f%s %7.2f %7.2f %7.2f  %s%n",
                    "(" + r.profile().key() + ") " + r.profile().title(), r.usable().toList(), r.irqs(), r.seed().ratio(),
                    seedOff ? "*" : " ", r.modulo().ratio(), r.spread().ratio(), r.load().ratio(), target).stripTrailing()
                    + "\n");
            if (r.largest() >= r.total() / (double) r.usable().size()) {
                notes.add(String.format(Locale.ROOT, "(%s) one IRQ carries %.0f%% of all interrupts: the bound is that IRQ alone",
                        r.profile().key(), 100.0 * r.largest() / r.total()));
            }
            if (seedOff) {
                notes.add(String.format(Locale.ROOT,
                        "(%s) * the seed put %d of %d IRQs (%.0f%% of interrupts) on CPUs %s, which are not usable (it assumes"
                                + " CPUs 0..n-1); counted where they fell, so its ratio is not comparable",
                        r.profile().key(), r.seed().unusableIrqs(), r.irqs(),
                        100.0 * r.seed().unusableInterrupts() / r.total(), unusableCpus(r)));
            }
        }
        notes.forEach(n -> out.append(n).append('\n'));
        return out.toString();
    }

    /** The CPUs outside the usable set that the seed loaded. */
    private static String unusableCpus(Row r) {
        return CpuSet.of(r.seed().perCpu().entrySet().stream()
                .filter(e -> e.getValue() > 0 && !r.usable().contains(e.getKey()))
                .mapToInt(Map.Entry::getKey).toArray()).toList();
    }

    private static String target(String strategy, double ratio, double target) {
        return String.format(Locale.ROOT, "%s <= %.2f: %s", strategy, target, ratio <= target ? "met" : "MISSED");
    }

    /**
     * The seed script's rule, in Java for the chart that mvn verify draws without the field
     * report: an IRQ whose chip is exactly xen-dyn goes to CPU (IRQ mod the number of cpuN
     * directories); any other stays where it is. bench/balance.sh checks it against the script.
     */
    static final class SeedRule {
        private SeedRule() {
        }

        static Map<Integer, Integer> place(HostTree tree, List<EventChannel> irqs) {
            int cpuDirs = cpuDirectories(tree);
            Map<Integer, Integer> cpus = new TreeMap<>();
            for (EventChannel irq : irqs) {
                boolean handled = tree.read("/sys/kernel/irq/" + irq.irq() + "/chip_name").strip().equals("xen-dyn");
                cpus.put(irq.irq(), handled ? irq.irq() % cpuDirs : irq.currentCpu());
            }
            return cpus;
        }

        /** As the script's find -maxdepth 1 -type d -name 'cpu[0-9]*': present CPUs, online or not. */
        private static int cpuDirectories(HostTree tree) {
            try (Stream<Path> dirs = Files.list(tree.path("/sys/devices/system/cpu"))) {
                return (int) dirs.filter(Files::isDirectory).filter(d -> d.getFileName().toString().matches("cpu[0-9].*")).count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
