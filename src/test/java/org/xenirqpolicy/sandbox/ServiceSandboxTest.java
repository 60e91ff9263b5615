package org.xenirqpolicy.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;
import org.xenirqpolicy.testing.UnitFile;

/**
 * The engine as xen-irq-policy.service runs it: in the unit's sandbox, rebuilt from the shipped
 * unit file by the namespace harness (Dom0Namespace#inService), on a simulated dom0 bound over
 * the real /proc/irq, /sys and /run. The JVM is the JDK's with the package's JVM options
 * (rpm/jvm.args) and the engine's classes; RpmPackage's ServiceSandboxIT runs the packaged
 * launcher and runtime the same way.
 */
class ServiceSandboxTest {
    private static final UnitFile UNIT = UnitFile.read(Fixtures.repo().resolve("src/main/systemd/xen-irq-policy.service"));
    private static final SyntheticDom0 DOM0 = SyntheticDom0.FORTY_GUESTS;

    @TempDir
    Path tmp;
    Path tree;

    @BeforeEach
    void dom0() {
        Dom0Namespace.requirePrerequisites();
        tree = tmp.resolve("dom0");
        DOM0.layOut(HostTree.at(tree));
        HostTree.at(tree).write("/run/irqbalance/.keep", "").write("/run/xen-irq-policy/.keep", "");
    }

    private static void require(String tool, String debianPackage) {
        Fixtures.requireExecutables("Debian package " + debianPackage, tool);
    }

