package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

class InstallTest {
    private static final String SYSCONFIG = "/etc/sysconfig/irqbalance";

    @TempDir
    Path tmp;

    private static String upstream() {
        return Fixtures.read(Fixtures.repo().resolve("src/test/resources/sysconfig/upstream-1.9.5.env"));
    }

    @Test
    void installThenUninstallLeavesTheFileAsItWasWithItsModeAndOwner() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, upstream());
        Path file = t.path(SYSCONFIG);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(file, nobody);

        Cli.Result install = Cli.run("install", "--root", tmp.toString());
        assertEquals(0, install.status(), install.err());
        assertEquals(SYSCONFIG + ": added --policyscript=/usr/libexec/irqbalance/xen-irq-policy to IRQBALANCE_ARGS\n", install.out());
        assertEquals(upstream().replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"--policyscript=/usr/libexec/irqbalance/xen-irq-policy\""),
                t.read(SYSCONFIG));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(nobody, Files.getOwner(file));
        assertTrue(t.exists("/var/lib/xen-irq-policy/installed"));

        Map<String, String> installed = t.files();
        Cli.Result again = Cli.run("install", "--root", tmp.toString());
        assertEquals(SYSCONFIG + ": irqbalance already runs /usr/libexec/irqbalance/xen-irq-policy\n", again.out());
        assertEquals(installed, t.files(), "a second install changes nothing");

        Cli.Result uninstall = Cli.run("uninstall", "--root", tmp.toString());
        assertEquals(0, uninstall.status(), uninstall.err());
        assertEquals(upstream(), t.read(SYSCONFIG));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(nobody, Files.getOwner(file));
        assertFalse(t.exists("/var/lib/xen-irq-policy/installed"));
        assertEquals("nothing to undo: /var/lib/xen-irq-policy/installed records no change\n",
                Cli.run("uninstall", "--root", tmp.toString()).out());
    }

    @Test
    void aMissingFileIsCreatedThenRemoved() {
        HostTree t = HostTree.at(tmp);
        t.write("/etc/other", "x");
        assertEquals(0, Cli.run("install", "--root", tmp.toString()).status());
        assertTrue(t.read(SYSCONFIG).endsWith("IRQBALANCE_ARGS=\"--policyscript=/usr/libexec/irqbalance/xen-irq-policy\"\n"));
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        assertFalse(t.exists(SYSCONFIG));
    }

    @Test
    void anotherPolicyScriptIsLeftAloneWithOneClearLine() {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, "IRQBALANCE_ARGS=\"--policyscript=/etc/mine.sh\"\n");
        Map<String, String> before = t.files();
        Cli.Result r = Cli.run("install", "--root", tmp.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals("xen-irq-policy: /etc/sysconfig/irqbalance: irqbalance already runs the policy script /etc/mine.sh;"
                + " left unchanged. To run both, put both in one directory, set --policyscript to it and run"
                + " 'xen-irq-policy install' again\n", r.err());
        assertEquals(before, t.files());
    }

    @Test
    void aPolicyDirectoryGetsOurLinkAndLosesItAgain() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, "IRQBALANCE_ARGS=\"--journal -l /etc/irqbalance.d\"\n");
        t.write("/etc/irqbalance.d/mine", "#!/bin/sh\nexit 1\n");
        Cli.Result r = Cli.run("install", "--root", tmp.toString());
        assertEquals(0, r.status(), r.err());
        Path link = t.path("/etc/irqbalance.d/xen-irq-policy");
        assertEquals(Path.of("/usr/libexec/irqbalance/xen-irq-policy"), Files.readSymbolicLink(link));
        assertEquals("IRQBALANCE_ARGS=\"--journal -l /etc/irqbalance.d\"\n", t.read(SYSCONFIG));
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(t.exists("/etc/irqbalance.d/mine"));
    }

    @Test
    void theSeedsScriptIsReplaced() {
        HostTree t = HostTree.at(tmp);
        String seeded = upstream().replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"--policyscript=/usr/local/bin/irqbalance-policyscript\"");
        t.write(SYSCONFIG, seeded);
        Cli.Result r = Cli.run("install", "--root", tmp.toString());
        assertEquals(SYSCONFIG + ": replaced the seed script /usr/local/bin/irqbalance-policyscript by"
                + " /usr/libexec/irqbalance/xen-irq-policy in IRQBALANCE_ARGS\n", r.out());
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        assertEquals(seeded, t.read(SYSCONFIG));
    }
}
