package org.xenirqpolicy.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * The built RPM with the real rpm, in a throwaway copy of this machine's root
 * (src/test/sh/rpm-chroot.sh): install onto several /etc/sysconfig/irqbalance files, verify,
 * upgrade to the next release, erase; then the installed engine and hook under the real
 * irqbalance.
 */
class RpmPackageIT {
    private static final String VERSION = System.getProperty("project.version", "0.1.0");
    private static final Path RPM = Fixtures.repo().resolve("target/rpm/xen-irq-policy/RPMS/x86_64/xen-irq-policy-" + VERSION + "-1.x86_64.rpm");
    private static final Path NEXT = Fixtures.repo().resolve("target/rpm-next-release/xen-irq-policy/RPMS/x86_64/xen-irq-policy-" + VERSION + "-2.x86_64.rpm");
    private static final String HOOK_ARG = "--policyscript=/usr/libexec/irqbalance/xen-irq-policy";

    @TempDir
    Path tmp;

    @BeforeAll
    static void prerequisites() {
        Dom0Namespace.requirePrerequisites();
        for (Path p : List.of(RPM, NEXT, Path.of("/usr/bin/rpm"))) {
            if (!Files.exists(p)) {
                fail(p + " is missing: run 'mvn verify' (rpmbuild: Debian package rpm, Fedora package rpm-build)");
            }
        }
    }

    private static String upstream() {
        return Fixtures.read(Fixtures.repo().resolve("src/test/resources/sysconfig/upstream-1.9.5.env"));
    }

    /** A simulated dom0: the scriptlets' apply acts on it, and the tests read what it did. */
    private static final SyntheticDom0 DOM0 = new SyntheticDom0(CpuSet.parseList("0-3"), 4, 1, 2, 1, 3, "xen-dyn-lateeoi",
            SyntheticDom0.uniformQueues(3000, 1000, 20));

    private Path dom0() {
        Path tree = tmp.resolve("dom0");
        if (!Files.exists(tree)) {
            DOM0.layOut(HostTree.at(tree));
        }
        return tree;
    }

    /** Runs a scenario in a throwaway root on {@link #dom0()}; returns its output, sections headed "== name". */
    private Map<String, String> scenario(String script) throws IOException {
        Path file = tmp.resolve("scenario-" + System.nanoTime() + ".sh");
        Files.writeString(file, "set -u\nR1=" + RPM + "\nR2=" + NEXT + "\n" + script);
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(5), "sh",
                Fixtures.repo().resolve("src/test/sh/rpm-chroot.sh").toString(), dom0().toString(), file.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        Map<String, String> sections = new java.util.LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^== (\\S+)\\n((?:(?!== ).*\\n)*)").matcher(r.out());
        while (m.find()) {
            sections.put(m.group(1), m.group(2));
        }
        sections.put("stderr", r.err());
        return sections;
    }

