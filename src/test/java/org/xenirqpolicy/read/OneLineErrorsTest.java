package org.xenirqpolicy.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/**
 * An error built from a file's contents is one line on stderr whatever the file holds (line
 * breaks, control characters, any length), names the file (and line where there are lines), and
 * exits 2 with nothing written.
 */
class OneLineErrorsTest {
    @TempDir
    Path tmp;

    private Path dom0() {
        return Cli.sampleDom0(tmp.resolve("r"));
    }

    private static void oneLineNaming(Path root, String expected, String... args) {
        Map<String, String> before = HostTree.at(root).files();
        Cli.Result r = Cli.run(args);
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals("xen-irq-policy: " + expected + "\n", r.err());
        assertTrue(r.err().chars().limit(r.err().length() - 1).allMatch(c -> c >= 0x20 && c < 0x7f), r.err());
        assertEquals(before, HostTree.at(root).files(), "nothing written");
    }

    @Test
    void aTwoLineOnlineCpuList() {
        Path root = dom0();
        HostTree.at(root).write("/sys/devices/system/cpu/online", "0-2\n3\n");
        oneLineNaming(root, "/sys/devices/system/cpu/online: '0-2\\n3' is not a CPU list", "plan", "--root", root.toString());
    }

    @Test
    void aCpuOutOfRangeInTheHeaderOfProcInterrupts() {
        Path root = dom0();
        HostTree t = HostTree.at(root);
        t.path("/sys/devices/system/cpu/online").toFile().delete();
        t.write("/proc/interrupts", t.read("/proc/interrupts").replaceFirst("CPU3 ", "CPU8192 "));
        oneLineNaming(root, "/proc/interrupts:1: header 'CPU0       CPU1       CPU2       CPU8192': CPU 8192 is out of range 0-8191",
                "plan", "--root", root.toString());
    }

    @Test
    void controlCharactersAndLongValuesInSettings() {
        Path root = dom0();
        HostTree.at(root).write("/etc/sysconfig/xen-irq-policy", "# x\nSTRATEGY=\"sp\r\u001b[2Jread\"\n");
        oneLineNaming(root, "/etc/sysconfig/xen-irq-policy:2: STRATEGY: 'sp\\r\\x1b[2Jread' is not a strategy (modulo, spread, load)",
                "plan", "--root", root.toString());
        HostTree.at(root).write("/etc/sysconfig/xen-irq-policy", "CPUS=" + "1,".repeat(100) + "x\n");
        oneLineNaming(root, "/etc/sysconfig/xen-irq-policy:1: CPUS: '" + "1,".repeat(32) + "'... is not a CPU list",
                "plan", "--root", root.toString());
    }

    @Test
    void aBadExcludeIsOneLineWhateverItHolds() {
        Path root = dom0();
        HostTree.at(root).write("/etc/sysconfig/xen-irq-policy", "EXCLUDE=\"vif1.*\t\u001b[2J\"\n");
        oneLineNaming(root, "/etc/sysconfig/xen-irq-policy:1: EXCLUDE: '\\x1b[2J' is not a glob of xen-irq-policy(8): '[' without its ']'",
                "apply", "--root", root.toString());
        HostTree.at(root).write("/etc/sysconfig/xen-irq-policy", "EXCLUDE=" + "1,".repeat(100) + "\n");
        oneLineNaming(root, "/etc/sysconfig/xen-irq-policy:1: EXCLUDE: empty selector before or after a comma in '" + "1,".repeat(32) + "'...",
                "status", "--root", root.toString());
    }

    @Test
    void aBannedListWithALineBreakSystemdKeepsIsReadAsIrqbalanceReadsItNotRefused() {
        Path root = dom0();
        // Inside double quotes systemd keeps a CR: irqbalance gets "1\r2", stops at the white
        // space inside the entry and bans nothing (HookBannedCpusTest asks the daemon itself).
        HostTree.at(root).write("/etc/sysconfig/irqbalance", "IRQBALANCE_BANNED_CPULIST=\"1\r2\"\n");
        Cli.Result r = Cli.run("plan", "--root", root.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("strategy spread on CPUs 0-3 (online 0-3, banned for irqbalance none,"), r.out());
    }

    @Test
    void aNulInThePolicyScriptPathIsBadInput() {
        Path root = tmp.resolve("r");
        HostTree.at(root).write("/etc/sysconfig/irqbalance", "IRQBALANCE_ARGS=\"--policyscript=/etc/x\u0000y\"\n");
        oneLineNaming(root, "/etc/sysconfig/irqbalance: IRQBALANCE_ARGS names the policy script '/etc/x\\x00y',"
                + " which holds a NUL byte; left unchanged", "install", "--root", root.toString());
    }
}