    /** ExecStart= of the unit, its program replaced by the engine on the JDK's java with the package's options. */
    static List<String> execStart() {
        List<String> exec = UNIT.words("Service.ExecStart");
        assertEquals("/usr/sbin/xen-irq-policy", exec.getFirst());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Fixtures.repo().resolve("rpm/jvm.args"), "-cp", Fixtures.repo().resolve("target/classes").toString(),
                "org.xenirqpolicy.cli.Main"));
        cmd.addAll(exec.subList(1, exec.size()));
        return cmd;
    }

    private List<String> inService(List<String> command) {
        return Dom0Namespace.inService(tree, UNIT, command.toArray(String[]::new));
    }

    private Dom0Namespace.Result runInService(List<String> command) {
        return Dom0Namespace.run(Duration.ofMinutes(2), inService(command).toArray(String[]::new));
    }

    /** Every event channel's smp_affinity_list holds the CPU of the saved plan. */
    private void assertPlacedAsPlanned() {
        assertPlacedAsPlanned(DOM0);
    }

    private void assertPlacedAsPlanned(SyntheticDom0 dom0) {
        Plan plan = PlanFile.parse(HostTree.at(tree).read("/run/xen-irq-policy/plan/all")).orElseThrow();
        assertEquals(dom0.eventChannelTraffic().keySet(), new TreeSet<>(plan.placements().stream().map(Placement::irq).toList()));
        for (Placement p : plan.placements()) {
            assertEquals(p.cpu() + "\n", HostTree.at(tree).read("/proc/irq/" + p.irq() + "/smp_affinity_list"), p.toString());
        }
    }

    private Map<String, String> affinities() {
        Map<String, String> out = new TreeMap<>();
        HostTree.at(tree).files().forEach((f, v) -> {
            if (f.endsWith("/smp_affinity_list")) {
                out.put(f, v);
            }
        });
        return out;
    }

    private Set<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return new TreeSet<>(files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).toList());
        }
    }

    /** Waits until {@code pid} waits for the lock file held by this test (a blocked POSIX lock in /proc/locks). */
    private static void awaitBlockedOnLock(Dom0Namespace.Running engine) throws InterruptedException {
        Pattern waiter = Pattern.compile("(?m)^\\d+: -> POSIX +ADVISORY +WRITE +" + engine.pid() + " ");
        Dom0Namespace.await(Duration.ofSeconds(60), "the apply to wait for the lock", () -> {
            if (!engine.alive()) {
                fail("the apply ended before it reached the lock: " + engine.out() + engine.err());
            }
            return waiter.matcher(Fixtures.read(Path.of("/proc/locks"))).find();
        });
    }

    @Test
    void theHarnessRebuildsTheUnitsSandbox() {
        // What the engine would meet, seen from a shell in the same sandbox.
        String probe = """
                grep -E '^(CapBnd|CapEff|NoNewPrivs):' /proc/self/status
                echo "umask $(umask) cwd $(pwd)"
                echo "net $(sed 1,2d /proc/self/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
                for f in /proc/irq/probe /run/xen-irq-policy/probe /run/irqbalance/probe /etc/probe /usr/probe /var/probe /probe /dev/probe; do
                    if touch "$f" 2>/dev/null; then echo "writable $f"; rm -f "$f"; else echo "read-only $f"; fi
                done
                echo "tmp $(ls -A /tmp /var/tmp | tr -d '\\n')"
                echo "home $(stat -c %a /root /home | tr '\\n' ' ')"
                echo "dev $(ls /dev | tr '\\n' ' ')"
                """;
        Dom0Namespace.Result r = runInService(List.of("sh", "-c", probe));
        assertEquals(new Dom0Namespace.Result(0, """
                CapEff:\t0000000000000000
                CapBnd:\t0000000000000000
                NoNewPrivs:\t1
                umask 0022 cwd /
                net lo\s
                writable /proc/irq/probe
                writable /run/xen-irq-policy/probe
                writable /run/irqbalance/probe
                read-only /etc/probe
                read-only /usr/probe
                read-only /var/probe
                read-only /probe
                read-only /dev/probe
                tmp /tmp:/var/tmp:
                home 0 0\s
                dev full null random shm urandom zero\s
                """, ""), r);
    }

    @Test
    void theEngineRunsInTheSandbox() throws IOException {
        Dom0Namespace.Result r = runInService(execStart());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("", r.err());
        assertTrue(r.out().endsWith("plan saved in /run/xen-irq-policy/plan\n"), r.out());
        assertPlacedAsPlanned();
        for (String file : List.of("all", "header", "irq." + DOM0.eventChannelTraffic().keySet().iterator().next())) {
            Path plan = tree.resolve("run/xen-irq-policy/plan/" + file);
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(plan)), file);
        }
        Set<String> expected = new TreeSet<>(List.of(".keep", "last-apply", "lock", "plan.1/all", "plan.1/header"));
        DOM0.eventChannelTraffic().keySet().forEach(irq -> expected.add("plan.1/irq." + irq));
        assertEquals(expected, filesUnder(tree.resolve("run/xen-irq-policy")));
        assertEquals("plan.1", Files.readSymbolicLink(tree.resolve("run/xen-irq-policy/plan")).toString());
        assertTrue(Files.readString(tree.resolve("run/xen-irq-policy/last-apply")).startsWith("exit=0 time="));
    }

    @Test
    void aCrashReportLandsInTheRunDirectory() throws Exception {
        Path lockFile = tree.resolve("run/xen-irq-policy/lock");
        Set<String> before = filesUnder(tree);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock();
                Dom0Namespace.Running engine = new Dom0Namespace.Running(inService(execStart()))) {
            assertTrue(held.isValid());
            awaitBlockedOnLock(engine);
            // What the JVM does on a fault of its own (the SIGSEGV of issue 9): a crash report, then abort.
            engine.signal("SEGV");
            Dom0Namespace.await(Duration.ofSeconds(60), "the JVM to die", () -> !engine.alive());
            String report = "run/xen-irq-policy/hs_err_pid" + engine.pid() + ".log";
            Set<String> added = filesUnder(tree);
            added.removeAll(before);
            assertEquals(Set.of("run/xen-irq-policy/lock", report), added, engine.out());
            assertTrue(Fixtures.read(tree.resolve(report)).contains("SIGSEGV"), report);
            assertTrue(engine.out().contains("# An error report file with more information is saved as:\n# /" + report + "\n"), engine.out());
        }
    }

    /** What Restart=on-failure starts after a crash: it must place everything. */
    private void assertTheNextApplyPlacesEverything(SyntheticDom0 dom0) {
        Dom0Namespace.Result next = runInService(execStart());
        assertEquals(0, next.status(), next.out() + next.err());
        assertEquals("", next.err());
        // The plan may be the crashed apply's own, saved before its writes: then it stays as it is.
        assertTrue(next.out().lines().anyMatch(l -> l.startsWith("spread: ") || l.startsWith("nothing to change: ")), next.out());
        assertPlacedAsPlanned(dom0);
    }

    @Test
    void anApplyKilledWithSigabrtBeforeItWritesLeavesTheRequestsAndTheNextPlacesEverything() throws Exception {
        Map<String, String> before = affinities();
        List<Integer> irqs = new ArrayList<>(DOM0.eventChannelTraffic().keySet());
        // A guest's new event channels, as the hook leaves them under irqbalance's sandbox and without it.
        HostTree.at(tree).write("/run/irqbalance/xen-irq-policy-request." + irqs.get(0), "")
                .write("/run/xen-irq-policy/request." + irqs.get(1), "");
        Path lockFile = tree.resolve("run/xen-irq-policy/lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock();
                Dom0Namespace.Running engine = new Dom0Namespace.Running(inService(execStart()))) {
            // The host is read; the apply waits for the lock, then plans and writes.
            assertTrue(held.isValid());
            awaitBlockedOnLock(engine);
            engine.signal("ABRT");
            assertEquals(128 + 6, engine.exitStatus(), "killed by SIGABRT");
        }
        assertEquals(before, affinities(), "nothing written");
        assertFalse(Files.exists(tree.resolve("run/xen-irq-policy/plan")));
        assertTrue(Files.exists(tree.resolve("run/irqbalance/xen-irq-policy-request." + irqs.get(0))), "the requests stay");
        assertTrue(Files.exists(tree.resolve("run/xen-irq-policy/request." + irqs.get(1))), "the requests stay");
        assertTheNextApplyPlacesEverything(DOM0);
        assertEquals(Set.of(".keep"), filesUnder(tree.resolve("run/irqbalance")), "requests consumed once placed");
        assertFalse(filesUnder(tree.resolve("run/xen-irq-policy")).stream().anyMatch(f -> f.startsWith("request.")));
    }

    @Test
    void anApplyKilledWithSigabrtInItsWritesIsCompletedByTheNext() throws Exception {
        // Thousands of event channels, so that the writes last long enough to be caught.
        SyntheticDom0 big = new SyntheticDom0(CpuSet.parseList("0-15"), 100, 2, 6, 2, 8, "xen-dyn-lateeoi",
                SyntheticDom0.uniformQueues(3000, 1000, 20));
        for (int attempt = 1; ; attempt++) {
            Path fresh = tmp.resolve("big-" + attempt);
            tree = fresh;
            big.layOut(HostTree.at(tree));
            HostTree.at(tree).write("/run/irqbalance/.keep", "").write("/run/xen-irq-policy/.keep", "");
            List<Path> affinity = big.eventChannelTraffic().keySet().stream()
                    .map(irq -> fresh.resolve("proc/irq/" + irq + "/smp_affinity_list")).toList();
            Map<Path, String> before = new HashMap<>();
            for (Path f : affinity) {
                before.put(f, Files.readString(f));
            }
            // Every 50th file, in a tight loop: the first write is seen within a millisecond or two.
            List<Path> watched = IntStream.range(0, affinity.size()).filter(i -> i % 50 == 0)
                    .mapToObj(affinity::get).toList();
            int written;
            try (Dom0Namespace.Running engine = new Dom0Namespace.Running(inService(execStart()))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (engine.alive() && watched.stream().allMatch(f -> Fixtures.read(f).equals(before.get(f)))) {
                    assertTrue(System.nanoTime() < deadline, "the apply wrote nothing in 60 s: " + engine.err());
                }
                try {
                    engine.signal("ABRT");
                } catch (IllegalStateException e) {
                    assertFalse(engine.alive(), e.getMessage());
                }
                if (engine.exitStatus() != 128 + 6) {
                    // It finished before the signal came: try again on a fresh dom0.
                    assertTrue(attempt < 5, "5 applies all finished before a SIGABRT sent at their first write");
                    continue;
                }
                written = (int) affinity.stream().filter(f -> !Fixtures.read(f).equals(before.get(f))).count();
            }
            assertTrue(written > 0, "killed after its first write");
            // The plan is saved before the writes, whole or not at all.
            Path plan = tree.resolve("run/xen-irq-policy/plan/all");
            assertTrue(!Files.exists(plan) || PlanFile.parse(Fixtures.read(plan)).isPresent(), "no torn plan");
            assertTheNextApplyPlacesEverything(big);
            return;
        }
    }

    /**
     * The system calls the JVM makes for an apply (strace) against the unit's SystemCallFilter=,
     * its groups expanded as systemd defines them (systemd-analyze syscall-filter).
     */
    @Test
    void theEngineMakesNoSystemCallTheFilterDenies() throws Exception {
        require("/usr/bin/strace", "strace");
        require("/usr/bin/systemd-analyze", "systemd");
        Map<String, Set<String>> groups = syscallGroups();
        Set<String> allowed = new TreeSet<>();
        boolean allowList = false;
        for (String line : UNIT.lines("Service.SystemCallFilter")) {
            boolean deny = line.startsWith("~");
            allowList |= !deny;
            for (String item : (deny ? line.substring(1) : line).split("\\s+")) {
                Set<String> calls = expand(item, groups);
                if (deny) {
                    allowed.removeAll(calls);
                } else {
                    allowed.addAll(calls);
                }
            }
        }
        assertTrue(allowList && allowed.contains("read"), "an allow list: " + UNIT.lines("Service.SystemCallFilter"));
        Path trace = tmp.resolve("trace");
        List<String> cmd = new ArrayList<>(List.of("strace", "-f", "-qq", "-o", trace.toString()));
        cmd.addAll(execStart());
        cmd.addAll(List.of("--root", tree.toString()));
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\d+ +(?:<\\.\\.\\. )?([a-z0-9_]+)[( ]").matcher(Fixtures.read(trace));
        while (m.find()) {
            used.add(m.group(1));
        }
        assertTrue(used.containsAll(List.of("openat", "write", "mmap", "clone3")), used.toString());
        used.removeAll(allowed);
        assertEquals(Set.of(), used, "system calls the unit's filter refuses");
    }

    /** The groups of systemd's SystemCallFilter=, by name (@...), as this systemd defines them. */
    private static Map<String, Set<String>> syscallGroups() {
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(30), "systemd-analyze", "syscall-filter", "--no-pager");
        assertEquals(0, r.status(), r.err());
        Map<String, Set<String>> groups = new TreeMap<>();
        Set<String> current = null;
        for (String line : r.out().lines().toList()) {
            if (line.startsWith("@")) {
                current = groups.computeIfAbsent(line.strip(), k -> new TreeSet<>());
            } else if (line.startsWith("# ")) {
                current = null;
            } else if (current != null && !line.isBlank() && !line.strip().startsWith("#")) {
                current.add(line.strip());
            }
        }
        assertTrue(groups.containsKey("@system-service") && groups.containsKey("@default"), groups.keySet().toString());
        return groups;
    }

    private static Set<String> expand(String item, Map<String, Set<String>> groups) {
        if (!item.startsWith("@")) {
            return Set.of(item);
        }
        Set<String> out = new TreeSet<>();
        for (String member : groups.getOrDefault(item, Set.of())) {
            out.addAll(expand(member, groups));
        }
        assertFalse(out.isEmpty(), "unknown group " + item);
        return out;
    }
}