    /** Install, verify, upgrade, erase on {@code original} (null: no /etc/sysconfig/irqbalance). */
    private void lifecycle(String original, String expectedArgsLine) throws IOException {
        Path sysconfig = tmp.resolve("irqbalance.orig");
        String setup = original == null ? "rm -f /etc/sysconfig/irqbalance\n"
                : "mkdir -p /etc/sysconfig && cp " + Files.writeString(sysconfig, original) + " /etc/sysconfig/irqbalance\n";
        Map<String, String> out = scenario(setup + """
                rpm --initdb
                # A root shell's umask of 077 must not make the runtime directory unreadable to
                # irqbalance's sandboxed hook: %post creates it from the tmpfiles.d snippet.
                (umask 077; rpm -i --nodeps "$R1" >/tmp/install.out 2>/tmp/install.err)
                echo "== installed"; rpm -q xen-irq-policy
                echo "== run-dir"; stat -c '%a %U %G' /run/xen-irq-policy
                echo "== placed"; grep -c '^irq ' /run/xen-irq-policy/plan/all
                echo "== plan-files"; ls /run/xen-irq-policy/plan/ | grep -c '^irq\\.'
                echo "== verify"; rpm -V --nodeps xen-irq-policy
                echo "== args"; grep '^IRQBALANCE_ARGS=' /etc/sysconfig/irqbalance
                echo "== layout"
                for f in /usr/sbin/xen-irq-policy /usr/libexec/irqbalance/xen-irq-policy; do [ -x "$f" ] && echo "exec $f"; done
                for f in /usr/lib/systemd/system/xen-irq-policy.service /usr/lib/systemd/system/xen-irq-policy.path; do [ -f "$f" ] && echo "file $f"; done
                for f in /usr/lib/systemd/system/xen-irq-policy-metrics.service /usr/lib/systemd/system/xen-irq-policy-metrics.timer; do [ -f "$f" ] && echo "file $f"; done
                for f in /usr/lib/systemd/system/xen-irq-policy-adaptive.service /usr/lib/systemd/system/xen-irq-policy-adaptive.timer; do [ -f "$f" ] && echo "file $f"; done
                for f in /usr/lib/tmpfiles.d/xen-irq-policy.conf /usr/lib/systemd/system-preset/80-xen-irq-policy.preset; do [ -f "$f" ] && echo "file $f"; done
                for f in /etc/sysconfig/xen-irq-policy /usr/share/man/man8/xen-irq-policy.8.gz; do [ -f "$f" ] && echo "file $f"; done
                for f in /usr/share/bash-completion/completions/xen-irq-policy /var/lib/xen-irq-policy/installed; do [ -f "$f" ] && echo "file $f"; done
                echo "== enabled"; systemctl is-enabled xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer 2>&1
                echo "== analyze"; systemd-analyze verify /usr/lib/systemd/system/xen-irq-policy.service /usr/lib/systemd/system/xen-irq-policy.path \\
                    /usr/lib/systemd/system/xen-irq-policy-metrics.service /usr/lib/systemd/system/xen-irq-policy-metrics.timer \\
                    /usr/lib/systemd/system/xen-irq-policy-adaptive.service /usr/lib/systemd/system/xen-irq-policy-adaptive.timer 2>&1
                echo "== version"; /usr/sbin/xen-irq-policy --version
                # The launcher's own command line, with AOTMode=on: an error if the JVM would not use the cache.
                echo "== aot-cache"
                set -- $(sh -x /usr/sbin/xen-irq-policy --version 2>&1 >/dev/null | sed -n 's/^+ exec //p')
                java=$1; shift; "$java" -XX:AOTMode=on "$@" 2>&1
                echo "== man"; MANWIDTH=80 man xen-irq-policy 2>/dev/null | grep -c 'xen-dyn'
                rpm -U --nodeps "$R2" >/tmp/upgrade.out 2>/tmp/upgrade.err
                echo "== upgraded"; rpm -q xen-irq-policy
                echo "== verify2"; rpm -V --nodeps xen-irq-policy
                echo "== args2"; grep '^IRQBALANCE_ARGS=' /etc/sysconfig/irqbalance
                echo "== enabled2"; systemctl is-enabled xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer 2>&1
                # What the metrics timer would leave for node_exporter: erase takes it away.
                mkdir -p /var/lib/prometheus/node-exporter && : >/var/lib/prometheus/node-exporter/node.prom
                echo "== metrics"; /usr/sbin/xen-irq-policy metrics --textfile && ls /var/lib/prometheus/node-exporter
                # What an adaptive run leaves in /run: erase takes it away too (see leftovers).
                printf 'xen-irq-policy adaptive 1\\nsamples-above 1\\n' >/run/xen-irq-policy/adaptive
                rpm -e --nodeps xen-irq-policy >/tmp/erase.out 2>/tmp/erase.err
                echo "== erased"; rpm -qa | grep -c xen-irq-policy
                echo "== textfiles"; ls /var/lib/prometheus/node-exporter
                echo "== sysconfig"; if [ -e /etc/sysconfig/irqbalance ]; then cat /etc/sysconfig/irqbalance; else echo "(absent)"; fi
                echo "== leftovers"
                # man-db's page cache holds what the test's own 'man' call formatted: not the package's.
                find /etc /usr /var /run -xdev -name '*xen-irq-policy*' -not -path '/var/cache/man/*' 2>/dev/null
                [ -e /usr/libexec/irqbalance ] && echo /usr/libexec/irqbalance
                echo "== scriptlet-errors"; cat /tmp/install.err /tmp/upgrade.err /tmp/erase.err
                echo "== scriptlet-output"; cat /tmp/install.out /tmp/upgrade.out /tmp/erase.out
                """);
        assertEquals("xen-irq-policy-" + VERSION + "-1.x86_64\n", out.get("installed"));
        assertEquals("755 root root\n", out.get("run-dir"), "/run/xen-irq-policy as the tmpfiles.d snippet says, whatever the umask");
        // %post placed every event channel of the simulated dom0.
        assertEquals(DOM0.eventChannelTraffic().size() + "\n", out.get("placed"));
        assertEquals(DOM0.eventChannelTraffic().size() + "\n", out.get("plan-files"), "one file per event channel, for the hook");
        for (int irq : DOM0.eventChannelTraffic().keySet()) {
            assertTrue(HostTree.at(dom0()).read("/proc/irq/" + irq + "/smp_affinity_list").matches("[0-3]\n"), "IRQ " + irq);
        }
        assertEquals("", out.get("verify"), "rpm -V after install");
        assertEquals(expectedArgsLine + "\n", out.get("args"));
        assertEquals("""
                exec /usr/sbin/xen-irq-policy
                exec /usr/libexec/irqbalance/xen-irq-policy
                file /usr/lib/systemd/system/xen-irq-policy.service
                file /usr/lib/systemd/system/xen-irq-policy.path
                file /usr/lib/systemd/system/xen-irq-policy-metrics.service
                file /usr/lib/systemd/system/xen-irq-policy-metrics.timer
                file /usr/lib/systemd/system/xen-irq-policy-adaptive.service
                file /usr/lib/systemd/system/xen-irq-policy-adaptive.timer
                file /usr/lib/tmpfiles.d/xen-irq-policy.conf
                file /usr/lib/systemd/system-preset/80-xen-irq-policy.preset
                file /etc/sysconfig/xen-irq-policy
                file /usr/share/man/man8/xen-irq-policy.8.gz
                file /usr/share/bash-completion/completions/xen-irq-policy
                file /var/lib/xen-irq-policy/installed
                """, out.get("layout"));
        // The metrics and adaptive timers are shipped disabled: the preset says so.
        assertEquals("enabled\nenabled\ndisabled\ndisabled\n", out.get("enabled"));
        assertEquals("", out.get("analyze"), "systemd-analyze verify of the installed units, man page included");
        assertEquals("xen-irq-policy " + VERSION + "\n", out.get("version"));
        assertEquals("xen-irq-policy " + VERSION + "\n", out.get("aot-cache"), "the installed launcher starts with its AOT cache");
        assertTrue(Integer.parseInt(out.get("man").strip()) > 5, "man xen-irq-policy explains the xen-dyn rule");
        assertEquals("xen-irq-policy-" + VERSION + "-2.x86_64\n", out.get("upgraded"));
        assertEquals("", out.get("verify2"), "rpm -V after upgrade");
        assertEquals(expectedArgsLine + "\n", out.get("args2"), "the upgrade keeps the setting ($1 = 1 in %preun)");
        assertEquals("enabled\nenabled\ndisabled\ndisabled\n", out.get("enabled2"));
        assertEquals("node.prom\nxen_irq_policy.prom\n", out.get("metrics"), "the installed command writes the metrics file");
        assertEquals("0\n", out.get("erased"));
        assertEquals("node.prom\n", out.get("textfiles"), "erase removes our metrics file, and only it");
        assertEquals(original == null ? "(absent)\n" : original, out.get("sysconfig"), "byte-identical after erase");
        assertEquals("", out.get("leftovers"), "no file of ours left");
        // Without a dom0 in the chroot, apply reports that it found no /proc/interrupts; nothing else.
        assertFalse(out.get("scriptlet-errors").contains("could not"), out.get("scriptlet-errors"));
    }

