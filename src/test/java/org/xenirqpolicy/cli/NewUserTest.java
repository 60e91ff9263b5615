package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

/** What a new user hits first: --version everywhere, a run without root, a host without Xen. */
class NewUserTest {
    private static final String NO_XEN = "xen-irq-policy: no Xen event channels found: is this a Xen dom0?\n";

    @TempDir
    Path tmp;

    // ---- -V and --version

    @Test
    void everyCommandPrintsTheVersionAsTheTopLevelDoes() {
        Cli.Result top = Cli.run("--version");
        assertEquals(0, top.status());
        assertTrue(top.out().matches("xen-irq-policy [0-9][^\\s]*\n"), top.out());
        List<String> commands = new ArrayList<>(Main.fullCommandLine().getSubcommands().keySet());
        commands.remove("help");
        assertTrue(commands.containsAll(List.of("plan", "apply", "status", "install", "uninstall")), commands.toString());
        for (String command : commands) {
            for (String flag : List.of("-V", "--version")) {
                assertEquals(top, Cli.run(command, flag), command + " " + flag);
            }
        }
    }

    // ---- root needed

    @Test
    void onTheRealRootOnlyRootMayChangeTheHost() {
        String message = "apply must run as root (it writes /proc/irq and /run/xen-irq-policy)";
        assertEquals(Optional.of(message), Options.rootNeeded("apply", "/proc/irq and /run/xen-irq-policy", true, 65534));
        assertEquals(Optional.of(message), Options.rootNeeded("apply", "/proc/irq and /run/xen-irq-policy", true, 1));
        assertEquals(Optional.empty(), Options.rootNeeded("apply", "/proc/irq and /run/xen-irq-policy", true, 0));
        // Under --root DIR the tree may be the user's own; an unknown uid refuses nothing.
        assertEquals(Optional.empty(), Options.rootNeeded("apply", "/proc/irq and /run/xen-irq-policy", false, 65534));
        assertEquals(Optional.empty(), Options.rootNeeded("apply", "/proc/irq and /run/xen-irq-policy", true, -1));
    }

    @Test
    void theEffectiveUidIsThisProcesss() throws IOException {
        // /proc/self is owned by the effective uid of a dumpable process, as the JVM is.
        assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"), Host.effectiveUid());
    }

    /** The engine in its own JVM as nobody; a run on / fails before it writes anything. */
    private static Dom0Namespace.Result asNobody(String... args) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        command.addAll(Cli.inOwnJvm(args));
        return Dom0Namespace.run(Duration.ofSeconds(60), command.toArray(String[]::new));
    }

    @Test
    void aCommandThatChangesTheHostSaysRootIsNeededAsNobody() {
        assertEquals(new Dom0Namespace.Result(2, "",
                "xen-irq-policy: apply must run as root (it writes /proc/irq and /run/xen-irq-policy)\n"), asNobody("apply"));
        assertEquals(new Dom0Namespace.Result(2, "",
                "xen-irq-policy: install must run as root (it writes /etc/sysconfig/irqbalance,"
                        + " /var/lib/xen-irq-policy/installed and /var/lib/xen-irq-policy/hook-opted-out)\n"),
                asNobody("install"));
        assertEquals(new Dom0Namespace.Result(2, "",
                "xen-irq-policy: uninstall must run as root (it writes /etc/sysconfig/irqbalance,"
                        + " /var/lib/xen-irq-policy/installed and /var/lib/xen-irq-policy/hook-opted-out)\n"),
                asNobody("uninstall", "--root", "/"));
        // Reading needs no root: a dry run only reads.
        Dom0Namespace.Result dryRun = asNobody("apply", "--dry-run");
        assertFalse(dryRun.err().contains("must run as root"), dryRun.err());
    }

    @Test
    void nobodyMayApplyAndInstallOnATreeOfItsOwn() throws IOException {
        Path mine = Cli.sampleDom0(tmp.resolve("mine"));
        Path theirs = Cli.sampleDom0(tmp.resolve("theirs"));
        UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> walk = Files.walk(mine)) {
            for (Path p : walk.toList()) {
                Files.setOwner(p, nobody);
            }
        }
        Dom0Namespace.Result apply = asNobody("apply", "--root", mine.toString());
        assertEquals(Cli.run("apply", "--root", theirs.toString()), new Cli.Result(apply.status(), apply.out(), apply.err()));
        assertEquals(0, apply.status(), apply.err());
        assertTrue(apply.out().contains("plan saved in /run/xen-irq-policy/plan\n"), apply.out());
        assertEquals(HostTree.at(theirs).read("/run/xen-irq-policy/plan/all"), HostTree.at(mine).read("/run/xen-irq-policy/plan/all"));

        Dom0Namespace.Result install = asNobody("install", "--root", mine.toString());
        assertEquals(0, install.status(), install.err());
        assertTrue(HostTree.at(mine).read("/etc/sysconfig/irqbalance").contains("--policyscript=/usr/libexec/irqbalance/xen-irq-policy"));
    }

    // ---- no Xen

    /** The sample dom0 with every IRQ on an MSI chip instead of xen-dyn: a host without Xen. */
    private Path withoutXen() {
        String msi = Fixtures.read(Fixtures.repo().resolve("src/sample/fedora26-dom0/proc/interrupts"))
                .replace("xen-dyn    -event  ", "IR-PCI-MSI 1-edge  ");
        assertFalse(msi.contains("xen"), msi);
        return HostTree.at(tmp.resolve("nox")).fromInterrupts(msi, true).root();
    }

    @Test
    void planApplyAndStatusSayWhenTheHostHasNoEventChannels() {
        Path root = withoutXen();
        assertEquals(new Cli.Result(0, "", NO_XEN), Cli.run("plan", "--root", root.toString()));
        assertEquals(new Cli.Result(0, "", NO_XEN), Cli.run("status", "--root", root.toString()));
        assertEquals(new Cli.Result(0, "", NO_XEN), Cli.run("plan", "--root", root.toString(), "241"));
        assertEquals(new Cli.Result(0, "", NO_XEN), Cli.run("apply", "--root", root.toString(), "--dry-run"));
        Cli.Result apply = Cli.run("apply", "--root", root.toString());
        assertEquals(new Cli.Result(0, "plan saved in /run/xen-irq-policy/plan\n", NO_XEN), apply);
        // JSON stays whole for scripts, with no IRQs in it; the note still goes to stderr.
        Cli.Result json = Cli.run("plan", "--root", root.toString(), "--format", "json");
        assertEquals(0, json.status());
        assertEquals(NO_XEN, json.err());
        assertTrue(json.out().contains("\"irqs\":[]"), json.out());
    }

    @Test
    void aDom0WithEventChannelsGetsNoNote() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        for (String command : List.of("plan", "status")) {
            Cli.Result r = Cli.run(command, "--root", root.toString());
            assertEquals(0, r.status());
            assertEquals("", r.err(), command);
            assertTrue(r.out().contains("241"), r.out());
        }
    }
}
