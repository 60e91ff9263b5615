package org.xenirqpolicy.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/** install, run on a tree: the file it leaves is one systemd reads as sh does, or it writes nothing. */
class InstallAsSystemdReadsTest {
    private static final String SYSCONFIG = "/etc/sysconfig/irqbalance";
    private static final String OURS = "--policyscript=/usr/libexec/irqbalance/xen-irq-policy";

    @TempDir
    Path tmp;

    @Test
    void aTrailingCommentIsMovedAboveAndComesBackOnUninstall() {
        String original = "# irqbalance settings\nIRQBALANCE_ARGS=--journal # keep\nIRQBALANCE_ONESHOT=\n";
        HostTree t = HostTree.at(tmp).write(SYSCONFIG, original);
        Cli.Result install = Cli.run("install", "--root", tmp.toString());
        assertEquals(0, install.status(), install.err());
        assertEquals("# irqbalance settings\n# keep\nIRQBALANCE_ARGS=\"--journal " + OURS + "\"\nIRQBALANCE_ONESHOT=\n",
                t.read(SYSCONFIG));
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        assertEquals(original, t.read(SYSCONFIG));
    }

    @Test
    void anUpgradeRedoesTheEditOfEarlierVersionsThatSystemdMisreads() {
        String original = "# s\nIRQBALANCE_ARGS=--journal # keep\n";
        String earlier = "IRQBALANCE_ARGS=\"--journal " + OURS + "\" # keep";
        HostTree t = HostTree.at(tmp).write(SYSCONFIG, "# s\n" + earlier + "\n");
        t.write(InstallState.PATH, new InstallState(Optional.of(new IrqbalanceArgs.Edit(
                "IRQBALANCE_ARGS=--journal # keep", earlier, false)), Optional.empty()).format());
        Cli.Result install = Cli.run("install", "--root", tmp.toString());
        assertEquals(0, install.status(), install.err());
        assertEquals("# s\n# keep\nIRQBALANCE_ARGS=\"--journal " + OURS + "\"\n", t.read(SYSCONFIG));
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        assertEquals(original, t.read(SYSCONFIG));
    }

    @Test
    void anEditSystemdReadsOtherwiseIsRefusedWithOneLineAndNothingWritten() {
        // What today's main wrote for "IRQBALANCE_ARGS=--journal # keep", here without the record of
        // that edit: sh reads our argument, systemd passes irqbalance the policy script ".../xen-irq-policy#".
        refused("IRQBALANCE_ARGS=\"--journal " + OURS + "\" # keep\n",
                SYSCONFIG + ":1: systemd passes irqbalance the policy script '/usr/libexec/irqbalance/xen-irq-policy#',"
                        + " not /usr/libexec/irqbalance/xen-irq-policy; left unchanged");
        // Quotes inside the value: systemd removes them when it splits $IRQBALANCE_ARGS, sh does not.
        refused("IRQBALANCE_ARGS=\"--banmod=\\\"vif\\\"\"\n",
                SYSCONFIG + ":1: systemd passes irqbalance '--banmod=vif' where sh reads '--banmod=\"vif\"' in IRQBALANCE_ARGS;"
                        + " left unchanged");
        // Latin-1 in a value: systemd ignores the whole file.
        refused("IRQBALANCE_ARGS=\"--journal\"\nIRQBALANCE_BANNED_CPULIST=1 # \u00e9t\u00e9\n",
                SYSCONFIG + ":2: not valid UTF-8, so systemd ignores the whole file and irqbalance would not run"
                        + " /usr/libexec/irqbalance/xen-irq-policy; left unchanged");
    }

    private void refused(String sysconfig, String error) {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, sysconfig);
        Map<String, String> before = t.files();
        Cli.Result r = Cli.run("install", "--root", tmp.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals("xen-irq-policy: " + error + "\n", r.err());
        assertEquals(before, t.files(), "nothing written");
        assertFalse(t.exists("/var/lib/xen-irq-policy/installed"));
    }
}
