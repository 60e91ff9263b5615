package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

class InstallTest {
    private static final String SYSCONFIG = "/etc/sysconfig/irqbalance";
    private static final String IRQBALANCE_HOOK_ARG = "--policyscript=/usr/libexec/irqbalance/xen-irq-policy";

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
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
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

    /** The sysconfig file as a config-management link: edited at its target, the link kept. */
    private void linkedFileIsEditedAtItsTargetAndRestored(String linkText) throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write("/srv/cm/irqbalance", upstream());
        Path target = t.path("/srv/cm/irqbalance");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
        Files.setAttribute(target, "unix:uid", 65534);
        Files.setAttribute(target, "unix:gid", 65534);
        Files.createDirectories(t.path("/etc/sysconfig"));
        Path link = t.path(SYSCONFIG);
        Files.createSymbolicLink(link, Path.of(linkText));

        Cli.Result install = Cli.run("install", "--root", tmp.toString());
        assertEquals(0, install.status(), install.err());
        assertEquals(SYSCONFIG + " (a link to /srv/cm/irqbalance): added --policyscript=/usr/libexec/irqbalance/xen-irq-policy"
                + " to IRQBALANCE_ARGS\n", install.out());
        assertEquals(Path.of(linkText), Files.readSymbolicLink(link), "still the same link");
        assertEquals(upstream().replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"--policyscript=/usr/libexec/irqbalance/xen-irq-policy\""),
                t.read("/srv/cm/irqbalance"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(65534, Files.getAttribute(target, "unix:uid"));
        assertEquals(65534, Files.getAttribute(target, "unix:gid"));

        Cli.Result uninstall = Cli.run("uninstall", "--root", tmp.toString());
        assertEquals(0, uninstall.status(), uninstall.err());
        assertEquals(Path.of(linkText), Files.readSymbolicLink(link), "uninstall never turns a link into a file");
        assertEquals(upstream(), t.read("/srv/cm/irqbalance"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(65534, Files.getAttribute(target, "unix:uid"));
        assertEquals(65534, Files.getAttribute(target, "unix:gid"));
        try (Stream<Path> walk = Files.walk(tmp)) {
            assertEquals(Set.of("etc/sysconfig/irqbalance", "srv/cm/irqbalance"),
                    walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                            .map(p -> tmp.relativize(p).toString()).collect(Collectors.toSet()),
                    "the link and its target: no copy, no temporary file, no state left");
        }
    }

    @Test
    void aRelativeLinkIsEditedAtItsTarget() throws Exception {
        linkedFileIsEditedAtItsTargetAndRestored("../../srv/cm/irqbalance");
    }

    @Test
    void anAbsoluteLinkIsTakenFromTheRoot() throws Exception {
        linkedFileIsEditedAtItsTargetAndRestored("/srv/cm/irqbalance");
    }

    /** A sysconfig link that is refused: exit 2, one line, the link and everything else untouched. */
    private void refusesLink(String linkText, String why) throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write("/etc/sysconfig/other", "x");
        t.write("/srv/cm/dir/file", "x");
        Path link = t.path(SYSCONFIG);
        Files.createSymbolicLink(link, Path.of(linkText));
        Map<String, String> before = t.files();

        Cli.Result r = Cli.run("install", "--root", tmp.toString());

        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals("xen-irq-policy: " + link + " " + why + "; left unchanged\n", r.err());
        assertEquals(Path.of(linkText), Files.readSymbolicLink(link));
        assertEquals(before, t.files(), "nothing written");
        assertFalse(Files.exists(t.path("/var/lib/xen-irq-policy")), "not even the install state");
    }

    @Test
    void aMaskedFileIsRefused() throws Exception {
        refusesLink("/dev/null", "is a link to /dev/null (masked)");
    }

    @Test
    void aDanglingLinkIsRefused() throws Exception {
        refusesLink("../../srv/cm/gone", "is a link to /srv/cm/gone, which does not exist");
    }

    @Test
    void aLinkToADirectoryIsRefused() throws Exception {
        refusesLink("/srv/cm/dir", "is a link to /srv/cm/dir, a directory");
    }

    @Test
    void aLinkLoopIsRefused() throws Exception {
        refusesLink("irqbalance", "is a link loop (more than 40 links)");
    }

    @Test
    void aNulInThePolicyPathIsBadInputNamingTheFile() {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, "IRQBALANCE_ARGS=\"--policyscript=/etc/a\u0000b\"\n");
        Map<String, String> before = t.files();
        Cli.Result r = Cli.run("install", "--root", tmp.toString());
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals("xen-irq-policy: /etc/sysconfig/irqbalance: IRQBALANCE_ARGS names the policy script '/etc/a\\x00b',"
                + " which holds a NUL byte; left unchanged\n", r.err());
        assertEquals(before, t.files());
    }

