package org.xenirqpolicy.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/**
 * The files the engine writes: their modes, owners and directories whatever the umask, and the
 * temporary files that make the writes atomic.
 */
class HostFilesTest {
    @TempDir
    Path tmp;

    /** The CLI in its own JVM under {@code sh}, with the given shell set-up (umask, ulimit) first. */
    private static Cli.Result engine(String shellSetUp, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", shellSetUp + " && exec \"$@\"", "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                "org.xenirqpolicy.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Cli.Result(p.exitValue(), out, err);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static String owner(Path p) throws IOException {
        return Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    /** Our temporary files anywhere under {@code root}. */
    private static List<String> temporaryFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"000", "077"})
    void newFilesAre0644AndNewDirectories0755WhateverTheUmask(String umask) throws Exception {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree tree = HostTree.at(root);
        assertFalse(tree.exists("/etc/sysconfig/irqbalance"));

        Cli.Result install = engine("umask " + umask, "install", "--root", root.toString());
        assertEquals(0, install.status(), install.err());
        Cli.Result apply = engine("umask " + umask, "apply", "--root", root.toString());
        assertEquals(0, apply.status(), apply.err());

        for (String file : List.of("/etc/sysconfig/irqbalance", "/var/lib/xen-irq-policy/installed",
                "/run/xen-irq-policy/plan/all", "/run/xen-irq-policy/plan/header", "/run/xen-irq-policy/plan/irq.241",
                "/run/xen-irq-policy/lock")) {
            assertEquals("rw-r--r--", mode(tree.path(file)), file);
            assertEquals("0:0", owner(tree.path(file)), file);
        }
        for (String dir : List.of("/etc", "/etc/sysconfig", "/var", "/var/lib", "/var/lib/xen-irq-policy", "/run",
                "/run/xen-irq-policy", "/run/xen-irq-policy/plan.1")) {
            assertEquals("rwxr-xr-x", mode(tree.path(dir)), dir);
        }
        assertEquals(List.of(), temporaryFiles(root));
    }

    @Test
    void aReplacedFileKeepsItsModeOwnerAndGroupAndTheNewOneIsNeverWider() throws Exception {
        HostTree tree = HostTree.at(tmp).write("/run/xen-irq-policy/plan", "old\n");
        Path plan = tree.path("/run/xen-irq-policy/plan");
        Files.setPosixFilePermissions(plan, PosixFilePermissions.fromString("rw-r-----"));
        Files.setAttribute(plan, "unix:uid", 65534);
        Files.setAttribute(plan, "unix:gid", 65534);

        assertTrue(Host.at(tmp).writeAtomically("/run/xen-irq-policy/plan", "new\n".getBytes(StandardCharsets.US_ASCII), "rw-r--r--"));

        assertEquals("new\n", tree.read("/run/xen-irq-policy/plan"));
        assertEquals("rw-r-----", mode(plan));
        assertEquals("65534:65534", owner(plan));
        assertEquals(List.of(), temporaryFiles(tmp));
    }

