package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.apply.Requests;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;

/** The engine's trigger: xen-irq-policy.path watches exactly where the hook leaves requests. */
class SystemdUnitsTest {
    private static final Path UNITS = Fixtures.repo().resolve("src/main/systemd");

    @TempDir
    Path tmp;

    @Test
    void systemdAnalyzeVerifyFindsNothing() throws Exception {
        Dom0Namespace.requirePrerequisites();
        if (!Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            if (Fixtures.inCi()) {
                fail("systemd-analyze is not installed (Debian package systemd)");
            }
            Assumptions.abort("systemd-analyze is not installed");
        }
        // verify wants ExecStart= to exist: an overlay puts a launcher at /usr/sbin in a private namespace.
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(tmp.resolve("work"));
        Path units = Files.createDirectories(tmp.resolve("units"));
        Files.writeString(upper.resolve("xen-irq-policy"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(upper.resolve("xen-irq-policy"), PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String unit : new String[] {"xen-irq-policy.service", "xen-irq-policy.path"}) {
            Files.copy(UNITS.resolve(unit), units.resolve(unit), StandardCopyOption.REPLACE_EXISTING);
        }
        // The man page comes with the package; --man=no leaves Documentation= to the package's own test.
        String script = "mount -t overlay overlay -o lowerdir=/usr/sbin,upperdir=" + upper + ",workdir=" + tmp.resolve("work")
                + " /usr/sbin && systemd-analyze verify --man=no " + units.resolve("xen-irq-policy.service") + " "
                + units.resolve("xen-irq-policy.path");
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(60), "unshare", "--mount", "--propagation",
                "private", "sh", "-c", script);
        assertEquals(new Dom0Namespace.Result(0, "", ""), r);
    }

    @Test
    void thePathUnitWatchesWhereTheHookAndTheEngineAgree() throws Exception {
        String path = Files.readString(UNITS.resolve("xen-irq-policy.path"));
        assertTrue(path.contains("\nPathExistsGlob=" + Requests.SANDBOXED_DIR + "/" + Requests.SANDBOXED_PREFIX + "*\n"), path);
        assertTrue(path.contains("\nPathExistsGlob=" + Requests.OWN_DIR + "/" + Requests.OWN_PREFIX + "*\n"), path);
        String hook = Files.readString(Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook"));
        assertTrue(hook.contains("\"$root" + Requests.SANDBOXED_DIR + "/" + Requests.SANDBOXED_PREFIX + "$irq\""), "hook writes where the unit looks");
        assertTrue(hook.contains("\"$root" + Requests.OWN_DIR + "/" + Requests.OWN_PREFIX + "$irq\""), "hook writes where the unit looks");
        String service = Files.readString(UNITS.resolve("xen-irq-policy.service"));
        assertTrue(service.contains("\nExecStart=/usr/sbin/xen-irq-policy apply\n"), service);
        assertTrue(service.contains("\nBefore=irqbalance.service\n"), service);
    }
}
