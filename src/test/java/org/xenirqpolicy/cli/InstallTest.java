package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

class InstallTest {
    private static final String SYSCONFIG = "/etc/sysconfig/irqbalance";
    private static final String HOOK = "/usr/libexec/irqbalance/xen-irq-policy";
    private static final String IRQBALANCE_HOOK_ARG = "--policyscript=" + HOOK;
    private static final String OPTED_OUT = "/var/lib/xen-irq-policy/hook-opted-out";

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
        assertEquals(SYSCONFIG + ": took " + IRQBALANCE_HOOK_ARG + " out of IRQBALANCE_ARGS\n" + OPTED_OUT_LINE, uninstall.out());
        assertEquals("nothing to undo: /var/lib/xen-irq-policy/installed records no change\n" + OPTED_OUT_LINE,
                Cli.run("uninstall", "--root", tmp.toString()).out());
    }

    /** What uninstall says once it has recorded the opt-out. */
    private static final String OPTED_OUT_LINE = OPTED_OUT + ": recorded that irqbalance runs without the hook by choice"
            + " ('xen-irq-policy install' puts it back)\n";

    /** Asserts that the opt-out record is one line naming a time from {@code before} to now, and returns that time. */
    private Instant optedOutAt(HostTree t, Instant before) throws Exception {
        String record = t.read(OPTED_OUT);
        assertTrue(record.matches("uninstall [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n"), record);
        Instant at = Instant.parse(record.substring("uninstall ".length()).strip());
        assertFalse(at.isBefore(before.truncatedTo(ChronoUnit.SECONDS)) || at.isAfter(Instant.now()), record);
        assertTrue(Files.isRegularFile(t.path(OPTED_OUT), LinkOption.NOFOLLOW_LINKS));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.path(OPTED_OUT))));
        return at;
    }

    @Test
    void uninstallRecordsTheOptOutAndInstallRemovesIt() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, upstream());
        assertEquals(0, Cli.run("install", "--root", tmp.toString()).status());
        assertFalse(t.exists(OPTED_OUT), "install records no opt-out");

        Instant before = Instant.now();
        Cli.Result uninstall = Cli.run("uninstall", "--root", tmp.toString());
        assertEquals(0, uninstall.status(), uninstall.err());
        assertEquals(SYSCONFIG + ": took " + IRQBALANCE_HOOK_ARG + " out of IRQBALANCE_ARGS\n" + OPTED_OUT_LINE, uninstall.out());
        optedOutAt(t, before);
        assertEquals(upstream(), t.read(SYSCONFIG));

        Cli.Result install = Cli.run("install", "--root", tmp.toString());
        assertEquals(0, install.status(), install.err());
        assertEquals(SYSCONFIG + ": added " + IRQBALANCE_HOOK_ARG + " to IRQBALANCE_ARGS\n"
                + OPTED_OUT + ": removed (the hook is no longer opted out)\n", install.out());
        assertFalse(t.exists(OPTED_OUT));
        Map<String, String> installed = t.files();
        assertEquals(SYSCONFIG + ": irqbalance already runs " + HOOK + "\n", Cli.run("install", "--root", tmp.toString()).out());
        assertEquals(installed, t.files());
    }

    @Test
    void uninstallWithNothingToUndoStillRecordsTheOptOutAndSoDoesASecondUninstall() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, upstream());
        Map<String, String> before = t.files();
        Instant start = Instant.now();
        Cli.Result first = Cli.run("uninstall", "--root", tmp.toString());
        assertEquals(0, first.status(), first.err());
        assertEquals("nothing to undo: /var/lib/xen-irq-policy/installed records no change\n" + OPTED_OUT_LINE, first.out());
        optedOutAt(t, start);
        Map<String, String> expected = new TreeMap<>(before);
        expected.put(OPTED_OUT.substring(1), t.read(OPTED_OUT));
        assertEquals(expected, t.files(), "the record is the only change");

        Files.setLastModifiedTime(t.path(OPTED_OUT), FileTime.from(start.minusSeconds(3600)));
        Cli.Result second = Cli.run("uninstall", "--root", tmp.toString());
        assertEquals(first.out(), second.out());
        optedOutAt(t, start);
        assertEquals(expected.keySet(), t.files().keySet());
    }

    @Test
    void anInstallThatRefusesLeavesTheOptOut() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write(SYSCONFIG, "IRQBALANCE_ARGS=\"--policyscript=/etc/mine.sh\"\n");
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        String record = t.read(OPTED_OUT);
        assertEquals(1, Cli.run("install", "--root", tmp.toString()).status());
        assertEquals(record, t.read(OPTED_OUT), "irqbalance still runs without the hook");
    }

    @Test
    void aLinkOrAnotherUsersFileAtTheRecordsPathIsReplacedNotWrittenThrough() throws Exception {
        HostTree t = HostTree.at(tmp);
        t.write("/etc/victim", "keep\n");
        Files.createDirectories(t.path(OPTED_OUT).getParent());
        Files.createSymbolicLink(t.path(OPTED_OUT), Path.of("/etc/victim"));
        Instant before = Instant.now();
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        assertEquals("keep\n", t.read("/etc/victim"));
        optedOutAt(t, before);

        UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(t.path(OPTED_OUT), nobody);
        assertEquals(0, Cli.run("uninstall", "--root", tmp.toString()).status());
        assertEquals(Files.getOwner(t.path("/etc/victim")), Files.getOwner(t.path(OPTED_OUT)), "the record is ours again");
        optedOutAt(t, before);
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
            assertEquals(Set.of("etc/sysconfig/irqbalance", "srv/cm/irqbalance", OPTED_OUT.substring(1)),
                    walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                            .map(p -> tmp.relativize(p).toString()).collect(Collectors.toSet()),
                    "the link and its target, and the opt-out: no copy, no temporary file, no install record left");
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
        assertEquals(file + " is a link to /dev/null (masked); left unchanged\n" + OPTED_OUT_LINE, r.out());
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
