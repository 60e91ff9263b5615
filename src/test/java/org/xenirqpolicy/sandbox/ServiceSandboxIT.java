package org.xenirqpolicy.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;
import org.xenirqpolicy.testing.UnitFile;

/**
 * The packaged program as xen-irq-policy.service starts it: the launcher (rpm/xen-irq-policy.sh)
 * at /usr/sbin/xen-irq-policy and what `mvn package` made in target/ (the jlink runtime, the jar,
 * jvm.args, the AOT cache) at /usr/lib/xen-irq-policy, laid over the real directories in a
 * private mount namespace, then the unit's ExecStart= in the unit's sandbox (Dom0Namespace#inService)
 * on a simulated dom0.
 */
class ServiceSandboxIT {
    private static final String VERSION = System.getProperty("project.version", "0.1.0");
    private static final Path TARGET = Fixtures.repo().resolve("target");
    private static final UnitFile UNIT = UnitFile.read(Fixtures.repo().resolve("src/main/systemd/xen-irq-policy.service"));
    private static final SyntheticDom0 DOM0 = SyntheticDom0.FORTY_GUESTS;

    @TempDir
    Path tmp;
    Path tree;

    @BeforeAll
    static void prerequisites() {
        Dom0Namespace.requirePrerequisites();
        for (String built : List.of("runtime/bin/java", "jvm.args", "xen-irq-policy.jar", "xen-irq-policy.aot")) {
            if (!Files.exists(TARGET.resolve(built))) {
                fail(TARGET.resolve(built) + " is missing: run 'mvn verify' (without -DskipRpm)");
            }
        }
    }

    @BeforeEach
    void dom0() {
        tree = tmp.resolve("dom0");
        DOM0.layOut(HostTree.at(tree));
        HostTree.at(tree).write("/run/irqbalance/.keep", "").write("/run/xen-irq-policy/.keep", "");
    }

    /** {@code command} in the service's sandbox, with the package's files where it installs them. */
    private Dom0Namespace.Result inInstalledService(String... command) throws IOException {
        Path sbin = Files.createDirectories(tmp.resolve("sbin"));
        Path launcher = Files.copy(Fixtures.repo().resolve("rpm/xen-irq-policy.sh"), sbin.resolve("xen-irq-policy"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(tmp.resolve("lib/xen-irq-policy"));
        Files.createDirectories(tmp.resolve("sbin-work"));
        Files.createDirectories(tmp.resolve("lib-work"));
        String install = "mount -t overlay overlay -o lowerdir=/usr/sbin,upperdir=" + sbin + ",workdir=" + tmp.resolve("sbin-work")
                + " /usr/sbin && mount -t overlay overlay -o lowerdir=/usr/lib,upperdir=" + tmp.resolve("lib") + ",workdir="
                + tmp.resolve("lib-work") + " /usr/lib && mount --bind " + TARGET + " /usr/lib/xen-irq-policy && exec \"$@\"";
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", install, "sh"));
        cmd.addAll(Dom0Namespace.inService(tree, UNIT, command));
        return Dom0Namespace.run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
    }

    @Test
    void theInstalledLauncherAppliesInTheSandbox() throws IOException {
        Dom0Namespace.Result r = inInstalledService(UNIT.words("Service.ExecStart").toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("", r.err());
        assertTrue(r.out().endsWith("plan saved in /run/xen-irq-policy/plan\n"), r.out());
        Plan plan = PlanFile.parse(HostTree.at(tree).read("/run/xen-irq-policy/plan/all")).orElseThrow();
        assertEquals(DOM0.eventChannelTraffic().keySet(), new TreeSet<>(plan.placements().stream().map(Placement::irq).toList()));
        for (Placement p : plan.placements()) {
            assertEquals(p.cpu() + "\n", HostTree.at(tree).read("/proc/irq/" + p.irq() + "/smp_affinity_list"), p.toString());
        }
    }

    @Test
    void theLaunchersJvmUsesItsAotCacheInTheSandbox() throws IOException {
        // The launcher's own command line, with AOTMode=on: an error if the JVM would not use the cache.
        String aot = "set -- $(sh -x /usr/sbin/xen-irq-policy --version 2>&1 >/dev/null | sed -n 's/^+ exec //p'); "
                + "java=$1; shift; exec \"$java\" -XX:AOTMode=on \"$@\"";
        Dom0Namespace.Result r = inInstalledService("sh", "-c", aot);
        assertEquals(new Dom0Namespace.Result(0, "xen-irq-policy " + VERSION + "\n", ""), r);
    }
}
