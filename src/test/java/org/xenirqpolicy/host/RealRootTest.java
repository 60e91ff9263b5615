package org.xenirqpolicy.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;

/**
 * install and uninstall on the real {@code /}, without --root, where the kernel resolves paths: in
 * a private mount namespace whose /etc and /var/lib are overlays on the real ones, so that what
 * the commands write lands in this test's directories and the host is never touched.
 */
class RealRootTest {
    @TempDir
    Path tmp;
    /** What the commands wrote to /etc and /var/lib: the overlays' upper directories. */
    Path etc;
    Path varLib;

    @BeforeEach
    void overlays() throws IOException {
        List<String> missing = new ArrayList<>();
        if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
            missing.add("root");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            missing.add("/usr/bin/unshare (util-linux)");
        }
        if (!missing.isEmpty()) {
            if (Fixtures.inCi()) {
                fail("needs " + String.join(", ", missing));
            }
            Assumptions.abort("needs " + String.join(", ", missing));
        }
        etc = Files.createDirectories(tmp.resolve("etc"));
        varLib = Files.createDirectories(tmp.resolve("var-lib"));
        Files.createDirectories(tmp.resolve("etc-work"));
        Files.createDirectories(tmp.resolve("var-lib-work"));
    }

    private Dom0Namespace.Result onRealRoot(String command) {
        String setUp = "mount -t overlay xen-irq-policy-test -o lowerdir=/etc,upperdir=" + etc + ",workdir=" + tmp.resolve("etc-work")
                + " /etc && mount -t overlay xen-irq-policy-test -o lowerdir=/var/lib,upperdir=" + varLib + ",workdir="
                + tmp.resolve("var-lib-work") + " /var/lib && mount -t tmpfs -o mode=0755 xen-irq-policy-test /run";
        return Dom0Namespace.run(Duration.ofSeconds(60), "unshare", "--mount", "--propagation", "private", "sh", "-c",
                setUp + " && exec \"$@\"", "sh", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                "org.xenirqpolicy.cli.Main", command);
    }

    @Test
    void aMaskedSysconfigFileIsRefusedOnTheRealRoot() throws IOException {
        Files.createDirectories(etc.resolve("sysconfig"));
        Files.createSymbolicLink(etc.resolve("sysconfig/irqbalance"), Path.of("/dev/null"));

        Dom0Namespace.Result r = onRealRoot("install");

        assertEquals(new Dom0Namespace.Result(2, "",
                "xen-irq-policy: /etc/sysconfig/irqbalance is a link to /dev/null (masked); left unchanged\n"), r);
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(etc.resolve("sysconfig/irqbalance")));
        assertFalse(Files.exists(varLib.resolve("xen-irq-policy")), "nothing written, not even the install state");
    }

    @Test
    void aLinkedSysconfigFileIsEditedAtItsTargetOnTheRealRoot() throws IOException {
        String original = "# kept by configuration management\nIRQBALANCE_ARGS=\"--journal\"\n";
        Path target = Files.createDirectories(etc.resolve("cm")).resolve("irqbalance");
        Files.writeString(target, original, StandardCharsets.ISO_8859_1);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
        Files.createDirectories(etc.resolve("sysconfig"));
        Path link = etc.resolve("sysconfig/irqbalance");
        Files.createSymbolicLink(link, Path.of("../cm/irqbalance"));

        Dom0Namespace.Result install = onRealRoot("install");

        assertEquals(new Dom0Namespace.Result(0, "/etc/sysconfig/irqbalance (a link to /etc/cm/irqbalance): added"
                + " --policyscript=/usr/libexec/irqbalance/xen-irq-policy to IRQBALANCE_ARGS\n", ""), install);
        assertEquals(Path.of("../cm/irqbalance"), Files.readSymbolicLink(link));
        assertEquals("# kept by configuration management\nIRQBALANCE_ARGS=\"--journal"
                + " --policyscript=/usr/libexec/irqbalance/xen-irq-policy\"\n", Files.readString(target, StandardCharsets.ISO_8859_1));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                varLib.resolve("xen-irq-policy/installed"), LinkOption.NOFOLLOW_LINKS)));

        Dom0Namespace.Result uninstall = onRealRoot("uninstall");

        assertEquals(0, uninstall.status(), uninstall.err());
        assertEquals(Path.of("../cm/irqbalance"), Files.readSymbolicLink(link));
        assertEquals(original, Files.readString(target, StandardCharsets.ISO_8859_1));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        try (var names = Files.list(etc.resolve("cm"))) {
            assertEquals(List.of(target), names.toList(), "no temporary file left beside the target");
        }
        try (var names = Files.list(varLib.resolve("xen-irq-policy"))) {
            assertEquals(List.of(varLib.resolve("xen-irq-policy/hook-opted-out")), names.toList(),
                    "install's record gone, the opt-out recorded in its place");
        }
        assertTrue(Files.readString(varLib.resolve("xen-irq-policy/hook-opted-out"), StandardCharsets.ISO_8859_1)
                .matches("uninstall [0-9-]{10}T[0-9:]{8}Z\n"));
    }
}
