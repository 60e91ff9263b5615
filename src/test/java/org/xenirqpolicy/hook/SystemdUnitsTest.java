package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.check.Metrics;
import org.xenirqpolicy.contract.Requests;
import org.xenirqpolicy.read.Settings;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.UnitFile;

/**
 * The engine's units: xen-irq-policy.path watches exactly where the hook leaves requests; the
 * service is sandboxed and retried after a crash.
 */
class SystemdUnitsTest {
    private static final Path UNITS = Fixtures.repo().resolve("src/main/systemd");

    @TempDir
    Path tmp;

    private static void requireSystemdAnalyze() {
        if (!Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            if (Fixtures.inCi()) {
                fail("systemd-analyze is not installed (Debian package systemd)");
            }
            Assumptions.abort("systemd-analyze is not installed");
        }
    }

    @Test
    void systemdAnalyzeVerifyFindsNothing() throws Exception {
        Dom0Namespace.requirePrerequisites();
        requireSystemdAnalyze();
        // verify wants ExecStart= to exist: an overlay puts a launcher at /usr/sbin in a private namespace.
        Path upper = Files.createDirectories(tmp.resolve("upper"));
        Files.createDirectories(tmp.resolve("work"));
        Path units = Files.createDirectories(tmp.resolve("units"));
        Files.writeString(upper.resolve("xen-irq-policy"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(upper.resolve("xen-irq-policy"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] all = {"xen-irq-policy.service", "xen-irq-policy.path", "xen-irq-policy-metrics.service", "xen-irq-policy-metrics.timer",
            "xen-irq-policy-adaptive.service", "xen-irq-policy-adaptive.timer"};
        for (String unit : all) {
            Files.copy(UNITS.resolve(unit), units.resolve(unit), StandardCopyOption.REPLACE_EXISTING);
        }
        // The man page comes with the package; --man=no leaves Documentation= to the package's own test.
        String script = "mount -t overlay overlay -o lowerdir=/usr/sbin,upperdir=" + upper + ",workdir=" + tmp.resolve("work")
                + " /usr/sbin && systemd-analyze verify --man=no " + String.join(" ", java.util.Arrays.stream(all).map(u -> units.resolve(u).toString()).toList());
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

    @ParameterizedTest
    @ValueSource(strings = {"xen-irq-policy.service", "xen-irq-policy-metrics.service", "xen-irq-policy-adaptive.service"})
    void theServicesAreSandboxedToAnExposureOfTwoAtMost(String name) throws Exception {
        requireSystemdAnalyze();
        Path unit = Files.copy(UNITS.resolve(name), tmp.resolve(name));
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(60), "systemd-analyze", "security", "--offline=yes",
                "--no-pager", unit.toString());
        Matcher m = Pattern.compile("Overall exposure level for " + Pattern.quote(name) + ": (\\d+\\.\\d+) ").matcher(r.out());
        assertTrue(m.find(), r.out() + r.err());
        double exposure = Double.parseDouble(m.group(1));
        assertTrue(exposure <= 2.0, "exposure " + exposure + ":\n" + r.out());
    }

    @Test
    void theSandboxLeavesTheEngineWhatItNeeds() {
        UnitFile unit = UnitFile.read(UNITS.resolve("xen-irq-policy.service"));
        assertEquals("strict", unit.value("Service.ProtectSystem"));
        // Everything the engine writes, and nothing else; irqbalance's directory may not exist.
        assertEquals(List.of("/proc/irq", "/run/xen-irq-policy", "-/run/irqbalance"), unit.words("Service.ReadWritePaths"));
        // A read-write path that does not exist fails the start: ours is made by the unit itself,
        // also before tmpfiles.d ever ran (the package's first start), and kept for the hook.
        assertEquals(List.of("xen-irq-policy"), unit.words("Service.RuntimeDirectory"));
        assertEquals("yes", unit.value("Service.RuntimeDirectoryPreserve"));
        assertTrue(unit.isSet("Service.CapabilityBoundingSet"), "a bounding set is given");
        assertEquals(List.of(), unit.words("Service.CapabilityBoundingSet"), "root-owned files need no capability");
        // A JIT needs writable and executable memory; ProtectKernelTunables= makes /proc/irq
        // read-only; ProcSubset=pid hides /proc/interrupts and /proc/irq.
        assertEquals(null, unit.value("Service.MemoryDenyWriteExecute"));
        assertEquals(null, unit.value("Service.ProtectKernelTunables"));
        assertEquals(null, unit.value("Service.ProcSubset"));
        assertEquals("0022", unit.value("Service.UMask"));
    }

    @Test
    void aCrashedApplyIsRetriedABoundedNumberOfTimesButBadInputIsNot() {
        UnitFile unit = UnitFile.read(UNITS.resolve("xen-irq-policy.service"));
        assertEquals("oneshot", unit.value("Service.Type"));
        assertEquals("on-failure", unit.value("Service.Restart"));
        // Exit status 2 is bad input (xen-irq-policy(8)): the same typo would fail the same way.
        assertEquals(List.of("2"), unit.words("Service.RestartPreventExitStatus"));
        // The start limit belongs to [Unit]: in [Service] systemd ignores it.
        assertFalse(unit.isSet("Service.StartLimitBurst"));
        assertFalse(unit.isSet("Service.StartLimitIntervalSec"));
        int burst = Integer.parseInt(unit.value("Unit.StartLimitBurst"));
        int window = seconds(unit.value("Unit.StartLimitIntervalSec"));
        int pause = seconds(unit.value("Service.RestartSec"));
        // A JVM that crashes as it starts (a second at most) is tried burst times within the
        // window, then left failed; the hook's requests, one start per irqbalance rescan (10 s at
        // most), never reach the limit.
        assertTrue(burst * (pause + 1) < window, "a crash loop stops: " + burst + " tries, " + pause + " s apart, in " + window + " s");
        assertTrue(window / 10 < burst, "requests never reach the start limit");
        assertTrue(burst <= 10, "a bounded number of tries: " + burst);
    }

    @Test
    void theMetricsServiceWritesOnlyTheTextfileDirectoryItsCommandDefaultsTo() {
        UnitFile unit = UnitFile.read(UNITS.resolve("xen-irq-policy-metrics.service"));
        assertEquals("oneshot", unit.value("Service.Type"));
        assertEquals("/usr/sbin/xen-irq-policy metrics --textfile", unit.value("Service.ExecStart"));
        assertEquals("strict", unit.value("Service.ProtectSystem"));
        // METRICS_DIR's default, and nothing else; "-": a missing one is the command's to report.
        assertEquals(List.of("-" + Settings.DEFAULT_METRICS_DIR), unit.words("Service.ReadWritePaths"));
        assertTrue(unit.isSet("Service.CapabilityBoundingSet"), "a bounding set is given");
        assertEquals(List.of(), unit.words("Service.CapabilityBoundingSet"));
        assertEquals("yes", unit.value("Service.ProtectKernelTunables"), "it writes no /proc/irq");
        assertEquals(null, unit.value("Service.ProcSubset"), "it reads /proc/interrupts and /proc/irq");
        assertEquals(null, unit.value("Service.Restart"), "the timer starts it again within a minute");
        assertFalse(unit.isSet("Install.WantedBy"), "started by its timer only");
        assertEquals("xen_irq_policy.prom", Metrics.TEXTFILE);
    }

    @Test
    void theMetricsTimerRunsEveryMinuteAndIsShippedDisabled() throws Exception {
        UnitFile timer = UnitFile.read(UNITS.resolve("xen-irq-policy-metrics.timer"));
        assertEquals(60, seconds(timer.value("Timer.OnUnitActiveSec")));
        // The first run, also when the timer is started long after boot.
        assertEquals(60, seconds(timer.value("Timer.OnBootSec")));
        // Without it systemd may postpone each run by up to a minute (AccuracySec=1min).
        assertEquals(1, seconds(timer.value("Timer.AccuracySec")));
        assertEquals("xen-irq-policy-metrics.service", timer.value("Timer.Unit"));
        assertEquals(List.of("timers.target"), timer.words("Install.WantedBy"));
        List<String> preset = Files.readAllLines(UNITS.resolve("80-xen-irq-policy.preset")).stream()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        assertEquals(List.of("enable xen-irq-policy.path", "enable xen-irq-policy.service", "disable xen-irq-policy-metrics.timer",
                "disable xen-irq-policy-adaptive.timer"), preset);
    }

    @Test
    void theAdaptiveTimerTicksEveryMinuteForARunThatIsDueAndIsShippedDisabled() {
        UnitFile timer = UnitFile.read(UNITS.resolve("xen-irq-policy-adaptive.timer"));
        assertEquals(60, seconds(timer.value("Timer.OnUnitActiveSec")));
        assertEquals(60, seconds(timer.value("Timer.OnBootSec")));
        assertEquals(1, seconds(timer.value("Timer.AccuracySec")));
        assertEquals("xen-irq-policy-adaptive.service", timer.value("Timer.Unit"));
        assertEquals(List.of("timers.target"), timer.words("Install.WantedBy"));
        UnitFile unit = UnitFile.read(UNITS.resolve("xen-irq-policy-adaptive.service"));
        assertEquals("oneshot", unit.value("Service.Type"));
        // The interval is ADAPTIVE_INTERVAL_MINUTES, which only the command reads.
        assertEquals("/usr/sbin/xen-irq-policy adapt --if-due", unit.value("Service.ExecStart"));
        assertEquals(null, unit.value("Service.Restart"), "the timer's next tick is the retry");
        assertFalse(unit.isSet("Install.WantedBy"), "started by its timer only");
        // The sandbox of the apply service, which writes the same files.
        UnitFile apply = UnitFile.read(UNITS.resolve("xen-irq-policy.service"));
        for (String key : List.of("ProtectSystem", "ReadWritePaths", "RuntimeDirectory", "RuntimeDirectoryPreserve",
                "CapabilityBoundingSet", "NoNewPrivileges", "UMask", "PrivateNetwork", "SystemCallFilter", "ProtectProc")) {
            assertEquals(apply.words("Service." + key), unit.words("Service." + key), key);
        }
    }

    /** A systemd time span as the units write it: seconds, with an optional s or min. */
    private static int seconds(String span) {
        Matcher m = Pattern.compile("(\\d+)(s|min)?").matcher(span);
        assertTrue(m.matches(), span);
        return Integer.parseInt(m.group(1)) * ("min".equals(m.group(2)) ? 60 : 1);
    }
}