    @Test
    void controlCharactersInAPolicyPathAreShownEscapedOnOneLine() {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, "IRQBALANCE_ARGS=\"--policyscript=/etc/a\u0001b\u001b[2Jc\"\n");
        Cli.Result r = Cli.run("install", "--root", tmp.toString());
        assertEquals(1, r.status(), r.err());
        assertEquals("xen-irq-policy: /etc/sysconfig/irqbalance: irqbalance already runs the policy script"
                + " /etc/a\\x01b\\x1b[2Jc; left unchanged. To run both, put both in one directory, set --policyscript"
                + " to it and run 'xen-irq-policy install' again\n", r.err());
    }

    @Test
    void uninstallLeavesAFileMaskedSinceInstallAsItIs() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, upstream());
        assertEquals(0, Cli.run("install", "--root", tmp.toString()).status());
        Path file = t.path(SYSCONFIG);
        Files.delete(file);
        Files.createSymbolicLink(file, Path.of("/dev/null"));

        Cli.Result r = Cli.run("uninstall", "--root", tmp.toString());

        assertEquals(0, r.status(), r.err());
        assertEquals(file + " is a link to /dev/null (masked); left unchanged\n", r.out());
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(file));
        assertFalse(t.exists("/var/lib/xen-irq-policy/installed"));
    }

    @Test
    void aFileInstallCreatedThatBecameALinkStaysALink() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write("/etc/other", "x");
        assertEquals(0, Cli.run("install", "--root", tmp.toString()).status());
        String created = t.read(SYSCONFIG);
        // Configuration management takes the file over, unchanged, as a link to its copy.
        t.write("/srv/cm/irqbalance", created);
        Files.delete(t.path(SYSCONFIG));
        Files.createSymbolicLink(t.path(SYSCONFIG), Path.of("/srv/cm/irqbalance"));

        Cli.Result r = Cli.run("uninstall", "--root", tmp.toString());

        assertEquals(0, r.status(), r.err());
        assertEquals(Path.of("/srv/cm/irqbalance"), Files.readSymbolicLink(t.path(SYSCONFIG)));
        assertEquals(created.replace(IRQBALANCE_HOOK_ARG, ""), t.read("/srv/cm/irqbalance"));
    }

    @Test
    void aRelativeLinkToTheHookInThePolicyDirectoryIsOursAndALinkElsewhereIsTheAdmins() throws Exception {
        HostTree t = HostTree.at(tmp);
        String sysconfig = "IRQBALANCE_ARGS=\"--policyscript=/etc/irqbalance.d\"\n";
        t.write(SYSCONFIG, sysconfig);
        t.write("/usr/libexec/irqbalance/xen-irq-policy", "#!/bin/sh\n");
        t.write("/usr/local/bin/other", "#!/bin/sh\n");
        Files.createDirectories(t.path("/etc/irqbalance.d"));
        Path link = t.path("/etc/irqbalance.d/xen-irq-policy");
        // What ln -sr writes: the hook, relative to the directory.
        Files.createSymbolicLink(link, Path.of("../../usr/libexec/irqbalance/xen-irq-policy"));

        Cli.Result r = Cli.run("install", "--root", tmp.toString());

        assertEquals(0, r.status(), r.err());
        assertEquals("/etc/irqbalance.d: irqbalance's policy directory already holds /etc/irqbalance.d/xen-irq-policy\n", r.out());
        assertEquals(Path.of("../../usr/libexec/irqbalance/xen-irq-policy"), Files.readSymbolicLink(link));
        assertEquals(0, Cli.run("check", "--root", tmp.toString()).out().indexOf("ok   hook-configured:"),
                "check agrees the link is ours");

        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("/usr/local/bin/other"));
        r = Cli.run("install", "--root", tmp.toString());

        assertEquals(2, r.status(), r.out());
        assertEquals("xen-irq-policy: /etc/irqbalance.d/xen-irq-policy exists and is not our link; left unchanged\n", r.err());
        assertEquals(Path.of("/usr/local/bin/other"), Files.readSymbolicLink(link));
        assertEquals(sysconfig, t.read(SYSCONFIG));
    }

    @Test
    void aPolicyDirectoryBehindALinkIsFollowedInsideTheRoot() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, "IRQBALANCE_ARGS=\"--policyscript=/etc/irqbalance.d\"\n");
        t.write("/srv/cm/irqbalance.d/mine", "#!/bin/sh\nexit 1\n");
        Files.createSymbolicLink(t.path("/etc/irqbalance.d"), Path.of("/srv/cm/irqbalance.d"));

        Cli.Result r = Cli.run("install", "--root", tmp.toString());

        assertEquals(0, r.status(), r.err());
        assertEquals("/etc/irqbalance.d: added the link xen-irq-policy -> /usr/libexec/irqbalance/xen-irq-policy"
                + " to irqbalance's policy directory\n", r.out());
        assertEquals(Path.of("/usr/libexec/irqbalance/xen-irq-policy"),
                Files.readSymbolicLink(t.path("/srv/cm/irqbalance.d/xen-irq-policy")));
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        assertFalse(Files.exists(t.path("/srv/cm/irqbalance.d/xen-irq-policy"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(t.exists("/srv/cm/irqbalance.d/mine"));
    }
}
