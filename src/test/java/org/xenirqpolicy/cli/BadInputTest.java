package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/** Bad input: one line on stderr, exit 2, nothing written, no stack trace. */
class BadInputTest {
    @TempDir
    Path tmp;

    private void rejects(Path root, String expectedError, String... args) {
        Map<String, String> before = HostTree.at(root).files();
        Cli.Result r = Cli.run(args);
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals(expectedError + "\n", r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertEquals(before, HostTree.at(root).files(), "nothing written");
    }

    @Test
    void aRootThatDoesNotExist() {
        Path missing = tmp.resolve("nope");
        Cli.Result r = Cli.run("apply", "--root", missing.toString());
        assertEquals(2, r.status());
        assertEquals("xen-irq-policy: root " + missing + " does not exist\n", r.err());
    }

    @Test
    void noProcInterrupts() {
        Path root = Cli.sampleDom0(tmp.resolve("r"));
        HostTree.at(root).path("/proc/interrupts").toFile().delete();
        rejects(root, "xen-irq-policy: cannot read " + root.resolve("proc/interrupts") + ": no such file",
                "apply", "--root", root.toString());
    }

    @Test
    void aGarbledProcInterrupts() {
        Path root = Cli.sampleDom0(tmp.resolve("r"));
        HostTree.at(root).write("/proc/interrupts", "\u0000\u0001garbage\n241: 1 2\n");
        rejects(root, "xen-irq-policy: /proc/interrupts:1: header '\\x00\\x01garbage' does not name CPU columns",
                "apply", "--root", root.toString());
    }

    @Test
    void garbledLinesAreSkippedWithAWarning() {
        Path root = Cli.sampleDom0(tmp.resolve("r"));
        HostTree tree = HostTree.at(root);
        tree.write("/proc/interrupts", tree.read("/proc/interrupts") + "junk line\n999: x\n");
        Cli.Result r = Cli.run("plan", "--root", root.toString());
        assertEquals(0, r.status());
        assertEquals("xen-irq-policy: warning: skipped 2 unparseable line(s) of /proc/interrupts, the first at line 10\n", r.err());
    }

    @Test
    void aSettingOutOfRange() {
        Path root = Cli.sampleDom0(tmp.resolve("r"));
        HostTree.at(root).write("/etc/sysconfig/xen-irq-policy", "# ours\nSTRATEGY=spread\nSAMPLE_SECONDS=9999\n");
        rejects(root, "xen-irq-policy: /etc/sysconfig/xen-irq-policy:3: SAMPLE_SECONDS: '9999' is not a whole number of seconds from 1 to 600",
                "apply", "--root", root.toString());
    }

    @Test
    void anEmptyCpuSet() {
        Path root = Cli.sampleDom0(tmp.resolve("r"));
        HostTree.at(root).write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPUS=f\n");
        rejects(root, "xen-irq-policy: no CPU left for event channels: online 0-3, banned for irqbalance 0-3, isolated none",
                "apply", "--root", root.toString());
        HostTree.at(root).write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPUS=1\n");
        HostTree.at(root).write("/etc/sysconfig/xen-irq-policy", "CPUS=0,7\n");
        rejects(root, "xen-irq-policy: no CPU left for event channels: online 0-3, banned for irqbalance 0, isolated none, CPUS= 0,7",
                "plan", "--root", root.toString());
    }

    @Test
    void aNonNumericIrqAndOtherUsageErrors() {
        Path root = Cli.sampleDom0(tmp.resolve("r"));
        rejects(root, "xen-irq-policy: '12a' is not an IRQ number; a glob that starts with a digit is written '[1]2a'",
                "plan", "--root", root.toString(), "12a");
        rejects(root, "xen-irq-policy: 'dom:x' is not dom: and a domain id from 0 to 32767",
                "status", "--root", root.toString(), "241", "dom:x");
        rejects(root, "xen-irq-policy: Invalid value for option '--strategy': 'fast' is not a strategy (modulo, spread, load) (see 'xen-irq-policy apply --help')",
                "apply", "--root", root.toString(), "--strategy", "fast");
        rejects(root, "xen-irq-policy: Unknown option: '--bogus' (see 'xen-irq-policy status --help')",
                "status", "--root", root.toString(), "--bogus");
        rejects(root, "xen-irq-policy: --sample: 601 is not from 0 to 600 seconds",
                "plan", "--root", root.toString(), "--sample", "601");
        rejects(root, "xen-irq-policy: a command is required: plan, apply, adapt, status, check, metrics, install or uninstall (see 'xen-irq-policy --help')");
    }

    @Test
    void helpAndVersion() {
        Cli.Result help = Cli.run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("Usage: xen-irq-policy [-hV] [COMMAND]"), help.out());
        Cli.Result version = Cli.run("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().matches("xen-irq-policy [0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)?\n"), version.out());
        Cli.Result planHelp = Cli.run("plan", "--help");
        assertTrue(planHelp.out().contains("--strategy=NAME"), planHelp.out());
    }
}
