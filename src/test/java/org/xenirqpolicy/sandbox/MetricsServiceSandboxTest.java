package org.xenirqpolicy.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;
import org.xenirqpolicy.testing.UnitFile;

/**
 * {@code metrics --textfile} as xen-irq-policy-metrics.service runs it: in that unit's sandbox,
 * rebuilt by the namespace harness (Dom0Namespace#inService) on a simulated dom0, with a
 * directory of the test bound over /var/lib/prometheus, so that the host's own textfile
 * directory is never written. Everything the command reads is readable there, and the one
 * directory it may write is enough.
 */
class MetricsServiceSandboxTest {
    private static final UnitFile UNIT = UnitFile.read(Fixtures.repo().resolve("src/main/systemd/xen-irq-policy-metrics.service"));
    private static final SyntheticDom0 DOM0 = SyntheticDom0.FORTY_GUESTS;

    @TempDir
    Path tmp;
    Path tree;
    Path prometheus;

    @BeforeEach
    void dom0() throws IOException {
        Dom0Namespace.requirePrerequisites();
        // The mount point the test binds its own directory over; the Debian packages prometheus
        // and prometheus-node-exporter make it.
        if (!Files.isDirectory(Path.of("/var/lib/prometheus"))) {
            Fixtures.unmet("needs /var/lib/prometheus (apt-get install prometheus)");
        }
        tree = tmp.resolve("dom0");
        DOM0.layOut(HostTree.at(tree));
        HostTree.at(tree).write("/run/irqbalance/.keep", "").write("/run/xen-irq-policy/.keep", "");
        Cli.Result apply = Cli.run("apply", "--root", tree.toString());
        assertEquals(0, apply.status(), apply.err());
        prometheus = Files.createDirectories(tmp.resolve("prometheus"));
    }

    /** ExecStart= of the unit in its sandbox, with the test's directory over /var/lib/prometheus. */
    private Dom0Namespace.Result runInService() {
        return runInService(UNIT, null);
    }

    /**
     * ExecStart= of {@code unit} in its sandbox; with {@code dir}, its --textfile writes there, as
     * METRICS_DIR would tell it to (the host's settings file is not the test's to change).
     */
    private Dom0Namespace.Result runInService(UnitFile unit, String dir) {
        List<String> exec = unit.words("Service.ExecStart").stream()
                .map(w -> dir != null && w.equals("--textfile") ? "--textfile=" + dir : w).toList();
        assertEquals("/usr/sbin/xen-irq-policy", exec.getFirst());
        List<String> engine = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Fixtures.repo().resolve("rpm/jvm.args"), "-cp", Fixtures.repo().resolve("target/classes").toString(),
                "org.xenirqpolicy.cli.Main"));
        engine.addAll(exec.subList(1, exec.size()));
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$1\" /var/lib/prometheus && shift && exec \"$@\"", "sh", prometheus.toString()));
        cmd.addAll(Dom0Namespace.inService(tree, unit, engine.toArray(String[]::new)));
        return Dom0Namespace.run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
    }

    @Test
    void theServiceWritesTheTextfileWholeAndNothingElse() throws IOException {
        Path dir = Files.createDirectories(prometheus.resolve("node-exporter"));
        var before = HostTree.at(tree).files();
        assertEquals(new Dom0Namespace.Result(0, "", ""), runInService());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("xen_irq_policy.prom"), files.map(p -> p.getFileName().toString()).toList());
        }
        String prom = Files.readString(dir.resolve("xen_irq_policy.prom"));
        assertTrue(prom.contains("\nxen_irq_policy_event_channels " + DOM0.eventChannelTraffic().size() + "\n"), prom);
        // It read the applied plan, the last apply's record and the requests in /run.
        assertTrue(prom.contains("\nxen_irq_policy_check_ok{check=\"plan-fresh\"} 1\n"), prom);
        assertTrue(prom.contains("\nxen_irq_policy_check_ok{check=\"placement\"} 1\n"), prom);
        assertTrue(prom.contains("\nxen_irq_policy_check_ok{check=\"last-apply\"} 1\n"), prom);
        assertTrue(prom.contains("\nxen_irq_policy_last_apply_exit_status 0\n"), prom);
        assertEquals(before, HostTree.at(tree).files(), "the dom0 is only read");
    }

    /**
     * Another METRICS_DIR (here given as --textfile's DIR, which takes its place): the unit alone
     * may not write there; with the drop-in the Ansible role writes for it
     * (templates/metrics-dir.conf.j2, its variable filled in, as systemd adds a drop-in's
     * ReadWritePaths= to the unit's), the file is written.
     */
    @Test
    void anotherMetricsDirNeedsTheRolesDropIn() throws IOException {
        Files.createDirectories(prometheus.resolve("node-exporter"));
        Path other = Files.createDirectories(prometheus.resolve("other"));
        String dir = "/var/lib/prometheus/other";
        Dom0Namespace.Result refused = runInService(UNIT, dir);
        assertEquals(2, refused.status(), refused.toString());
        assertTrue(refused.err().contains("Read-only file system"), refused.err());
        try (Stream<Path> files = Files.list(other)) {
            assertEquals(List.of(), files.toList(), "nothing written without the drop-in");
        }

        String dropIn = Fixtures.read(Fixtures.repo().resolve("ansible/roles/xen_irq_policy/templates/metrics-dir.conf.j2"))
                .replace("{{ ansible_managed | comment }}", "#\n# Ansible managed\n#")
                .replace("{{ xen_irq_policy_metrics_dir }}", dir);
        assertTrue(dropIn.contains("\n[Service]\nReadWritePaths=" + dir + "\n"), dropIn);
        Path withDropIn = Files.writeString(tmp.resolve("with-drop-in.service"),
                Fixtures.read(Fixtures.repo().resolve("src/main/systemd/xen-irq-policy-metrics.service")) + dropIn);
        assertEquals(new Dom0Namespace.Result(0, "", ""), runInService(UnitFile.read(withDropIn), dir));
        try (Stream<Path> files = Files.list(other)) {
            assertEquals(List.of("xen_irq_policy.prom"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void withoutTheTextfileDirectoryTheServiceFailsInOneLine() {
        // The "-" of ReadWritePaths= leaves a missing directory out of the sandbox; the command says why.
        assertEquals(new Dom0Namespace.Result(2, "", "xen-irq-policy: /var/lib/prometheus/node-exporter is not a directory:"
                + " is node_exporter installed? (METRICS_DIR in /etc/sysconfig/xen-irq-policy)\n"), runInService());
    }
}
