package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.check.LastApply;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/**
 * xen-irq-policy check on trees: all well after install and apply with irqbalance running the
 * hook, then each thing that can be off, one at a time, named on its own FAIL line.
 */
class CheckTest {
    private static final String HOOK = "/usr/libexec/irqbalance/xen-irq-policy";
    private static final String OPTED_OUT = "/var/lib/xen-irq-policy/hook-opted-out";
    private static final String LAST_APPLY = "ok   last-apply: the last apply, at TIME, succeeded\n";
    // What the opted-out host's checks say once the opt-out no longer holds (removed, or the hook back).
    private static final String HOOK_NOT_RUNNING = "FAIL hook-running: irqbalance (PID 4242) runs with no policy script: it was"
            + " started before IRQBALANCE_ARGS named the hook; restart it (systemctl restart irqbalance)";
    private static final String SELINUX_BLOCKS_THE_HOOK = "FAIL selinux: SELinux enforces and irqbalance_run_unconfined is off,"
            + " so irqbalance cannot run the hook: setsebool -P irqbalance_run_unconfined on";
    private static final String ONE_MISPLACED = "FAIL placement: 1 of 8 event-channel IRQs are not on their planned CPU:"
            + " 241 vif26.0-q0-tx on 3, planned 0";

    @TempDir
    Path tmp;