    @Test
    void onUpstreamsDefaultFile() throws IOException {
        lifecycle(upstream(), "IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"");
    }

    @Test
    void withoutAFile() throws IOException {
        lifecycle(null, "IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"");
    }

    @Test
    void withArgumentsTunedsBannedCpusAndUnquotedValues() throws IOException {
        String tuned = upstream().replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=--journal") + "IRQBALANCE_BANNED_CPUS=00000002\n";
        lifecycle(tuned, "IRQBALANCE_ARGS=\"--journal " + HOOK_ARG + "\"");
        String quoted = "# mine\nIRQBALANCE_ARGS='--banirq=9 --deepestcache=2'\n";
        lifecycle(quoted, "IRQBALANCE_ARGS='--banirq=9 --deepestcache=2 " + HOOK_ARG + "'");
    }

    @Test
    void replacingTheSeedScript() throws IOException {
        String seeded = upstream().replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"--policyscript=/usr/local/bin/irqbalance-policyscript\"");
        lifecycle(seeded, "IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"");
    }

    /** Output of rpm less the two lines with which Debian's rpm greets every install, upgrade and erase. */
    private static String withoutDebiansNotice(String output) {
        return output.replace("rpm: RPM should not be used directly install RPM packages, use Alien instead!\n", "")
                .replace("rpm: However assuming you know what you are doing...\n", "");
    }

    /** The units' enablement as systemd's own unit-file logic reads it in the throwaway root. */
    private static final String ENABLEMENT = "/usr/bin/systemctl --root=/ is-enabled xen-irq-policy.path xen-irq-policy.service 2>&1\n";

    /**
     * A stand-in for a release before the plan directory (format 2), built here by rpmbuild and
     * named as such: its engine is a sh script that does, for the plan, what those releases' did:
     * {@code apply} writes {@code /run/xen-irq-policy/plan} as a file (renamed into place) and
     * refuses a directory there, as their writeAtomically did. Its %post applies, as a release's
     * %post does; what that says goes to /tmp/old-post.out.
     */
    private Path olderReleaseStandIn() throws IOException {
        return olderReleaseStandIn("0.0.9", "", "");
    }

    /**
     * {@link #olderReleaseStandIn()} as release {@code version}, whose %install and %files also
     * hold {@code install} and {@code files}.
     */
    private Path olderReleaseStandIn(String version, String install, String files) throws IOException {
        String spec = """
                Name: xen-irq-policy
                Version: @VERSION@
                Release: 1
                License: MIT
                BuildArch: noarch
                Summary: Test stand-in: an older xen-irq-policy whose engine writes the plan as a file
                %description
                A stand-in for a test root.
                %install
                mkdir -p %{buildroot}/usr/sbin
                cat >%{buildroot}/usr/sbin/xen-irq-policy <<'END'
                #!/bin/sh
                [ "$1" = apply ] || exit 0
                plan=/run/xen-irq-policy/plan
                if [ -d "$plan" ]; then
                    echo "xen-irq-policy: $plan is a directory" >&2
                    exit 2
                fi
                printf '2 the older release plan\\n' >"$plan.tmp" && mv "$plan.tmp" "$plan"
                END
                chmod 0755 %{buildroot}/usr/sbin/xen-irq-policy
                @INSTALL@
                %post
                /usr/sbin/xen-irq-policy apply >>/tmp/old-post.out 2>&1
                echo "apply exit $?" >>/tmp/old-post.out
                %files
                /usr/sbin/xen-irq-policy
                @FILES@
                """;
        Path specFile = Files.writeString(tmp.resolve("older.spec"), spec.replace("@VERSION@", version).replace("@INSTALL@", install).replace("@FILES@", files));
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(2), "rpmbuild", "-bb", "--define", "_topdir " + tmp.resolve("older"),
                specFile.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        return tmp.resolve("older/RPMS/noarch/xen-irq-policy-" + version + "-1.noarch.rpm");
    }

    /**
     * Downgrade to a release whose engine writes the plan as a file: rpm runs that release's
     * %post (its apply cannot replace our link to a directory) before our %postun, which removes
     * our plan and has the engine now installed apply again, so that a plan it can read and
     * rewrite is in force.
     */
    @Test
    void aDowngradeToAReleaseThatWritesAPlanFileGetsItsPlan() throws IOException {
        Path older = olderReleaseStandIn();
        Map<String, String> out = scenario("""
                rpm --initdb
                rpm -i --nodeps "$R1" >/tmp/install.out 2>&1
                echo "== before"; stat -c %%F /run/xen-irq-policy/plan; ls -d /run/xen-irq-policy/plan.* | wc -l
                rpm -U --oldpackage --nodeps %s >/tmp/downgrade.out 2>&1; rc=$?
                echo "== status"; echo "$rc"
                echo "== installed"; rpm -q xen-irq-policy
                echo "== after"; (cd /run/xen-irq-policy && find . -name '*plan*' | LC_ALL=C sort); stat -c %%F /run/xen-irq-policy/plan
                cat /run/xen-irq-policy/plan
                echo "== old-post"; cat /tmp/old-post.out
                echo "== downgrade-output"; cat /tmp/downgrade.out
                """.formatted(older));
        assertEquals("symbolic link\n1\n", out.get("before"), "our plan: the link and one directory");
        assertEquals("0\n", out.get("status"), out.get("downgrade-output"));
        assertEquals("xen-irq-policy-0.0.9-1.noarch\n", out.get("installed"));
        assertEquals("xen-irq-policy: /run/xen-irq-policy/plan is a directory\napply exit 2\n", out.get("old-post"),
                "the older release's %post, run first, could not save its plan");
        assertEquals("./plan\nregular file\n2 the older release plan\n", out.get("after"),
                "our %postun removed the link and its directory, and the older engine applied");
    }

    /**
     * An admin enables the metrics and adaptive timers (the links `systemctl enable` makes) and
     * keeps the metrics in a METRICS_DIR of their own. An upgrade keeps all of it; a downgrade to
     * a release without those units (a stand-in that ships the path and service units and the
     * settings file, as older releases did) takes away their links, stops them where systemd
     * runs (recorded, as in {@link #installUpgradeAndEraseEachRestartIrqbalanceOnce()}), and
     * removes what only they wrote; nothing else under /etc/systemd, /etc/sysconfig or the
     * textfile directory changes.
     */
    @Test
    void aDowngradeToAReleaseWithoutTheTimersLeavesNoLinkOrStateOfThem() throws IOException {
        Path repo = Fixtures.repo();
        Path older = olderReleaseStandIn("0.0.8", """
                mkdir -p %%{buildroot}/usr/lib/systemd/system %%{buildroot}/etc/sysconfig
                install -m 0644 %1$s/src/main/systemd/xen-irq-policy.path %1$s/src/main/systemd/xen-irq-policy.service %%{buildroot}/usr/lib/systemd/system/
                install -m 0644 %1$s/sysconfig/xen-irq-policy %%{buildroot}/etc/sysconfig/xen-irq-policy
                """.formatted(repo), """
                /usr/lib/systemd/system/xen-irq-policy.path
                /usr/lib/systemd/system/xen-irq-policy.service
                %config(noreplace) /etc/sysconfig/xen-irq-policy
                """);
        Map<String, String> out = scenario(SYSTEMD_RUNNING_CALLS_RECORDED + """
                rpm --initdb
                rpm -i --nodeps "$R1" >/tmp/install.out 2>&1
                /usr/bin/systemctl --root=/ enable xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer >/dev/null 2>&1
                mkdir -p /srv/textfiles && : >/srv/textfiles/node.prom
                sed -i 's|^METRICS_DIR=.*|export METRICS_DIR="/srv/textfiles/"  # node_exporter reads here|' /etc/sysconfig/xen-irq-policy
                /usr/sbin/xen-irq-policy metrics --textfile
                printf 'xen-irq-policy adaptive 1\\nsamples-above 1\\n' >/run/xen-irq-policy/adaptive
                : >/run/xen-irq-policy/.adaptive.xen-irq-policy.4242.tmp
                rpm -U --nodeps "$R2" >/tmp/upgrade.out 2>&1
                echo "== upgraded"; rpm -q xen-irq-policy
                echo "== kept"; /usr/bin/systemctl --root=/ is-enabled xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer 2>&1
                LC_ALL=C ls -A /srv/textfiles; LC_ALL=C ls -A /run/xen-irq-policy | grep adaptive
                snapshot() { find /etc/systemd /etc/sysconfig /srv/textfiles | LC_ALL=C sort; }
                snapshot >/tmp/before
                cp /etc/sysconfig/irqbalance /tmp/irqbalance.before; cp /etc/sysconfig/xen-irq-policy /tmp/settings.before
                rm -f /tmp/systemctl.calls
                rpm -U --oldpackage --nodeps %s >/tmp/downgrade.out 2>&1; rc=$?
                echo "== status"; echo "$rc"
                echo "== calls"; cat /tmp/systemctl.calls
                echo "== installed"; rpm -q xen-irq-policy
                echo "== changed"; snapshot | diff /tmp/before - | grep '^[<>]'
                echo "== dangling"; find /etc/systemd -name 'xen-irq-policy*' ! -exec test -e {} \\; -print
                echo "== enabled"; %s
                echo "== adaptive-state"; ls -A /run/xen-irq-policy | grep -c adaptive
                echo "== sysconfig"; cmp /tmp/irqbalance.before /etc/sysconfig/irqbalance && cmp /tmp/settings.before /etc/sysconfig/xen-irq-policy && echo byte-identical
                echo "== verify"; rpm -V --nodeps --noconfig xen-irq-policy
                echo "== downgrade-output"; cat /tmp/downgrade.out
                """.formatted(older, ENABLEMENT));
        assertEquals("xen-irq-policy-" + VERSION + "-2.x86_64\n", out.get("upgraded"));
        assertEquals("enabled\nenabled\nnode.prom\nxen_irq_policy.prom\n.adaptive.xen-irq-policy.4242.tmp\nadaptive\n", out.get("kept"),
                "an upgrade to a release with the timers keeps their links and what they wrote");
        assertEquals("0\n", out.get("status"), out.get("downgrade-output"));
        assertEquals("xen-irq-policy-0.0.8-1.noarch\n", out.get("installed"));
        assertEquals("""
                < /etc/systemd/system/timers.target.wants/xen-irq-policy-adaptive.timer
                < /etc/systemd/system/timers.target.wants/xen-irq-policy-metrics.timer
                < /srv/textfiles/xen_irq_policy.prom
                """, out.get("changed"), "the two links and the metrics file in METRICS_DIR, nothing else");
        assertEquals("", out.get("dangling"), "no link to a unit file that is gone");
        assertEquals("enabled\nenabled\n", out.get("enabled"), "the units the older release has keep their enablement");
        assertEquals("0\n", out.get("adaptive-state"), "the adaptive state and its temporary file removed");
        assertEquals("byte-identical\n", out.get("sysconfig"), "/etc/sysconfig/irqbalance and the admin's settings untouched");
        assertEquals("", out.get("verify"), "rpm -V of the release now installed");
        assertTrue(out.get("calls").contains("stop xen-irq-policy-metrics.timer xen-irq-policy-metrics.service\n"
                + "stop xen-irq-policy-adaptive.timer xen-irq-policy-adaptive.service\n"), out.get("calls"));
    }

    @Test
    void anUpgradeKeepsTheAdminsOptOut() throws IOException {
        Path sysconfig = Files.writeString(tmp.resolve("irqbalance.orig"), upstream());
        Map<String, String> out = scenario("mkdir -p /etc/sysconfig && cp " + sysconfig + " /etc/sysconfig/irqbalance\n" + """
                rpm --initdb
                rpm -i --nodeps "$R1" >/dev/null 2>&1
                echo "== installed"; grep '^IRQBALANCE_ARGS=' /etc/sysconfig/irqbalance; %s
                # The admin opts out: our argument edited out, both units disabled.
                sed -i 's|--policyscript=/usr/libexec/irqbalance/xen-irq-policy||' /etc/sysconfig/irqbalance
                systemctl disable xen-irq-policy.path xen-irq-policy.service >/dev/null 2>&1
                cp /etc/sysconfig/irqbalance /tmp/opted-out
                echo "== opted-out"; cat /tmp/opted-out
                rpm -U --nodeps "$R2" >/tmp/upgrade.out 2>/tmp/upgrade.err
                echo "== upgraded"; rpm -q xen-irq-policy
                echo "== sysconfig"; cmp /tmp/opted-out /etc/sysconfig/irqbalance && echo byte-identical
                echo "== enabled"; %s
                echo "== upgrade-output"; cat /tmp/upgrade.out /tmp/upgrade.err
                """.formatted(ENABLEMENT, ENABLEMENT));
        assertEquals("IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"\nenabled\nenabled\n", out.get("installed"));
        // Taking our argument out gives back upstream's file: the opt-out is the file before install.
        assertEquals(upstream(), out.get("opted-out"));
        assertEquals("xen-irq-policy-" + VERSION + "-2.x86_64\n", out.get("upgraded"));
        assertEquals("byte-identical\n", out.get("sysconfig"), "%post never edits the sysconfig file again on upgrade");
        assertEquals("disabled\ndisabled\n", out.get("enabled"), "%post never enables the units again on upgrade");
        assertEquals("", withoutDebiansNotice(out.get("upgrade-output")));
    }

    @Test
    void uninstallsOptOutSurvivesAnUpgradeAndGoesWithTheErase() throws IOException {
        Path sysconfig = Files.writeString(tmp.resolve("irqbalance.orig"), upstream());
        Map<String, String> out = scenario("mkdir -p /etc/sysconfig && cp " + sysconfig + " /etc/sysconfig/irqbalance\n" + """
                rpm --initdb
                rpm -i --nodeps "$R1" >/dev/null 2>&1
                # The admin opts out with uninstall: irqbalance is to run without the hook.
                echo "== uninstall"; /usr/sbin/xen-irq-policy uninstall 2>&1 | sed 's/ at [0-9TZ:-]*/ at TIME/'
                cp /var/lib/xen-irq-policy/hook-opted-out /tmp/record
                echo "== record"; sed 's/ .*/ TIME/' /tmp/record
                echo "== verify"; rpm -V --nodeps xen-irq-policy
                echo "== check"; /usr/sbin/xen-irq-policy check | grep '^[a-zA-Z]* *hook-' | sed 's/ at [0-9TZ:-]*/ at TIME/'
                rpm -U --nodeps "$R2" >/tmp/upgrade.out 2>/tmp/upgrade.err
                echo "== kept"; cmp /tmp/record /var/lib/xen-irq-policy/hook-opted-out && echo byte-identical
                echo "== verify2"; rpm -V --nodeps xen-irq-policy
                rpm -e --nodeps xen-irq-policy >/tmp/erase.out 2>/tmp/erase.err
                echo "== sysconfig"; cmp %s /etc/sysconfig/irqbalance && echo byte-identical
                echo "== leftovers"
                find /etc /usr /var /run -xdev -name '*xen-irq-policy*' 2>/dev/null
                echo "== scriptlet-errors"; cat /tmp/upgrade.err /tmp/erase.err
                """.formatted(sysconfig));
        assertEquals("/etc/sysconfig/irqbalance: took " + HOOK_ARG + " out of IRQBALANCE_ARGS\n"
                + "/var/lib/xen-irq-policy/hook-opted-out: recorded that irqbalance runs without the hook by choice"
                + " ('xen-irq-policy install' puts it back)\n", out.get("uninstall"));
        assertEquals("uninstall TIME\n", out.get("record"));
        assertEquals("", out.get("verify"), "rpm -V: the record is no file of the package's, its directory unchanged");
        assertEquals("ok   hook-configured: the hook was removed by 'xen-irq-policy uninstall' at TIME ('xen-irq-policy install' puts it back)\n"
                + "ok   hook-running: the hook was removed by 'xen-irq-policy uninstall' at TIME ('xen-irq-policy install' puts it back)\n",
                out.get("check"));
        assertEquals("byte-identical\n", out.get("kept"), "an upgrade leaves the record alone");
        assertEquals("", out.get("verify2"));
        assertEquals("byte-identical\n", out.get("sysconfig"));
        assertEquals("", out.get("leftovers"), "%preun removes the record uninstall wrote on erase, so the directory goes too");
        assertFalse(out.get("scriptlet-errors").contains("could not"), out.get("scriptlet-errors"));
    }

    @Test
    void aPresetThatDisablesTheUnitsWinsOverOurs() throws IOException {
        Map<String, String> out = scenario("""
                # An image's or admin's preset: sorts before ours (80-), so its rule is the one systemd takes.
                mkdir -p /etc/systemd/system-preset
                echo 'disable xen-irq-policy.*' >/etc/systemd/system-preset/10-dom0-image.preset
                rpm --initdb
                rpm -i --nodeps "$R1" >/tmp/install.out 2>/tmp/install.err
                echo "== enabled"; %s
                echo "== plan"; [ -e /run/xen-irq-policy/plan ] && echo placed || echo "not placed"
                echo "== sysconfig"; if [ -e /etc/sysconfig/irqbalance ]; then cat /etc/sysconfig/irqbalance; else echo "(absent)"; fi
                echo "== install-output"; cat /tmp/install.out /tmp/install.err
                """.formatted(ENABLEMENT));
        assertEquals("disabled\ndisabled\n", out.get("enabled"));
        assertEquals("not placed\n", out.get("plan"), "a disabled service is not run by %post");
        assertEquals("(absent)\n", out.get("sysconfig"), "irqbalance is not made to ask a hook that nothing serves");
        assertEquals("xen-irq-policy: xen-irq-policy.service is disabled by a preset: irqbalance's settings left unchanged. "
                + "To opt in: systemctl enable --now xen-irq-policy.path xen-irq-policy.service && xen-irq-policy install "
                + "&& systemctl try-restart irqbalance\n",
                withoutDebiansNotice(out.get("install-output")), "the scriptlet says how to opt in");
    }

    /**
     * The scriptlets' test for a running systemd passes (/run/systemd/system), while systemctl
     * acts on the unit files offline, as in any chroot, and each of its calls is recorded, one
     * line each, in /tmp/systemctl.calls.
     */
    private static final String SYSTEMD_RUNNING_CALLS_RECORDED = """
            mkdir -p /run/systemd/system
            export SYSTEMD_OFFLINE=1
            printf '%s\\n' '#!/bin/sh' 'echo "$*" >>/tmp/systemctl.calls' 'exec /usr/bin/systemctl "$@"' >/usr/sbin/systemctl
            chmod 0755 /usr/sbin/systemctl
            """;

    /**
     * What the scriptlets ask of systemctl where systemd runs. In the throwaway root, systemctl sees
     * a chroot and ignores what needs the running manager (start, try-restart, daemon-reload: "Running
     * in chroot, ignoring command"), so a restart cannot be seen in irqbalance itself. The calls are
     * recorded instead, by a wrapper in /usr/sbin, the first directory of rpm's scriptlet PATH, which
     * logs its arguments and execs the real /usr/bin/systemctl (whose preset and enable logic act for
     * real). /run/systemd/system, the scriptlets' sign that systemd runs (as in Fedora's
     * systemd-update-helper), is made in the root's /run; seeing it, systemctl would look for a
     * manager on the bus, so SYSTEMD_OFFLINE=1 (systemd's ENVIRONMENT.md; rpm passes the environment
     * to the scriptlets) keeps it acting on the unit files, as in any chroot.
     */
    @Test
    void installUpgradeAndEraseEachRestartIrqbalanceOnce() throws IOException {
        Map<String, String> out = scenario(SYSTEMD_RUNNING_CALLS_RECORDED + """
                rpm --initdb
                calls() { echo "== $1"; cat /tmp/systemctl.calls; rm -f /tmp/systemctl.calls; }
                rpm -i --nodeps "$R1" >/tmp/install.out 2>&1; calls install
                echo "== enabled"; %s
                rpm -U --nodeps "$R2" >/tmp/upgrade.out 2>&1; calls upgrade
                rpm -e --nodeps xen-irq-policy >/tmp/erase.out 2>&1; calls erase
                echo "== install-output"; cat /tmp/install.out
                echo "== upgrade-output"; cat /tmp/upgrade.out
                echo "== erase-output"; cat /tmp/erase.out
                """.formatted(ENABLEMENT));
        assertEquals("enabled\nenabled\n", out.get("enabled"));
        assertTrue(out.get("install-output").contains("\nok   hook-configured: "), "%post prints check's report:\n" + out.get("install-output"));
        assertEquals("""
                --no-reload preset xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer
                -q is-enabled xen-irq-policy.service
                daemon-reload
                start xen-irq-policy.service
                -q is-enabled xen-irq-policy.path
                start xen-irq-policy.path
                try-restart irqbalance.service
                """, out.get("install"), "first install: presets, our units started, irqbalance restarted once");
        assertEquals("""
                -q is-enabled xen-irq-policy.service
                daemon-reload
                start xen-irq-policy.service
                daemon-reload
                try-restart xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer
                try-restart irqbalance.service
                """, out.get("upgrade"), "upgrade: no preset or enable; the new %post applies the new plan once, the old %postun restarts irqbalance once");
        assertEquals("""
                --no-reload disable xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer
                stop xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-metrics.service xen-irq-policy-adaptive.timer xen-irq-policy-adaptive.service
                daemon-reload
                try-restart irqbalance.service
                """, out.get("erase"), "erase: units stopped and disabled, irqbalance restarted once");
        assertEquals("", withoutDebiansNotice(out.get("upgrade-output")));
        assertEquals("/etc/sysconfig/irqbalance: removed (created by install, unchanged since)\n"
                + "/var/lib/xen-irq-policy/hook-opted-out: recorded that irqbalance runs without the hook by choice"
                + " ('xen-irq-policy install' puts it back)\n",
                withoutDebiansNotice(out.get("erase-output")), "uninstall's own lines (%preun then removes its record), and no complaint of the scriptlets'");
    }

    /**
     * A scriptlet's complaint goes to stderr and to the journal. The throwaway root has no journal to
     * read back, so a wrapper in /usr/sbin (first in rpm's scriptlet PATH) records what systemd-cat
     * is given, then passes it to the real /usr/bin/systemd-cat.
     */
    @Test
    void aScriptletsComplaintAlsoGoesToTheJournal() throws IOException {
        Map<String, String> out = scenario("""
                printf '%s\\n' '#!/bin/sh' 'msg=$(cat)' 'echo "$*: $msg" >>/tmp/journal' \\
                    'printf "%s\\n" "$msg" | exec /usr/bin/systemd-cat "$@"' >/usr/sbin/systemd-cat
                chmod 0755 /usr/sbin/systemd-cat
                # Another policy script already runs: install leaves the file alone and says why.
                mkdir -p /etc/sysconfig
                echo 'IRQBALANCE_ARGS="--policyscript=/etc/mine.sh"' >/etc/sysconfig/irqbalance
                rpm --initdb
                rpm -i --nodeps "$R1" >/tmp/install.out 2>/tmp/install.err
                echo "== journal"; cat /tmp/journal
                echo "== install-err"; cat /tmp/install.err
                """);
        assertEquals("""
                -t xen-irq-policy -p warning: xen-irq-policy: /etc/sysconfig/irqbalance: irqbalance already runs the policy script /etc/mine.sh; left unchanged. \
                To run both, put both in one directory, set --policyscript to it and run 'xen-irq-policy install' again
                -t xen-irq-policy -p warning: irqbalance's settings were left unchanged; see above
                """, out.get("journal"), "the reason install gives, and the scriptlet's own line");
        assertEquals("""
                xen-irq-policy: /etc/sysconfig/irqbalance: irqbalance already runs the policy script /etc/mine.sh; left unchanged. \
                To run both, put both in one directory, set --policyscript to it and run 'xen-irq-policy install' again
                xen-irq-policy: irqbalance's settings were left unchanged; see above
                """, withoutDebiansNotice(out.get("install-err")));
    }

    @Test
    void thePackagesMetadata() {
        String requires = Dom0Namespace.run(Duration.ofSeconds(30), "rpm", "-qp", "--qf",
                "[%{REQUIREFLAGS:deptype} %{REQUIRENEVRS}\\n]", RPM.toString()).out();
        assertEquals(List.of(
                "manual irqbalance",
                "manual systemd",
                "post (policycoreutils if selinux-policy)",
                "post grep",
                "post systemd",
                "post,interp /bin/sh",
                "postun coreutils",
                "postun systemd",
                "postun,interp /bin/sh",
                "preun (policycoreutils if selinux-policy)",
                "preun coreutils",
                "preun systemd",
                "preun,interp /bin/sh"),
                requires.lines().filter(l -> !l.contains("rpmlib(")).sorted().distinct().toList());
        String provides = Dom0Namespace.run(Duration.ofSeconds(30), "rpm", "-qp", "--provides", RPM.toString()).out();
        assertEquals("bundled(openjdk) = " + bundledRuntimeVersion() + "\nbundled(picocli) = " + pomProperty("picocli.version") + "\n"
                + "xen-irq-policy = " + VERSION + "-1\nxen-irq-policy(x86-64) = " + VERSION + "-1\n", provides);
        // rpmbuild writes Group "Unspecified" into every header whose spec has none (pom.xml, <group>).
        String tags = Dom0Namespace.run(Duration.ofSeconds(30), "rpm", "-qp", "--qf", "%{GROUP}|%|PACKAGER?{present}:{absent}|", RPM.toString()).out();
        assertEquals("Unspecified|absent", tags, "no Group or Packager tag");
        String flags = Dom0Namespace.run(Duration.ofSeconds(30), "rpm", "-qp", "--qf",
                "[%{FILEFLAGS:fflags} %{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\\n]", RPM.toString()).out();
        assertEquals(List.of(
                "cn -rw-r--r-- root:root /etc/sysconfig/xen-irq-policy",
                "d -rw-r--r-- root:root /usr/share/doc/xen-irq-policy/CHANGELOG.md",
                "d -rw-r--r-- root:root /usr/share/doc/xen-irq-policy/README.md",
                "d -rw-r--r-- root:root /usr/share/man/man8/xen-irq-policy.8.gz",
                "g drwxr-xr-x root:root /run/xen-irq-policy",
                "l -rw-r--r-- root:root /usr/share/licenses/xen-irq-policy/LICENSE",
                "l -rw-r--r-- root:root /usr/share/licenses/xen-irq-policy/LICENSE.picocli"),
                flags.lines().filter(l -> !l.startsWith(" ")).sorted().toList(), flags);
        String scripts = Dom0Namespace.run(Duration.ofSeconds(30), "rpm", "-qp", "--scripts", RPM.toString()).out();
        assertTrue(scripts.contains("postinstall scriptlet (using /bin/sh):\n#!/bin/sh\n# %post"), scripts);
        assertTrue(scripts.contains("preuninstall scriptlet (using /bin/sh):\n#!/bin/sh\n# %preun"), scripts);
        assertTrue(scripts.contains("postuninstall scriptlet (using /bin/sh):\n#!/bin/sh\n# %postun"), scripts);
        // rpmbuild expands a scriptlet's macros ("%%" to "%", "%?..." and "%[...]" to what they
        // evaluate to): each stored scriptlet must be its file, byte for byte (less the last newline).
        for (Map.Entry<String, String> tag : Map.of("POSTIN", "rpm/post.sh", "PREUN", "rpm/preun.sh", "POSTUN", "rpm/postun.sh").entrySet()) {
            String stored = Dom0Namespace.run(Duration.ofSeconds(30), "rpm", "-qp", "--qf", "%{" + tag.getKey() + "}", RPM.toString()).out();
            assertEquals(Fixtures.read(Fixtures.repo().resolve(tag.getValue())).replaceFirst("\n$", ""), stored, tag.getValue() + " as the package stores it");
        }
        String info = Dom0Namespace.run(Duration.ofSeconds(30), "rpm", "-qp", "--qf",
                "%{NAME} %{ARCH} %{LICENSE} %{SIZE}\\n", RPM.toString()).out();
        assertTrue(info.startsWith("xen-irq-policy x86_64 MIT AND Apache-2.0 AND GPL-2.0-only WITH Classpath-exception-2.0 "), info);
        long installed = Long.parseLong(info.strip().substring(info.strip().lastIndexOf(' ') + 1));
        assertTrue(installed <= 60_000_000L, "installed size " + installed);
        assertTrue(RPM.toFile().length() <= 25_000_000L, "RPM size " + RPM.toFile().length());
    }

    /** The Java runtime's version, as jlink recorded it in the runtime the package ships. */
    private static String bundledRuntimeVersion() {
        Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"([^\"]+)\"$").matcher(Fixtures.read(Fixtures.repo().resolve("target/runtime/release")));
        assertTrue(m.find(), "target/runtime/release names JAVA_VERSION");
        return m.group(1);
    }

    private static String pomProperty(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(Fixtures.read(Fixtures.repo().resolve("pom.xml")));
        assertTrue(m.find(), name + " in pom.xml");
        return m.group(1);
    }

    @Test
    void rpmlintFindsNothingBeyondWhatTheReadmeExplains() {
        if (!Files.isExecutable(Path.of("/usr/bin/rpmlint"))) {
            fail("rpmlint is not installed (Debian package rpmlint)");
        }
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(2), "rpmlint", "-c",
                Fixtures.repo().resolve("rpm/rpmlint.toml").toString(), RPM.toString());
        assertTrue(r.out().contains(" 0 errors, 0 warnings"), r.out() + r.err());
        assertEquals(0, r.status(), r.out());
        // The README gives the count with rpmlint's default configuration, and explains each class.
        String defaults = Dom0Namespace.run(Duration.ofMinutes(2), "rpmlint", RPM.toString()).out();
        Matcher count = Pattern.compile("checked; (\\d+) errors, (\\d+) warnings").matcher(defaults);
        assertTrue(count.find(), defaults);
        String readme = Fixtures.read(Fixtures.repo().resolve("README.md"));
        assertTrue(readme.replaceAll("\\s+", " ").contains("the package gets " + count.group(1) + " errors and " + count.group(2) + " warnings"),
                "README, rpmlint: " + count.group(1) + " errors and " + count.group(2) + " warnings with the defaults");
        defaults.lines().filter(l -> l.contains(": E: ") || l.contains(": W: ")).map(l -> l.split(" ")[2]).distinct()
                .forEach(check -> assertTrue(readme.contains("`" + check + "`"), "README explains " + check));
    }

    @Test
    void theInstalledEngineAndHookUnderTheRealIrqbalance() throws IOException {
        Path tree = tmp.resolve("dom0-for-irqbalance");
        SyntheticDom0 dom0 = DOM0;
        dom0.layOut(HostTree.at(tree));
        Map<String, String> out = scenario("""
                rpm --initdb
                rpm -i --nodeps "$R1" >/dev/null 2>&1
                echo "== apply"; /usr/sbin/xen-irq-policy apply --root %1$s | tail -1
                echo "== irqbalance"
                sh %2$s %1$s /usr/sbin/irqbalance --oneshot --foreground --debug --interval=1 \\
                    --policyscript=/usr/libexec/irqbalance/xen-irq-policy | grep 'was BANNED' | sort
                # The tree is seen through the throwaway overlay: what was written there is shown here.
                echo "== plan"; cat %1$s/run/xen-irq-policy/plan/all
                echo "== affinities"
                for d in %1$s/proc/irq/*/; do irq=${d%%/}; irq=${irq##*/}; echo "$irq $(cat "$d/smp_affinity_list")"; done
                """.formatted(tree, Fixtures.repo().resolve("src/test/sh/dom0-namespace.sh")));
        // Every event channel starts on all CPUs ("0-3"), so each one moves.
        assertEquals("spread: " + dom0.eventChannelTraffic().size() + " moved, 0 in place, 0 gone, 0 failed; plan saved in /run/xen-irq-policy/plan\n",
                out.get("apply"));
        StringBuilder banned = new StringBuilder();
        dom0.eventChannelTraffic().keySet().stream().map(irq -> "IRQ " + irq + " was BANNED.").sorted()
                .forEach(line -> banned.append(line).append('\n'));
        assertEquals(banned.toString(), out.get("irqbalance"));
        Map<String, String> affinity = new java.util.HashMap<>();
        out.get("affinities").lines().forEach(l -> affinity.put(l.split(" ")[0], l.split(" ")[1]));
        int planned = 0;
        for (String line : out.get("plan").split("\n")) {
            if (line.startsWith("irq ")) {
                String[] f = line.split(" ");
                assertEquals(f[2], affinity.get(f[1]), line);
                planned++;
            }
        }
        assertEquals(dom0.eventChannelTraffic().size(), planned);
    }
}