    /** A PID that was alive a moment ago and is not now: what a writer killed with -9 leaves. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void aKilledWritersTemporaryFileIsRemovedByTheNextWriteToItsDirectory() throws Exception {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree tree = HostTree.at(root);
        long dead = deadPid();
        Process alive = new ProcessBuilder("sleep", "60").start();
        try {
            List<String> stale = List.of("/etc/sysconfig/.irqbalance.xen-irq-policy." + dead + ".tmp",
                    "/var/lib/xen-irq-policy/.installed.xen-irq-policy." + dead + ".tmp");
            // The plan's new link, made and not yet renamed over the old one (see Host.replaceLink).
            String staleLink = "/run/xen-irq-policy/.plan.xen-irq-policy." + dead + ".tmp";
            List<String> live = List.of("/etc/sysconfig/.irqbalance.xen-irq-policy." + alive.pid() + ".tmp",
                    "/run/xen-irq-policy/.plan.xen-irq-policy." + alive.pid() + ".tmp");
            for (String f : stale) {
                tree.write(f, "half-written");
            }
            for (String f : live) {
                tree.write(f, "being written");
            }
            tree.write("/etc/sysconfig/.irqbalance.other.1.tmp", "not ours");
            Files.createSymbolicLink(tree.path(staleLink), Path.of("plan.7"));

            assertEquals(0, Cli.run("install", "--root", root.toString()).status());
            assertEquals(0, Cli.run("apply", "--root", root.toString()).status());

            for (String f : stale) {
                assertFalse(Files.exists(tree.path(f)), f + " is left by a dead writer");
            }
            assertFalse(Files.exists(tree.path(staleLink), LinkOption.NOFOLLOW_LINKS), staleLink + " is left by a dead writer");
            for (String f : live) {
                assertEquals("being written", tree.read(f), f + " belongs to a running writer");
            }
            assertEquals("not ours", tree.read("/etc/sysconfig/.irqbalance.other.1.tmp"));
        } finally {
            alive.destroy();
        }
    }

    @Test
    void aWriteThatFailsLeavesNoTemporaryFile() throws Exception {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree tree = HostTree.at(root);
        // Longer than the file size limit below: the write of the temporary file fails (EFBIG).
        String big = "# " + "x".repeat(4000) + "\nIRQBALANCE_ARGS=\"\"\n";
        tree.write("/etc/sysconfig/irqbalance", big);

        Cli.Result r = engine("ulimit -f 4", "install", "--root", root.toString());

        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("xen-irq-policy: cannot write "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals(List.of(), temporaryFiles(root));
        assertEquals(big, tree.read("/etc/sysconfig/irqbalance"));
    }

    /** Exit status 2 says nothing was written: no record of an edit not made, an earlier one as it was. */
    @ParameterizedTest
    @ValueSource(strings = {"", "a record written by an older version\n"})
    void anInstallWhoseEditFailsLeavesItsRecordAsItWas(String earlier) throws Exception {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        HostTree tree = HostTree.at(root);
        String big = "# " + "x".repeat(4000) + "\nIRQBALANCE_ARGS=\"\"\n";
        tree.write("/etc/sysconfig/irqbalance", big);
        Path record = tree.path("/var/lib/xen-irq-policy/installed");
        if (!earlier.isEmpty()) {
            tree.write("/var/lib/xen-irq-policy/installed", earlier);
        }

        Cli.Result r = engine("ulimit -f 4", "install", "--root", root.toString());

        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("xen-irq-policy: cannot write ") && r.err().contains("/etc/sysconfig/irqbalance"), r.err());
        assertEquals(earlier.isEmpty() ? null : earlier, Files.exists(record) ? Files.readString(record) : null);
        assertEquals(big, tree.read("/etc/sysconfig/irqbalance"));
    }

    @Test
    void aTemporaryFileNameTakenByALinkIsNotFollowed() throws Exception {
        HostTree tree = HostTree.at(tmp.resolve("root")).write("/etc/sysconfig/irqbalance", "IRQBALANCE_ARGS=\"\"\n");
        Path victim = Files.writeString(tmp.resolve("victim"), "precious\n");
        Files.createSymbolicLink(tree.path("/etc/sysconfig/.irqbalance.xen-irq-policy." + ProcessHandle.current().pid() + ".tmp"),
                victim);

        byte[] content = "IRQBALANCE_ARGS=\"--journal\"\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(Host.at(tree.root()).writeAtomically("/etc/sysconfig/irqbalance", content, "rw-r--r--"));

        assertArrayEquals(content, Files.readAllBytes(tree.path("/etc/sysconfig/irqbalance")));
        assertEquals("precious\n", Files.readString(victim));
        assertEquals(List.of(), temporaryFiles(tree.root()));
    }

    /**
     * deleteTree removes a plan's directory whole, a subdirectory too, links as links: what they
     * point to, inside the root or outside it, stays; nothing there is no error.
     */
    @Test
    void deleteTreeRemovesEverythingUnderItAndNothingALinkPointsTo() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "k\n");
        Path kept = Files.createDirectories(root.resolve("run/kept"));
        Files.writeString(kept.resolve("file"), "f\n");
        Path plan = Files.createDirectories(root.resolve("run/xen-irq-policy/plan.7"));
        for (int i = 0; i < 300; i++) {
            Files.writeString(plan.resolve("irq." + i), i + "\n");
        }
        Files.createDirectories(plan.resolve("sub/empty"));
        Files.writeString(plan.resolve("sub/file"), "s\n");
        Files.createSymbolicLink(plan.resolve("to-outside"), outside);
        Files.createSymbolicLink(plan.resolve("to-kept"), Path.of("/run/kept"));
        Files.createSymbolicLink(plan.resolve("to-file"), outside.resolve("keep"));
        Host host = Host.at(root);
        host.deleteTree("/run/xen-irq-policy/plan.7");
        assertFalse(Files.exists(plan, LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of("keep"), Files.list(outside).map(f -> f.getFileName().toString()).toList());
        assertEquals("k\n", Files.readString(outside.resolve("keep")));
        assertEquals("f\n", Files.readString(kept.resolve("file")));
        assertTrue(Files.isDirectory(root.resolve("run/xen-irq-policy")));
        host.deleteTree("/run/xen-irq-policy/plan.7");
        host.deleteTree("/run/xen-irq-policy/none/deeper");
    }
}