    /** The sample dom0 after install and apply, with an irqbalance (PID 4242) running the hook. */
    private HostTree allWell() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        assertEquals(0, Cli.run("install", "--root", root.toString()).status());
        Cli.Result apply = Cli.run("apply", "--root", root.toString());
        assertEquals(0, apply.status(), apply.err());
        return irqbalance(HostTree.at(root), 4242, "irqbalance", "/usr/sbin/irqbalance", "--foreground", "--policyscript=" + HOOK);
    }

    /** A process as /proc shows it: its name, and its arguments each ended by a NUL. */
    private static HostTree irqbalance(HostTree t, int pid, String comm, String... argv) {
        return t.write("/proc/" + pid + "/comm", comm + "\n").write("/proc/" + pid + "/cmdline", String.join("\0", argv) + "\0");
    }

    private static Cli.Result check(HostTree t, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "check";
        args[1] = "--root";
        args[2] = t.root().toString();
        System.arraycopy(more, 0, args, 3, more.length);
        return Cli.run(args);
    }

    /** The output with the time of the last apply, which the test cannot know to the second, as TIME. */
    private static String withoutTime(String out) {
        return out.replaceAll("(last apply, at )[0-9T:Z-]+(, )", "$1TIME$2");
    }

    /** Asserts exit status 1, nothing on stderr, and that {@code failed} are exactly the FAIL lines. */
    private static void failsOnly(Cli.Result r, String... failed) {
        assertEquals(1, r.status(), r.out() + r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().filter(l -> l.startsWith("FAIL ")).toList();
        assertEquals(List.of(failed), lines, r.out());
        List<String> names = lines.stream().map(l -> l.substring(5, l.indexOf(':'))).toList();
        assertTrue(r.out().endsWith(failed.length + " of 8 checks failed: " + String.join(", ", names) + "\n"), r.out());
    }

    @Test
    void allIsWellAfterInstallAndApplyWithIrqbalanceRunningTheHook() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        HostTree t = allWell();
        Instant after = Instant.now();
        Cli.Result r = check(t);
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("", r.err());
        assertEquals("ok   hook-configured: /etc/sysconfig/irqbalance passes irqbalance --policyscript=" + HOOK + " as systemd reads it\n"
                + "ok   hook-running: irqbalance (PID 4242) runs " + HOOK + "\n"
                + "ok   irqbalance-active: irqbalance is running (PID 4242)\n"
                + "ok   selinux: not enforcing: SELinux is not enabled\n"
                + LAST_APPLY
                + "ok   plan-fresh: the applied plan is for CPUs 0-3, the usable CPUs now\n"
                + "ok   placement: all 8 event-channel IRQs are on their planned CPUs\n"
                + "ok   requests: no request from the hook is waiting\n"
                + "all 8 checks passed\n", withoutTime(r.out()));
        LastApply last = LastApply.parse(t.read(LastApply.PATH)).orElseThrow();
        assertEquals(0, last.exitStatus());
        assertFalse(last.time().isBefore(before) || last.time().isAfter(after), last.toString());
        assertTrue(r.out().contains("last apply, at " + last.time() + ", succeeded"), r.out());
    }

    @Test
    void aFreshTreeFailsEveryCheckThatNeedsInstallApplyOrIrqbalance() {
        HostTree t = HostTree.at(Cli.sampleDom0(tmp.resolve("root")));
        failsOnly(check(t),
                "FAIL hook-configured: /etc/sysconfig/irqbalance does not exist, so irqbalance runs no policy script",
                "FAIL hook-running: no irqbalance process is running, so none runs " + HOOK,
                "FAIL irqbalance-active: no irqbalance process is running",
                "FAIL last-apply: no apply since boot (/run/xen-irq-policy/last-apply does not exist)",
                "FAIL plan-fresh: no applied plan in /run/xen-irq-policy/plan: run 'xen-irq-policy apply'",
                "FAIL placement: no applied plan to check the event channels against");
    }

    @Test
    void jsonHasAVersionTheVerdictAndEveryCheck() {
        HostTree t = allWell();
        t.write("/sys/fs/selinux/enforce", "1").write("/sys/fs/selinux/booleans/irqbalance_run_unconfined", "0 0");
        Cli.Result r = check(t, "--format", "json");
        assertEquals(1, r.status(), r.err());
        String lastApply = LastApply.parse(t.read(LastApply.PATH)).orElseThrow().time().toString();
        assertEquals("{\"version\":1,\"ok\":false,\"checks\":["
                + "{\"name\":\"hook-configured\",\"ok\":true,\"detail\":\"/etc/sysconfig/irqbalance passes irqbalance --policyscript=" + HOOK + " as systemd reads it\"},"
                + "{\"name\":\"hook-running\",\"ok\":true,\"detail\":\"irqbalance (PID 4242) runs " + HOOK + "\"},"
                + "{\"name\":\"irqbalance-active\",\"ok\":true,\"detail\":\"irqbalance is running (PID 4242)\"},"
                + "{\"name\":\"selinux\",\"ok\":false,\"detail\":\"SELinux enforces and irqbalance_run_unconfined is off, so irqbalance cannot run the hook: setsebool -P irqbalance_run_unconfined on\"},"
                + "{\"name\":\"last-apply\",\"ok\":true,\"detail\":\"the last apply, at " + lastApply + ", succeeded\"},"
                + "{\"name\":\"plan-fresh\",\"ok\":true,\"detail\":\"the applied plan is for CPUs 0-3, the usable CPUs now\"},"
                + "{\"name\":\"placement\",\"ok\":true,\"detail\":\"all 8 event-channel IRQs are on their planned CPUs\"},"
                + "{\"name\":\"requests\",\"ok\":true,\"detail\":\"no request from the hook is waiting\"}]}\n", r.out());
    }

    @Test
    void anotherPolicyScriptInTheSysconfigFileFailsHookConfigured() {
        HostTree t = allWell();
        t.write("/etc/sysconfig/irqbalance", "IRQBALANCE_ARGS=\"--policyscript=/usr/local/bin/other\"\n");
        failsOnly(check(t), "FAIL hook-configured: /etc/sysconfig/irqbalance:1: systemd passes irqbalance the policy script"
                + " '/usr/local/bin/other', not " + HOOK);
    }

    @Test
    void anArgumentShReadsButSystemdDoesNotFailsHookConfigured() {
        HostTree t = allWell();
        // sh drops the comment; systemd's EnvironmentFile= keeps its '#' in the value, joined to
        // the path, so irqbalance gets a script that does not exist.
        t.write("/etc/sysconfig/irqbalance", "IRQBALANCE_ARGS=\"--policyscript=" + HOOK + "\" # ours\n");
        failsOnly(check(t), "FAIL hook-configured: /etc/sysconfig/irqbalance:1: systemd passes irqbalance the policy script '"
                + HOOK + "#', not " + HOOK);
    }

    @Test
    void aPolicyDirectoryHoldingOurLinkCountsAsWired() throws IOException {
        HostTree t = allWell();
        t.write("/etc/sysconfig/irqbalance", "IRQBALANCE_ARGS=\"-l /etc/irqbalance.d\"\n");
        Files.createDirectories(t.path("/etc/irqbalance.d"));
        irqbalance(t, 4242, "irqbalance", "/usr/sbin/irqbalance", "-l", "/etc/irqbalance.d");
        failsOnly(check(t),
                "FAIL hook-configured: /etc/sysconfig/irqbalance:1: systemd passes irqbalance the policy script '/etc/irqbalance.d', not " + HOOK,
                "FAIL hook-running: irqbalance (PID 4242) runs the policy script '/etc/irqbalance.d', not " + HOOK);
        Files.createSymbolicLink(t.path("/etc/irqbalance.d/xen-irq-policy"), Path.of(HOOK));
        Cli.Result r = check(t);
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().startsWith("ok   hook-configured: /etc/sysconfig/irqbalance passes irqbalance the policy directory"
                + " /etc/irqbalance.d, which holds our link xen-irq-policy -> " + HOOK + "\n"
                + "ok   hook-running: irqbalance (PID 4242) runs the policy directory /etc/irqbalance.d\n"), r.out());
    }

    @Test
    void irqbalanceStartedBeforeTheEditFailsHookRunning() {
        HostTree t = irqbalance(allWell(), 4242, "irqbalance", "/usr/sbin/irqbalance", "--foreground");
        failsOnly(check(t), "FAIL hook-running: irqbalance (PID 4242) runs with no policy script: it was started before"
                + " IRQBALANCE_ARGS named the hook; restart it (systemctl restart irqbalance)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--policyscript=" + HOOK, "--policyscript\0" + HOOK, "-l\0" + HOOK, "-l" + HOOK})
    void everyFormIrqbalanceAcceptsForItsPolicyScriptIsRead(String args) {
        HostTree t = allWell();
        t.write("/proc/4242/cmdline", "/usr/sbin/irqbalance\0--foreground\0" + args + "\0");
        Cli.Result r = check(t);
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("ok   hook-running: irqbalance (PID 4242) runs " + HOOK + "\n"), r.out());
    }

    @Test
    void irqbalanceIsFoundByItsProgramPathWhateverItsName() {
        HostTree t = irqbalance(allWell(), 4242, "kworker/0:1", "kworker");
        irqbalance(t, 977, "ib-renamed", "/usr/sbin/irqbalance", "--policyscript=" + HOOK);
        Cli.Result r = check(t);
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("ok   irqbalance-active: irqbalance is running (PID 977)\n"), r.out());
    }

    @Test
    void noIrqbalanceProcessFailsIrqbalanceActiveAndHookRunning() throws IOException {
        HostTree t = allWell();
        Files.delete(t.path("/proc/4242/comm"));
        Files.delete(t.path("/proc/4242/cmdline"));
        Files.delete(t.path("/proc/4242"));
        failsOnly(check(t),
                "FAIL hook-running: no irqbalance process is running, so none runs " + HOOK,
                "FAIL irqbalance-active: no irqbalance process is running");
    }

    @Test
    void selinuxEnforcingWithTheBooleanOffFailsAndOnOrPermissivePasses() {
        HostTree t = allWell();
        t.write("/sys/fs/selinux/enforce", "1").write("/sys/fs/selinux/booleans/irqbalance_run_unconfined", "0 1");
        failsOnly(check(t), "FAIL selinux: SELinux enforces and irqbalance_run_unconfined is off, so irqbalance cannot run the hook:"
                + " setsebool -P irqbalance_run_unconfined on");
        t.write("/sys/fs/selinux/booleans/irqbalance_run_unconfined", "1 1");
        Cli.Result on = check(t);
        assertEquals(0, on.status(), on.out());
        assertTrue(on.out().contains("ok   selinux: SELinux enforces and irqbalance_run_unconfined is on\n"), on.out());
        t.write("/sys/fs/selinux/enforce", "0").write("/sys/fs/selinux/booleans/irqbalance_run_unconfined", "0 0");
        Cli.Result permissive = check(t);
        assertEquals(0, permissive.status(), permissive.out());
        assertTrue(permissive.out().contains("ok   selinux: not enforcing: SELinux is permissive\n"), permissive.out());
    }

    @Test
    void selinuxEnforcingWithoutTheBooleanFails() {
        HostTree t = allWell();
        t.write("/sys/fs/selinux/enforce", "1\n");
        failsOnly(check(t), "FAIL selinux: SELinux enforces and its policy has no boolean irqbalance_run_unconfined,"
                + " so irqbalance may not run the hook");
    }

    @Test
    void noRecordOfAnApplyFailsLastApply() throws IOException {
        HostTree t = allWell();
        Files.delete(t.path(LastApply.PATH));
        failsOnly(check(t), "FAIL last-apply: no apply since boot (/run/xen-irq-policy/last-apply does not exist)");
    }

    @Test
    void aFailedLastApplyFailsLastApply() {
        HostTree t = allWell();
        t.write(LastApply.PATH, "exit=1 time=2026-12-01T10:00:00Z\n");
        failsOnly(check(t), "FAIL last-apply: the last apply, at 2026-12-01T10:00:00Z, exited with status 1:"
                + " see journalctl -u xen-irq-policy.service");
        t.write(LastApply.PATH, "garbage\n");
        failsOnly(check(t), "FAIL last-apply: /run/xen-irq-policy/last-apply is not a record of an apply: 'garbage\\n'");
    }

    @Test
    void anApplyThatCouldNotPlaceAnIrqIsReportedAsTheLastApplyFailing() throws IOException {
        HostTree t = allWell();
        // A directory where the attribute should be: the write fails as the kernel's EIO would.
        Files.delete(t.path("/proc/irq/243/smp_affinity_list"));
        Files.createDirectory(t.path("/proc/irq/243/smp_affinity_list"));
        Cli.Result apply = Cli.run("apply", "--rebalance", "--strategy", "modulo", "--root", t.root().toString());
        assertEquals(1, apply.status(), apply.out() + apply.err());
        LastApply last = LastApply.parse(t.read(LastApply.PATH)).orElseThrow();
        assertEquals(1, last.exitStatus());
        Cli.Result r = check(t);
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("\nFAIL last-apply: the last apply, at " + last.time() + ", exited with status 1:"
                + " see journalctl -u xen-irq-policy.service\n"), r.out());
    }

    /**
     * The record is that of the last apply that changed something: one that changes nothing and
     * ends as recorded writes nothing, one that moves an IRQ leaves its own time and duration.
     * A record without a duration (release 0.1.0) still reads.
     */
    @Test
    void anApplyThatChangesSomethingRecordsItselfOneThatChangesNothingLeavesTheRecord() {
        HostTree t = allWell();
        String old = "exit=0 time=2026-12-01T10:00:00Z\n";
        t.write(LastApply.PATH, old);
        assertTrue(check(t).out().contains("ok   last-apply: the last apply, at 2026-12-01T10:00:00Z, succeeded\n"));
        Cli.Result nothing = Cli.run("apply", "--root", t.root().toString());
        assertEquals(0, nothing.status(), nothing.err());
        assertTrue(nothing.out().startsWith("nothing to change"), nothing.out());
        assertEquals(old, t.read(LastApply.PATH));
        t.write("/proc/irq/247/smp_affinity_list", "0\n");
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Cli.Result moved = Cli.run("apply", "--root", t.root().toString());
        assertEquals(0, moved.status(), moved.err());
        LastApply last = LastApply.parse(t.read(LastApply.PATH)).orElseThrow();
        assertEquals(0, last.exitStatus());
        assertFalse(last.time().isBefore(before), last.toString());
        assertTrue(last.duration().orElseThrow().toMillis() > 0 && last.duration().get().toSeconds() < 60, last.toString());
    }

    @Test
    void applyRecordsItsExitStatusButADryRunDoesNot() throws IOException {
        HostTree t = allWell();
        t.write(LastApply.PATH, "exit=1 time=2026-12-01T10:00:00Z\n");
        Cli.Result dry = Cli.run("apply", "--dry-run", "--root", t.root().toString());
        assertEquals(0, dry.status(), dry.err());
        assertEquals("exit=1 time=2026-12-01T10:00:00Z\n", t.read(LastApply.PATH));
        Cli.Result apply = Cli.run("apply", "--root", t.root().toString());
        assertEquals(0, apply.status(), apply.err());
        assertTrue(t.read(LastApply.PATH).matches("exit=0 time=[0-9-]+T[0-9:]+Z duration=[0-9]+\\.[0-9]{3}\n"), t.read(LastApply.PATH));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.path(LastApply.PATH))));
    }

    @Test
    void aCpuBannedAfterTheApplyMakesThePlanStale() {
        HostTree t = allWell();
        t.write("/etc/sysconfig/irqbalance", t.read("/etc/sysconfig/irqbalance") + "IRQBALANCE_BANNED_CPULIST=3\n");
        failsOnly(check(t), "FAIL plan-fresh: the applied plan was made for CPUs 0-3, usable now 0-2: run 'xen-irq-policy apply'");
    }

    @Test
    void noAppliedPlanFailsPlanFreshAndPlacement() throws IOException {
        HostTree t = allWell();
        Files.delete(t.path("/run/xen-irq-policy/plan"));
        failsOnly(check(t),
                "FAIL plan-fresh: no applied plan in /run/xen-irq-policy/plan: run 'xen-irq-policy apply'",
                "FAIL placement: no applied plan to check the event channels against");
    }

    @Test
    void aPlanFileThatIsNotAPlanFailsPlanFreshAndPlacement() throws IOException {
        // The applied plan's whole-plan file cut short; then an older release's single plan file.
        HostTree t = allWell();
        t.write("/run/xen-irq-policy/plan/all", "xen-irq-policy-plan 4\ngeneration 1\nbase 1\nstrategy spread\n");
        failsOnly(check(t),
                "FAIL plan-fresh: /run/xen-irq-policy/plan is not a plan this version can read: run 'xen-irq-policy apply'",
                "FAIL placement: no applied plan to check the event channels against");
        Files.delete(t.path("/run/xen-irq-policy/plan"));
        t.write("/run/xen-irq-policy/plan", "xen-irq-policy-plan 2\nstrategy spread\nusable 0-3\nend 0\n");
        failsOnly(check(t),
                "FAIL plan-fresh: /run/xen-irq-policy/plan is not a plan this version can read: run 'xen-irq-policy apply'",
                "FAIL placement: no applied plan to check the event channels against");
    }

    @Test
    void badSettingsFailThePlanChecksWithTheRefusalApplyWouldGive() {
        HostTree t = allWell();
        t.write("/etc/sysconfig/xen-irq-policy", "STRATEGY=sideways\n");
        Cli.Result apply = Cli.run("apply", "--dry-run", "--root", t.root().toString());
        assertEquals(2, apply.status());
        String refusal = apply.err().strip().replaceFirst("^xen-irq-policy: ", "");
        failsOnly(check(t), "FAIL plan-fresh: " + refusal, "FAIL placement: " + refusal);
    }

    @Test
    void anIrqMovedOffItsPlannedCpuFailsPlacement() {
        HostTree t = allWell();
        t.irq(241, CpuSet.of(3)).irq(248, CpuSet.of(0, 1));
        failsOnly(check(t), "FAIL placement: 2 of 8 event-channel IRQs are not on their planned CPU:"
                + " 241 vif26.0-q0-tx on 3, planned 0; 248 vif26.1-q1-rx on 0-1, planned 3");
    }

    @Test
    void aRequestWaitingMoreThanAMinuteFailsRequests() throws IOException {
        HostTree t = allWell();
        Instant now = Instant.now();
        t.write("/run/xen-irq-policy/request.250", "");
        Files.setLastModifiedTime(t.path("/run/xen-irq-policy/request.250"), FileTime.from(now.minusSeconds(5)));
        Cli.Result waiting = check(t);
        assertEquals(0, waiting.status(), waiting.out());
        assertTrue(waiting.out().matches("(?s).*\nok   requests: 1 request\\(s\\) from the hook waiting, the oldest for [5-9] s\n.*"),
                waiting.out());
        t.write("/run/irqbalance/xen-irq-policy-request.249", "");
        Files.setLastModifiedTime(t.path("/run/irqbalance/xen-irq-policy-request.249"), FileTime.from(now.minusSeconds(125)));
        Cli.Result r = check(t);
        failsOnly(r, r.out().lines().filter(l -> l.startsWith("FAIL ")).findFirst().orElse("none"));
        assertTrue(r.out().matches("(?s).*\nFAIL requests: 1 request\\(s\\) from the hook waited more than 60 s, the oldest"
                + " /run/irqbalance/xen-irq-policy-request\\.249 for 12[5-9] s: is xen-irq-policy\\.path active\\?\n.*"), r.out());
    }

    @Test
    void checkWritesNothing() {
        HostTree t = allWell();
        t.irq(241, CpuSet.of(3));
        Map<String, String> before = t.files();
        check(t);
        check(t, "--format", "json");
        assertEquals(before, t.files());
    }

    @Test
    void aBadFormatIsBadUsage() {
        HostTree t = allWell();
        Cli.Result r = check(t, "--format", "xml");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("xen-irq-policy: Invalid value for option '--format': expected one of [text, json]"), r.err());
    }

    /**
     * The sample dom0 after install, apply and uninstall, irqbalance restarted without the hook
     * (SELinux enforcing with the boolean off, an IRQ moved by irqbalance): the opt-out recorded.
     */
    private HostTree optedOut() {
        HostTree t = allWell();
        Cli.Result uninstall = Cli.run("uninstall", "--root", t.root().toString());
        assertEquals(0, uninstall.status(), uninstall.err());
        t.write("/sys/fs/selinux/enforce", "1").write("/sys/fs/selinux/booleans/irqbalance_run_unconfined", "0 0");
        t.irq(241, CpuSet.of(3));
        return irqbalance(t, 4242, "irqbalance", "/usr/sbin/irqbalance", "--foreground");
    }

    /** What a check honouring the opt-out says, with the time of the record in {@code t}. */
    private static String removedAt(HostTree t) {
        return "the hook was removed by 'xen-irq-policy uninstall' at " + t.read(OPTED_OUT).substring("uninstall ".length()).strip()
                + " ('xen-irq-policy install' puts it back)";
    }

    @Test
    void afterUninstallTheChecksOfTheHookPassNamingTheOptOut() {
        HostTree t = optedOut();
        assertTrue(t.read(OPTED_OUT).matches("uninstall [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n"), t.read(OPTED_OUT));
        Cli.Result r = check(t);
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("", r.err());
        assertEquals("ok   hook-configured: " + removedAt(t) + "\n"
                + "ok   hook-running: " + removedAt(t) + "\n"
                + "ok   irqbalance-active: irqbalance is running (PID 4242)\n"
                + "ok   selinux: " + removedAt(t) + "\n"
                + LAST_APPLY
                + "ok   plan-fresh: the applied plan is for CPUs 0-3, the usable CPUs now\n"
                + "ok   placement: " + removedAt(t) + ": irqbalance places the event channels, not the plan\n"
                + "ok   requests: no request from the hook is waiting\n"
                + "all 8 checks passed\n", withoutTime(r.out()));
    }

    @Test
    void withoutTheOptOutTheSameHostFailsAsBefore() throws IOException {
        HostTree t = optedOut();
        Files.delete(t.path(OPTED_OUT));
        failsOnly(check(t),
                "FAIL hook-configured: /etc/sysconfig/irqbalance does not exist, so irqbalance runs no policy script",
                HOOK_NOT_RUNNING, SELINUX_BLOCKS_THE_HOOK, ONE_MISPLACED);
    }

    @Test
    void installPutsTheHookBackAndTheChecksJudgeItAgain() {
        HostTree t = optedOut();
        Cli.Result install = Cli.run("install", "--root", t.root().toString());
        assertEquals(0, install.status(), install.err());
        assertFalse(t.exists(OPTED_OUT));
        failsOnly(check(t),
                HOOK_NOT_RUNNING, SELINUX_BLOCKS_THE_HOOK, ONE_MISPLACED);
    }

    @Test
    void aHookWiredAgainByHandMakesTheOptOutStale() {
        HostTree t = optedOut();
        t.write("/etc/sysconfig/irqbalance", "IRQBALANCE_ARGS=\"--policyscript=" + HOOK + "\"\n");
        Cli.Result r = check(t);
        assertTrue(r.out().startsWith("ok   hook-configured: /etc/sysconfig/irqbalance passes irqbalance --policyscript=" + HOOK
                + " as systemd reads it\n"), r.out());
        failsOnly(r,
                HOOK_NOT_RUNNING, SELINUX_BLOCKS_THE_HOOK, ONE_MISPLACED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"link", "nobody", "directory", "other text", "two lines", "no time"})
    void anOptOutRecordThatIsNotTrustedCountsAsNone(String what) throws IOException {
        HostTree t = optedOut();
        Path record = t.path(OPTED_OUT);
        String line = t.read(OPTED_OUT);
        Files.delete(record);
        switch (what) {
            case "link" -> {
                t.write("/srv/planted", line);
                Files.createSymbolicLink(record, Path.of("/srv/planted"));
            }
            case "nobody" -> {
                t.write(OPTED_OUT, line);
                Files.setOwner(record, record.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            }
            case "directory" -> Files.createDirectory(record);
            case "other text" -> t.write(OPTED_OUT, "opted out\n");
            case "two lines" -> t.write(OPTED_OUT, line + line);
            case "no time" -> t.write(OPTED_OUT, "uninstall \n");
            default -> throw new IllegalArgumentException(what);
        }
        failsOnly(check(t),
                "FAIL hook-configured: /etc/sysconfig/irqbalance does not exist, so irqbalance runs no policy script",
                HOOK_NOT_RUNNING, SELINUX_BLOCKS_THE_HOOK, ONE_MISPLACED);
    }
}
