package org.xenirqpolicy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SeedScript;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * bench/engine.sh: {@code xen-irq-policy apply --root TREE} as installed (the RPM's launcher, its
 * runtime and its JVM flags) on generated dom0s of growing size, fresh tree each run, against the
 * seed's policy script run once per xen-dyn IRQ of the same tree, which is the work it does to
 * place them. Wall time and peak RSS come from /usr/bin/time -v; growth with N is the
 * least-squares slope of log(figure) over log(N).
 *
 * <p>{@code bench/engine.sh --adapt [SIZES [REPETITIONS]]}: the cost of one adaptive run, as the
 * timer starts it, instead ({@link #adapt}).
 */
public final class EngineBench {
    /** Eight CPUs at every size, so that the slope measures IRQs and not the width of /proc/interrupts. */
    private static final CpuSet CPUS = CpuSet.parseList("0-7");
    private static final int TARGET_IRQS = 5000;
    private static final double TARGET_WALL_S = 0.5;
    private static final double TARGET_RSS_MB = 64;
    private static final Path TIME = Path.of("/usr/bin/time");
    private static final Pattern ELAPSED = Pattern.compile("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\): (?:(\\d+):)?(\\d+):([\\d.]+)");
    private static final Pattern MAX_RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");

    private EngineBench() {
    }

    /** One measured run: wall seconds (our own clock around the process) and peak RSS in MB. */
    record Run(double wall, double rssMb) {
    }

    /** The medians of one size, ours and the seed's. */
    record Row(int irqs, int xenDyn, Run ours, Run seed) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--adapt")) {
            adapt(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        int[] sizes = args.length > 0 ? parseSizes(args[0]) : new int[] {1000, 5000, 20000};
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int seedReps = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path repo = Fixtures.repo();
        Path work = freshWork(repo, "engine");
        Path launcher = stageLauncher(repo, work);
        Path seed = SeedScript.write(work);
        Path trees = treeDirectory(work);

        List<Row> rows = new ArrayList<>();
        for (int n : sizes) {
            SyntheticDom0 dom0 = dom0Of(n);
            Path template = trees.resolve("template-" + n);
            dom0.layOut(HostTree.at(template));
            int xenDyn = dom0.eventChannelTraffic().size();
            List<String> dynIrqs = dom0.eventChannelTraffic().keySet().stream().map(String::valueOf).toList();
            List<Run> ours = new ArrayList<>();
            for (int i = 0; i < reps; i++) {
                Path tree = fresh(template, trees.resolve("run"));
                ours.add(timed(List.of(launcher.toString(), "apply", "--root", tree.toString())));
                checkPlanned(tree, xenDyn);
            }
            List<Run> seeds = new ArrayList<>();
            for (int i = 0; i < seedReps; i++) {
                Path tree = fresh(template, trees.resolve("run"));
                // One shell runs the script once per IRQ, as irqbalance would; its own cost is a fork per IRQ.
                List<String> cmd = new ArrayList<>(List.of("env", "XEN_IRQ_POLICY_ROOT=" + tree, "sh", "-c",
                        "s=$1; shift; for irq do \"$s\" /sys \"$irq\" >/dev/null || exit 1; done", "sh", seed.toString()));
                cmd.addAll(dynIrqs);
                seeds.add(timed(cmd));
            }
            rows.add(new Row(dom0.irqs().size(), xenDyn, median(ours), median(seeds)));
        }
        deleteTree(trees);
        report(rows, reps, seedReps, trees);
    }

    /** CPU seconds (user + system), wall seconds and peak RSS of one process. */
    record Cost(double cpu, double wall, double rssMb) {
    }

    private static final Pattern USER = Pattern.compile("User time \\(seconds\\): ([\\d.]+)");
    private static final Pattern SYSTEM = Pattern.compile("System time \\(seconds\\): ([\\d.]+)");

    /** target/bench/NAME, emptied, once /usr/bin/time is known to be there (both benches time with it). */
    private static Path freshWork(Path repo, String name) throws IOException {
        if (!Files.isExecutable(TIME)) {
            throw new IllegalStateException(TIME + " is missing: apt-get install time (Debian), dnf install time (Fedora)");
        }
        Path work = repo.resolve("target/bench/" + name);
        deleteTree(work);
        Files.createDirectories(work);
        return work;
    }

    /**
     * One adaptive run ({@code xen-irq-policy adapt --root TREE} as installed) on a dom0 in its
     * steady state: applied once (spread), ADAPTIVE=yes, guest 1 carrying two thirds of all traffic
     * (its queues overload their CPUs), and a state that says the previous run was already above
     * the threshold, so that the run moves (up to ADAPTIVE_MAX_MOVES) and saves the plan: the
     * costly case. Three runs each time: with {@code --sample 0} (counts since boot as the rates:
     * it moves), with {@code --sample 1} (the timer's way, the host read twice, a second apart;
     * the tree's counters do not grow, so it is quiet), and the timer's way again with the
     * counters grown during the window (the tree's /proc/interrupts replaced by one of twice the
     * counts 0.7 s after the start: the window sees the traffic, and the run moves). The issue's
     * target is CPU time beyond the sampling sleep, so CPU (user + system) is the figure; wall and
     * peak RSS beside it.
     */
    static void adapt(String[] args) throws IOException {
        int[] sizes = args.length > 0 ? parseSizes(args[0]) : new int[] {1000, 5000};
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path repo = Fixtures.repo();
        Path work = freshWork(repo, "adapt");
        Path launcher = stageLauncher(repo, work);
        Path trees = treeDirectory(work);
        System.out.printf(Locale.ROOT, "adapt: xen-irq-policy adapt --root TREE as installed, CPUs %s, guest 1 two thirds of the traffic,"
                + " applied once, the state of a previous run above the threshold; median of %d%n", CPUS.toList(), reps);
        System.out.printf(Locale.ROOT, "%7s %8s %-10s %7s %7s %11s  %s%n", "IRQs", "xen-dyn", "run", "CPU s", "wall s",
                "peak RSS MB", "verdict");
        for (int n : sizes) {
            SyntheticDom0 base = dom0Of(n);
            SyntheticDom0 dom0 = new SyntheticDom0(base.cpus(), base.guests(), base.vifs(), base.queues(), base.disks(),
                    base.pciMsi(), base.chip(), name -> base.traffic().applyAsLong(name) * (name.startsWith("vif1.") ? 2L * base.guests() : 1));
            Path template = trees.resolve("template-" + n);
            HostTree t = dom0.layOut(HostTree.at(template));
            timed(List.of(launcher.toString(), "apply", "--root", template.toString()));
            t.write("/etc/sysconfig/xen-irq-policy", "ADAPTIVE=yes\n");
            // The state a previous run leaves (its record and each event channel's rate, which
            // every run reads and writes), then marked above the threshold so that the run moves.
            timed(List.of(launcher.toString(), "adapt", "--sample", "1", "--root", template.toString()));
            t.write("/run/xen-irq-policy/adaptive", t.read("/run/xen-irq-policy/adaptive")
                    .replaceFirst("\nsamples-above [0-9]+\n", "\nsamples-above 1\n"));
            // The reference: a second apply on the same tree, which has nothing to change.
            List<Double> applyCpu = new ArrayList<>();
            List<Double> applyWall = new ArrayList<>();
            List<Double> applyRss = new ArrayList<>();
            for (int i = 0; i < reps; i++) {
                Cost c = costOf(List.of(launcher.toString(), "apply", "--root", fresh(template, trees.resolve("run")).toString()));
                applyCpu.add(c.cpu());
                applyWall.add(c.wall());
                applyRss.add(c.rssMb());
            }
            System.out.printf(Locale.ROOT, "%7d %8d %-10s %7.3f %7.3f %11.1f  %s%n", dom0.irqs().size(),
                    dom0.eventChannelTraffic().size(), "apply", middle(applyCpu), middle(applyWall), middle(applyRss),
                    "(reference: nothing to change)");
            // The same dom0 a second later: every counter doubled.
            String grown = new SyntheticDom0(dom0.cpus(), dom0.guests(), dom0.vifs(), dom0.queues(), dom0.disks(), dom0.pciMsi(),
                    dom0.chip(), name -> 2 * dom0.traffic().applyAsLong(name)).procInterrupts();
            for (String run : List.of("sample 0", "sample 1", "sample 1+")) {
                List<Cost> costs = new ArrayList<>();
                String verdict = "";
                for (int i = 0; i < reps; i++) {
                    Path tree = fresh(template, trees.resolve("run"));
                    String sample = run.substring("sample ".length(), "sample ".length() + 1);
                    Runnable duringWindow = !run.endsWith("+") ? () -> { } : () -> {
                        sleepMillis(700);
                        // Renamed into place: the run reads the old file or the new one, never a part.
                        HostTree grownTree = HostTree.at(tree).write("/proc/interrupts.grown", grown);
                        try {
                            Files.move(grownTree.path("/proc/interrupts.grown"), grownTree.path("/proc/interrupts"),
                                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    };
                    costs.add(costOf(List.of(launcher.toString(), "adapt", "--sample", sample, "--root", tree.toString()),
                            duringWindow));
                    verdict = HostTree.at(tree).read("/run/xen-irq-policy/adaptive").replaceAll("(?s).*\nrun \\S+ \\S+ (\\S+) .*", "$1")
                            + ", " + HostTree.at(tree).read("/run/xen-irq-policy/adaptive").lines().filter(l -> l.startsWith("move ")).count()
                            + " moved";
                }
                List<Double> cpu = costs.stream().map(Cost::cpu).sorted().toList();
                List<Double> wall = costs.stream().map(Cost::wall).sorted().toList();
                List<Double> rss = costs.stream().map(Cost::rssMb).sorted().toList();
                System.out.printf(Locale.ROOT, "%7d %8d %-10s %7.3f %7.3f %11.1f  %s%n", dom0.irqs().size(),
                        dom0.eventChannelTraffic().size(), run, cpu.get(cpu.size() / 2), wall.get(wall.size() / 2),
                        rss.get(rss.size() / 2), verdict);
            }
        }
        deleteTree(trees);
        System.out.printf(Locale.ROOT, "targets at %d IRQs: CPU <= %.1f s beyond the sampling sleep, peak RSS <= %.0f MB%n",
                TARGET_IRQS, TARGET_WALL_S, TARGET_RSS_MB);
    }

    private static double middle(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    /** Runs {@code cmd} under /usr/bin/time -v: CPU, wall and peak RSS; fails unless it exits 0. */
    private static Cost costOf(List<String> cmd) throws IOException {
        return costOf(cmd, () -> { });
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As {@link #costOf(List)}, with {@code whileRunning} run beside the command, on a thread of its own. */
    private static Cost costOf(List<String> cmd, Runnable whileRunning) throws IOException {
        List<String> full = new ArrayList<>(List.of(TIME.toString(), "-v"));
        full.addAll(cmd);
        Path err = Files.createTempFile("engine-bench", ".err");
        try {
            Process p = new ProcessBuilder(full).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
            long start = System.nanoTime();
            Thread beside = new Thread(whileRunning);
            beside.start();
            int status = waitFor(p);
            double wall = (System.nanoTime() - start) / 1e9;
            try {
                beside.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Matcher user = USER.matcher(stderr);
            Matcher system = SYSTEM.matcher(stderr);
            Matcher rss = MAX_RSS.matcher(stderr);
            if (status != 0 || !user.find() || !system.find() || !rss.find()) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed with " + status + ":\n" + stderr);
            }
            return new Cost(Double.parseDouble(user.group(1)) + Double.parseDouble(system.group(1)), wall,
                    Long.parseLong(rss.group(1)) / 1024.0);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /**
     * Where the trees go: a tmpfs, as /proc and /sys are memory file systems. On a disk file
     * system every open, and every close of a file rewritten in place (ext4's auto_da_alloc),
     * costs what the kernel's attributes never do, for ours and the seed alike.
     */
    private static Path treeDirectory(Path work) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs")) {
            return Files.createTempDirectory(shm, "xen-irq-policy-bench-");
        }
        return Files.createDirectories(work.resolve("trees"));
    }

    /**
     * Per guest: xenstored, xenconsoled, one vif of 4 queues (tx and rx), 2 disks = 12 xen-dyn
     * channels; 4 global ones; the rest is dom0's own per-CPU and PCI-MSI IRQs: about 80% xen-dyn.
     */
    static SyntheticDom0 dom0Of(int irqs) {
        int guests = Math.max(1, (int) Math.round((0.8 * irqs - 4) / 12));
        int fixed = 3 + 6 * CPUS.size() + 4 + 12 * guests;
        return new SyntheticDom0(CPUS, guests, 1, 4, 2, Math.max(0, irqs - fixed), "xen-dyn",
                SyntheticDom0.uniformQueues(3000, 1000, 20));
    }

    /**
     * The RPM's launcher with its runtime directory pointed at target/, which holds the same
     * runtime, jar and lib/ as /usr/lib/xen-irq-policy: the flags stay those that ship.
     */
    private static Path stageLauncher(Path repo, Path work) throws IOException {
        Path target = repo.resolve("target");
        for (String built : List.of("runtime/bin/java", "xen-irq-policy.jar", "xen-irq-policy.aot")) {
            if (!Files.exists(target.resolve(built))) {
                throw new IllegalStateException(target.resolve(built) + " is missing: run mvn package first");
            }
        }
        // test-compile does not rebuild the jar: measuring an old one would credit or blame the wrong code.
        java.nio.file.attribute.FileTime jar = Files.getLastModifiedTime(target.resolve("xen-irq-policy.jar"));
        try (var sources = Files.walk(repo.resolve("src/main"))) {
            if (sources.anyMatch(f -> newer(f, jar))) {
                throw new IllegalStateException("target/xen-irq-policy.jar is older than src/main: run mvn package first");
            }
        }
        // Nor does package with -DskipRpm rebuild the AOT cache, and JDK 25 was seen to take the
        // classes of an older jar from it (at another path, and at the same one) without a word.
        if (newer(target.resolve("xen-irq-policy.jar"), Files.getLastModifiedTime(target.resolve("xen-irq-policy.aot")))) {
            throw new IllegalStateException("target/xen-irq-policy.aot is older than the jar: run mvn package without -DskipRpm");
        }
        String script = Files.readString(repo.resolve("rpm/xen-irq-policy.sh"), StandardCharsets.UTF_8);
        String libLine = "lib=/usr/lib/xen-irq-policy\n";
        if (!script.contains(libLine)) {
            throw new IllegalStateException("rpm/xen-irq-policy.sh no longer sets " + libLine.strip());
        }
        Path launcher = work.resolve("xen-irq-policy");
        Files.writeString(launcher, script.replace(libLine, "lib='" + target + "'\n"), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    private static boolean newer(Path file, java.nio.file.attribute.FileTime than) {
        try {
            return Files.isRegularFile(file) && Files.getLastModifiedTime(file).compareTo(than) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code cmd} under /usr/bin/time -v; fails unless it exits 0. */
    private static Run timed(List<String> cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of(TIME.toString(), "-v"));
        full.addAll(cmd);
        Path err = Files.createTempFile("engine-bench", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(full).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            int status = waitFor(p);
            double wall = (System.nanoTime() - start) / 1e9;
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            if (status != 0) {
                throw new IllegalStateException(String.join(" ", cmd.subList(0, Math.min(cmd.size(), 6)))
                        + " ... failed with " + status + ":\n" + stderr);
            }
            Matcher rss = MAX_RSS.matcher(stderr);
            if (!rss.find() || !ELAPSED.matcher(stderr).find()) {
                throw new IllegalStateException("no figures from /usr/bin/time -v:\n" + stderr);
            }
            return new Run(wall, Long.parseLong(rss.group(1)) / 1024.0);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static int waitFor(Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A run that placed nothing would be fast and mean nothing: every xen-dyn IRQ must be in the plan. */
    private static void checkPlanned(Path tree, int xenDyn) {
        Plan plan = PlanFile.parse(HostTree.at(tree).read("/run/xen-irq-policy/plan/all")).orElseThrow();
        if (plan.placements().size() != xenDyn) {
            throw new IllegalStateException("plan has " + plan.placements().size() + " placements, expected " + xenDyn);
        }
    }

    /** The run with the median wall time, and the median peak RSS. */
    private static Run median(List<Run> runs) {
        if (runs.isEmpty()) {
            return null;
        }
        List<Double> walls = runs.stream().map(Run::wall).sorted().toList();
        List<Double> rss = runs.stream().map(Run::rssMb).sorted().toList();
        return new Run(walls.get(walls.size() / 2), rss.get(rss.size() / 2));
    }

    private static void report(List<Row> rows, int reps, int seedReps, Path trees) throws IOException {
        System.out.printf(Locale.ROOT, "engine: xen-irq-policy apply --root TREE as installed (runtime, launcher flags), "
                + "CPUs %s, fresh tree each run; median of %d (seed: %d)%n", CPUS.toList(), reps, seedReps);
        System.out.printf(Locale.ROOT, "trees on %s (%s), %d CPUs%n", trees.getParent(),
                Files.getFileStore(trees.getParent()).type(), Runtime.getRuntime().availableProcessors());
        System.out.println("seed = the seed's policy script run once per xen-dyn IRQ of the same tree");
        System.out.printf(Locale.ROOT, "%7s %8s %9s %10s %9s %10s %10s%n", "IRQs", "xen-dyn", "wall s", "peak RSS MB",
                "seed s", "seed RSS MB", "ours/seed");
        boolean seedRun = seedReps > 0;
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%7d %8d %9.3f %10.1f %9s %10s %10s%n", r.irqs(), r.xenDyn(), r.ours().wall(),
                    r.ours().rssMb(),
                    seedRun ? String.format(Locale.ROOT, "%.2f", r.seed().wall()) : "-",
                    seedRun ? String.format(Locale.ROOT, "%.1f", r.seed().rssMb()) : "-",
                    seedRun ? String.format(Locale.ROOT, "%.4f", r.ours().wall() / r.seed().wall()) : "-");
        }
        if (rows.size() > 1) {
            System.out.printf(Locale.ROOT, "growth with N (slope of log over log N): wall %.2f, peak RSS %.2f%s%n",
                    slope(rows, Run::wall), slope(rows, Run::rssMb),
                    seedRun ? String.format(Locale.ROOT, "; seed wall %.2f", slopeSeed(rows)) : "");
        }
        for (Row r : rows) {
            if (r.irqs() == TARGET_IRQS) {
                System.out.printf(Locale.ROOT, "at %d IRQs: wall %.3f s (target <= %.1f: %s), peak RSS %.1f MB (target <= %.0f: %s)%n",
                        TARGET_IRQS, r.ours().wall(), TARGET_WALL_S, r.ours().wall() <= TARGET_WALL_S ? "met" : "MISSED",
                        r.ours().rssMb(), TARGET_RSS_MB, r.ours().rssMb() <= TARGET_RSS_MB ? "met" : "MISSED");
            }
        }
    }

    private static double slope(List<Row> rows, java.util.function.ToDoubleFunction<Run> figure) {
        double[] x = rows.stream().mapToDouble(r -> Math.log(r.irqs())).toArray();
        double[] y = rows.stream().mapToDouble(r -> Math.log(figure.applyAsDouble(r.ours()))).toArray();
        return leastSquaresSlope(x, y);
    }

    private static double slopeSeed(List<Row> rows) {
        double[] x = rows.stream().mapToDouble(r -> Math.log(r.irqs())).toArray();
        double[] y = rows.stream().mapToDouble(r -> Math.log(r.seed().wall())).toArray();
        return leastSquaresSlope(x, y);
    }

    static double leastSquaresSlope(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return num / den;
    }

    private static int[] parseSizes(String list) {
        return java.util.Arrays.stream(list.split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    }

    /** A fresh copy of the template: apply and the seed both write affinities and our plan. */
    private static Path fresh(Path template, Path tree) throws IOException {
        deleteTree(tree);
        Process p = new ProcessBuilder("cp", "-a", template.toString(), tree.toString()).inheritIO().start();
        if (waitFor(p) != 0) {
            throw new UncheckedIOException(new IOException("cp -a " + template + " failed"));
        }
        return tree;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
