package org.xenirqpolicy.ansible;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.read.EnvironmentFile;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SignedRepository;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * The Ansible role ansible/roles/xen_irq_policy, applied by the real ansible-playbook (Debian's
 * ansible-core) with the local connection inside a throwaway copy of this machine's root
 * (src/test/sh/rpm-chroot.sh, in its own PID namespace so that only its processes are seen),
 * installing the package with the dnf module from a repository that rpm/make-repo.sh lays out and
 * signs with a key made here; what the package requires comes from stand-in packages
 * ({@link SignedRepository}). systemd does not run there: src/test/sh/ansible-converge.sh says
 * which stand-ins play systemctl and irqbalance. Then ansible-lint on the role.
 */
class AnsibleRoleIT {
    private static final Path ROLES = Fixtures.repo().resolve("ansible/roles");
    private static final Path ROLE = ROLES.resolve("xen_irq_policy");
    private static final String HOOK_ARG = "--policyscript=/usr/libexec/irqbalance/xen-irq-policy";
    private static final String VERSION = SignedRepository.VERSION;
    private static final Pattern RECAP = Pattern.compile("localhost : ok=\\d+ changed=(\\d+) unreachable=0 failed=(\\d+) ");
    private static final SyntheticDom0 DOM0 = new SyntheticDom0(CpuSet.parseList("0-3"), 4, 1, 2, 1, 3, "xen-dyn-lateeoi",
            SyntheticDom0.uniformQueues(3000, 1000, 20));

    @TempDir
    Path tmp;

    @BeforeAll
    static void prerequisites() {
        Dom0Namespace.requirePrerequisites();
        Fixtures.requireExecutables("apt-get install ansible-core ansible-lint dnf createrepo-c gpg rpm", "/usr/bin/ansible-playbook",
                "/usr/bin/ansible-lint", "/usr/bin/dnf", "/usr/bin/createrepo_c", "/usr/bin/gpg", "/usr/bin/rpmsign", "/usr/bin/rpmbuild");
        for (Path rpm : List.of(SignedRepository.RPM, SignedRepository.NEXT)) {
            if (!Files.exists(rpm)) {
                fail(rpm + " is missing: run 'mvn verify'");
            }
        }
    }

    private static String upstream() {
        return Fixtures.read(Fixtures.repo().resolve("src/test/resources/sysconfig/upstream-1.9.5.env"));
    }

    /** The settings file the role writes, for these values. */
    private static String settings(String strategy, String exclude) {
        return settings(strategy, exclude, "/var/lib/prometheus/node-exporter", "no");
    }

    private static String settings(String strategy, String exclude, String metricsDir, String adaptive) {
        return """
                #
                # Ansible managed
                #
                # /etc/sysconfig/xen-irq-policy: settings of xen-irq-policy(8), written by the Ansible role
                # xen_irq_policy from its variables (xen_irq_policy_*); edits here are replaced on its next run.
                STRATEGY=%s
                CPUS=
                EXCLUDE_ISOLATED=yes
                SAMPLE_SECONDS=3
                EXCLUDE=%s
                METRICS_DIR=%s
                METRICS_IRQ_SERIES_MAX=512
                ADAPTIVE=%s
                ADAPTIVE_INTERVAL_MINUTES=1
                ADAPTIVE_THRESHOLD=1.25
                ADAPTIVE_SAMPLES=2
                ADAPTIVE_MAX_MOVES=4
                ADAPTIVE_COOLDOWN_MINUTES=15
                ADAPTIVE_QUEUE_SPREAD_COST=0.05
                """.formatted(strategy, exclude, metricsDir, adaptive);
    }

    /**
     * Lays out the signed repository (release 1; repo-next beside it holds releases 1 and 2) and
     * the stand-ins' beside {@code work}, then runs the steps (each with the variables {@code
     * steps} gives it, a JSON object less the repository's address, after the sh lines {@code
     * before} gives it, if any) in one throwaway root. Returns the sections of the output.
     */
    private Map<String, String> converge(Path work, Map<String, String> steps, Map<String, String> before) throws IOException {
        Path dom0 = tmp.resolve("dom0");
        DOM0.layOut(HostTree.at(dom0));
        Files.writeString(work.resolve("irqbalance.orig"), upstream());
        Path standIns = SignedRepository.buildStandIns(tmp, SignedRepository.requirements(SignedRepository.RPM));
        Path prepare = Files.writeString(tmp.resolve("prepare.sh"), "set -eu\nW=" + work + "\n" + SignedRepository.MAKE_KEY + """
                sh %1$s --sign '%2$s' "$W/repo" %3$s
                sh %1$s --sign '%2$s' "$W/repo-next" %3$s %4$s
                sh %1$s "$W/standins" %5$s/*.rpm
                """.formatted(SignedRepository.MAKE_REPO, SignedRepository.KEY, SignedRepository.RPM, SignedRepository.NEXT, standIns));
        Dom0Namespace.Result prepared = Dom0Namespace.run(Duration.ofMinutes(3), "sh", prepare.toString());
        assertEquals(0, prepared.status(), prepared.out() + prepared.err());
        Files.writeString(work.resolve("play.yml"), """
                - name: Converge a dom0
                  hosts: all
                  roles:
                    - xen_irq_policy
                """);
        for (Map.Entry<String, String> step : steps.entrySet()) {
            String vars = step.getValue().isEmpty() ? "" : ", " + step.getValue();
            Files.writeString(work.resolve(step.getKey() + ".json"),
                    "{\"xen_irq_policy_repository_url\": \"file://" + work.resolve("repo") + "/\"" + vars + "}\n");
        }
        for (Map.Entry<String, String> step : before.entrySet()) {
            Files.writeString(work.resolve(step.getKey() + ".before"), step.getValue());
        }
        List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "sh",
                Fixtures.repo().resolve("src/test/sh/rpm-chroot.sh").toString(), dom0.toString(),
                Fixtures.repo().resolve("src/test/sh/ansible-converge.sh").toString(), work.toString(), ROLES.toString()));
        command.addAll(steps.keySet());
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(15), command.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        Map<String, String> sections = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^== (\\S+)\\n((?:(?!== ).*\\n)*)").matcher(r.out());
        while (m.find()) {
            sections.put(m.group(1), m.group(2));
        }
        return sections;
    }

    /** The value of the line "KEY value" in a step's section. */
    private static String line(Map<String, String> out, String step, String key) {
        return out.get(step).lines().filter(l -> l.startsWith(key + " ") || l.equals(key)).findFirst()
                .map(l -> l.substring(Math.min(l.length(), key.length() + 1)))
                .orElseThrow(() -> new AssertionError("no " + key + " in " + step + ":\n" + out.get(step)));
    }

    /** changed= of the play's recap, after checking that nothing failed. */
    private static int changed(Map<String, String> out, String step) {
        Matcher m = RECAP.matcher(out.get(step));
        assertTrue(m.find(), step + ": no recap\n" + out.get(step) + out.get(step + "-output"));
        assertEquals("0", m.group(2), step + ": failed tasks\n" + out.get(step + "-output"));
        return Integer.parseInt(m.group(1));
    }

    /** The play's recap: changed= and failed= as given. */
    private static void assertRecap(Map<String, String> out, String step, int changed, int failed) {
        Matcher m = RECAP.matcher(out.get(step));
        assertTrue(m.find(), step + ": no recap\n" + out.get(step) + out.get(step + "-output"));
        assertEquals(changed + " " + failed, m.group(1) + " " + m.group(2), step + ": changed, failed\n" + out.get(step + "-output"));
    }

    @Test
    void convergesOnceThenChangesNothingChecksAndRemoves() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Map<String, String> steps = new LinkedHashMap<>();
        steps.put("check-fresh", "");
        steps.put("first", "");
        steps.put("second", "");
        steps.put("bad-exclude", "\"xen_irq_policy_exclude\": [\"vif1 2\"]");
        steps.put("bad-strategy", "\"xen_irq_policy_strategy\": \"random\"");
        // The role's own default: no address (the publisher's, which the role cannot guess).
        steps.put("bad-no-url", "\"xen_irq_policy_repository_url\": \"\"");
        steps.put("check-modulo", "\"xen_irq_policy_strategy\": \"modulo\"");
        steps.put("check-unwired", "");
        steps.put("rewired", "");
        steps.put("bad-stale-request", "");
        steps.put("relative-hook-link", "");
        steps.put("latest", "\"xen_irq_policy_state\": \"latest\"");
        steps.put("latest-again", "\"xen_irq_policy_state\": \"latest\"");
        steps.put("bad-old-package", "\"xen_irq_policy_strategy\": \"load\"");
        steps.put("check-metrics-dir", "\"xen_irq_policy_metrics_dir\": \"/srv/textfiles\"");
        steps.put("metrics-dir", "\"xen_irq_policy_metrics_dir\": \"/srv/textfiles\"");
        steps.put("metrics-dir-again", "\"xen_irq_policy_metrics_dir\": \"/srv/textfiles\"");
        steps.put("metrics-dir-default", "");
        steps.put("unhooked", "\"xen_irq_policy_hook\": false, \"xen_irq_policy_exclude\": [\"63\", \"vif12.*\", \"dom:7\"]");
        String metrics = "\"xen_irq_policy_hook\": false, \"xen_irq_policy_exclude\": [\"63\", \"vif12.*\", \"dom:7\"], "
                + "\"xen_irq_policy_metrics_timer\": true";
        steps.put("metrics", metrics);
        steps.put("check-adaptive", metrics + ", \"xen_irq_policy_adaptive\": true");
        steps.put("adaptive", metrics + ", \"xen_irq_policy_adaptive\": true");
        steps.put("adaptive-again", metrics + ", \"xen_irq_policy_adaptive\": true");
        steps.put("adaptive-off", metrics);
        steps.put("unhooked-no-record", metrics);
        steps.put("absent", "\"xen_irq_policy_state\": \"absent\"");
        steps.put("absent-again", "\"xen_irq_policy_state\": \"absent\"");
        Map<String, String> before = new LinkedHashMap<>();
        // The admin takes the hook out by hand, as xen-irq-policy(8) says irqbalance's arguments
        // are changed: the file edited, irqbalance restarted. install's record stays.
        before.put("check-unwired", """
                sed -i 's|%s||' /etc/sysconfig/irqbalance
                /usr/local/sbin/restart-irqbalance
                test -e /var/lib/xen-irq-policy/installed
                """.formatted(HOOK_ARG));
        // A request of the hook that nothing answered for 10 minutes (xen-irq-policy.path not
        // running): nothing for the role to change, and the final check fails the host.
        before.put("bad-stale-request", """
                mkdir -p /run/irqbalance
                touch -d '10 minutes ago' /run/irqbalance/xen-irq-policy-request.99
                """);
        // The admin points irqbalance at a policy directory holding a relative link to the hook
        // (ln -sr): install and check's hook-configured both take it for ours.
        before.put("relative-hook-link", """
                rm /run/irqbalance/xen-irq-policy-request.99
                cp /etc/sysconfig/irqbalance /var/tmp/irqbalance.hooked
                sed -i 's|%s|--policyscript=/etc/irqbalance.d|' /etc/sysconfig/irqbalance
                mkdir /etc/irqbalance.d
                ln -s ../../usr/libexec/irqbalance/xen-irq-policy /etc/irqbalance.d/xen-irq-policy
                /usr/local/sbin/restart-irqbalance
                """.formatted(HOOK_ARG));
        // The admin's directory undone; the publisher adds release 2 to the repository.
        before.put("latest", """
                cp /var/tmp/irqbalance.hooked /etc/sysconfig/irqbalance
                rm -r /etc/irqbalance.d
                /usr/local/sbin/restart-irqbalance
                W=%s
                rm -r "$W/repo" && cp -a "$W/repo-next" "$W/repo"
                """.formatted(work));
        // A release older than the adapt command, as the role tells it: no adaptive timer unit
        // (moved aside, and back for the step after).
        before.put("bad-old-package", "mv /usr/lib/systemd/system/xen-irq-policy-adaptive.timer /var/tmp/\n");
        before.put("check-metrics-dir", "mv /var/tmp/xen-irq-policy-adaptive.timer /usr/lib/systemd/system/\n");
        // A host where irqbalance runs without the hook and nothing says it is by choice (as after
        // an earlier release of the role): no install record, no opt-out record.
        before.put("unhooked-no-record", "rm /var/lib/xen-irq-policy/hook-opted-out\n");
        Map<String, String> out = converge(work, steps, before);
        String hooked = upstream().replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"");
        for (String step : steps.keySet()) {
            assertEquals(step.startsWith("bad-") ? "2" : "0", line(out, step, "status"), step + ":\n" + out.get(step + "-output"));
            assertFalse(out.containsKey(step + "-before-failed"), step + ": " + out.get(step + "-before-failed"));
        }

        // Check mode before anything is there: reported as changes, nothing written or installed
        // (dnf cannot look into a repository that is not added yet; the role says so).
        assertTrue(changed(out, "check-fresh") > 0, out.get("check-fresh-output"));
        assertEquals("sysconfig/irqbalance yum.repos.d/standins.repo", line(out, "check-fresh", "files"));
        assertFalse(line(out, "check-fresh", "packages").contains(" xen-irq-policy "), out.get("check-fresh"));
        assertEquals(upstream(), out.get("check-fresh:irqbalance"), "byte-identical");
        assertTrue(out.get("check-fresh-output").contains("the repository is not added yet in check mode"), out.get("check-fresh-output"));

        // First run: the repository added, the package installed (its %post presets the units,
        // wires the hook, applies, restarts irqbalance), the settings written, applied again.
        assertTrue(changed(out, "first") > 0, out.get("first-output"));
        assertEquals("xen-irq-policy enabled", "xen-irq-policy " + line(out, "first", "xen-irq-policy.service"));
        assertEquals("enabled", line(out, "first", "xen-irq-policy.path"));
        assertEquals("disabled", line(out, "first", "xen-irq-policy-metrics.timer"), "shipped off, and the role leaves it off");
        assertEquals("disabled", line(out, "first", "xen-irq-policy-adaptive.timer"), "shipped off, and the role leaves it off");
        assertTrue(line(out, "first", "packages").contains(" xen-irq-policy "), out.get("first"));
        assertEquals("/bin/sh /usr/local/sbin/irqbalance " + HOOK_ARG + " ", line(out, "first", "irqbalance"),
                "irqbalance restarted with the hook");
        assertEquals(settings("spread", ""), out.get("first:xen-irq-policy"));
        assertEquals(hooked, out.get("first:irqbalance"));
        assertEquals(String.join("\n", "[xen-irq-policy]", "baseurl = file://" + work.resolve("repo") + "/",
                "enabled = 1", "gpgcheck = 1", "gpgkey = file://" + work.resolve("repo") + "/RPM-GPG-KEY-xen-irq-policy",
                "name = xen-irq-policy", "", ""), out.get("first:xen-irq-policy.repo"));
        assertEquals("--no-reload preset xen-irq-policy.path xen-irq-policy.service xen-irq-policy-metrics.timer xen-irq-policy-adaptive.timer;-q is-enabled xen-irq-policy.service;daemon-reload;"
                + "start xen-irq-policy.service;-q is-enabled xen-irq-policy.path;start xen-irq-policy.path;try-restart irqbalance.service;"
                + "start xen-irq-policy.service;", line(out, "first", "systemctl"),
                "%post's calls, then the role's handler applies the role's settings; the hook was already wired");

        // Second run: nothing to do, nothing called.
        assertEquals(0, changed(out, "second"), out.get("second-output"));
        assertEquals("", line(out, "second", "systemctl"));
        assertEquals(settings("spread", ""), out.get("second:xen-irq-policy"));

        // Bad input: the host fails before anything is done, with the reason.
        assertTrue(out.get("bad-exclude").contains("localhost : ok=4 changed=0 unreachable=0 failed=1 "), out.get("bad-exclude"));
        assertTrue(out.get("bad-exclude-output").contains("each of xen_irq_policy_exclude one non-empty selector without blanks"),
                out.get("bad-exclude-output"));
        assertEquals(settings("spread", ""), out.get("bad-exclude:xen-irq-policy"));
        assertTrue(out.get("bad-strategy").contains("localhost : ok=1 changed=0 unreachable=0 failed=1 "), out.get("bad-strategy"));
        assertTrue(out.get("bad-strategy-output").contains("value of xen_irq_policy_strategy must be one of: spread, modulo, load, got: random"),
                out.get("bad-strategy-output"));
        assertEquals(settings("spread", ""), out.get("bad-strategy:xen-irq-policy"));
        assertRecap(out, "bad-no-url", 0, 1);
        assertTrue(out.get("bad-no-url-output").contains("xen_irq_policy_repository_url set to the repository's address"),
                out.get("bad-no-url-output"));
        assertEquals(settings("spread", ""), out.get("bad-no-url:xen-irq-policy"));
        assertEquals("", line(out, "bad-exclude", "systemctl") + line(out, "bad-strategy", "systemctl")
                + line(out, "bad-no-url", "systemctl"));

        // Check mode with another strategy: reported, with its diff, and nothing written or applied.
        assertEquals(1, changed(out, "check-modulo"), out.get("check-modulo-output"));
        assertTrue(out.get("check-modulo-output").contains("\n-STRATEGY=spread\n+STRATEGY=modulo\n"), out.get("check-modulo-output"));
        assertEquals(settings("spread", ""), out.get("check-modulo:xen-irq-policy"), "bytes unchanged");
        assertEquals(hooked, out.get("check-modulo:irqbalance"));
        assertEquals("", line(out, "check-modulo", "systemctl"));

        // The hook taken out by hand: check mode says it would be wired again and changes nothing;
        // the next run wires it (install's record alone did not tell) and restarts irqbalance.
        String release1 = VERSION + "-1";
        assertEquals(upstream(), out.get("check-unwired:irqbalance"), "the admin's edit, left as it is");
        assertEquals("/bin/sh /usr/local/sbin/irqbalance ", line(out, "check-unwired", "irqbalance"));
        assertEquals(1, changed(out, "check-unwired"), out.get("check-unwired-output"));
        assertTrue(out.get("check-unwired-output").contains("xen-irq-policy install would run, as irqbalance does not run the hook"),
                out.get("check-unwired-output"));
        assertEquals("", line(out, "check-unwired", "systemctl"));
        assertEquals(2, changed(out, "rewired"), "install, restart:\n" + out.get("rewired-output"));
        assertEquals(hooked, out.get("rewired:irqbalance"));
        assertEquals("/bin/sh /usr/local/sbin/irqbalance " + HOOK_ARG + " ", line(out, "rewired", "irqbalance"));
        assertEquals("try-restart irqbalance.service;", line(out, "rewired", "systemctl"));
        assertEquals(release1, line(out, "rewired", "release"));

        // The role ends with xen-irq-policy check and fails the host when a check fails (here
        // the hook's request nobody answered), with check's reason; nothing changed or called.
        assertRecap(out, "bad-stale-request", 0, 1);
        assertTrue(out.get("bad-stale-request-output").contains("Check the host (xen-irq-policy check)"),
                out.get("bad-stale-request-output"));
        assertTrue(out.get("bad-stale-request-output").contains(
                "1 request(s) from the hook waited more than 60 s, the oldest /run/irqbalance/xen-irq-policy-request.99 for "),
                out.get("bad-stale-request-output"));
        assertEquals(settings("spread", ""), out.get("bad-stale-request:xen-irq-policy"));
        assertEquals(hooked, out.get("bad-stale-request:irqbalance"));
        assertEquals("", line(out, "bad-stale-request", "systemctl"));

        // A relative link to the hook in the admin's policy directory is the hook wired: nothing
        // to change, irqbalance not restarted, and the final check passes. Nothing written.
        assertRecap(out, "relative-hook-link", 0, 0);
        assertEquals("", line(out, "relative-hook-link", "systemctl"));
        assertEquals(hooked.replace(HOOK_ARG, "--policyscript=/etc/irqbalance.d"), out.get("relative-hook-link:irqbalance"));

        // latest: release 2 published, the role upgrades to it (dnf reads the repository again);
        // run again, nothing to do. The upgrade keeps the settings and the hook.
        assertTrue(changed(out, "latest") > 0, out.get("latest-output"));
        assertEquals(VERSION + "-2", line(out, "latest", "release"), out.get("latest-output"));
        assertEquals(settings("spread", ""), out.get("latest:xen-irq-policy"));
        assertEquals(hooked, out.get("latest:irqbalance"));
        assertEquals(0, changed(out, "latest-again"), out.get("latest-again-output"));
        assertEquals(VERSION + "-2", line(out, "latest-again", "release"));
        assertEquals("", line(out, "latest-again", "systemctl"));

        // A release older than the adapt command would refuse the ADAPTIVE_* keys in every command:
        // the host fails with the reason before the settings are written.
        assertRecap(out, "bad-old-package", 0, 1);
        assertTrue(out.get("bad-old-package-output").contains("the xen-irq-policy package on this host is older than the role"),
                out.get("bad-old-package-output"));
        assertEquals(settings("spread", ""), out.get("bad-old-package:xen-irq-policy"), "nothing written");
        assertEquals("", line(out, "bad-old-package", "systemctl"));

        // Check mode with another METRICS_DIR on a host without the drop-in's directory: the
        // settings' diff, the directory and the drop-in (with its diff) reported, nothing written.
        assertEquals(3, changed(out, "check-metrics-dir"), out.get("check-metrics-dir-output"));
        assertTrue(out.get("check-metrics-dir-output").contains("\n-METRICS_DIR=/var/lib/prometheus/node-exporter\n+METRICS_DIR=/srv/textfiles\n"),
                out.get("check-metrics-dir-output"));
        assertTrue(out.get("check-metrics-dir-output").contains("\n+[Service]\n+ReadWritePaths=/srv/textfiles\n"),
                out.get("check-metrics-dir-output"));
        assertEquals(settings("spread", ""), out.get("check-metrics-dir:xen-irq-policy"), "bytes unchanged");
        assertEquals("(no directory)", line(out, "check-metrics-dir", "dropins"));
        assertEquals("", line(out, "check-metrics-dir", "systemctl"));

        // Another METRICS_DIR: the drop-in the service's sandbox needs, systemd reloaded; again,
        // nothing; back at the default, the drop-in and its directory gone, systemd reloaded.
        assertEquals(settings("spread", "", "/srv/textfiles", "no"), out.get("metrics-dir:xen-irq-policy"));
        assertEquals("metrics-dir.conf ", line(out, "metrics-dir", "dropins"));
        assertEquals("""
                #
                # Ansible managed
                #
                # METRICS_DIR in /etc/sysconfig/xen-irq-policy is not the default: the service's sandbox must let
                # it write there (xen-irq-policy(8), METRICS_DIR).
                [Service]
                ReadWritePaths=/srv/textfiles
                """, out.get("metrics-dir:metrics-dir.conf"));
        assertTrue(line(out, "metrics-dir", "systemctl").contains("daemon-reload;"), out.get("metrics-dir"));
        assertEquals(0, changed(out, "metrics-dir-again"), out.get("metrics-dir-again-output"));
        assertEquals(out.get("metrics-dir:metrics-dir.conf"), out.get("metrics-dir-again:metrics-dir.conf"));
        assertEquals(settings("spread", ""), out.get("metrics-dir-default:xen-irq-policy"));
        assertEquals("(no directory)", line(out, "metrics-dir-default", "dropins"));
        assertFalse(out.containsKey("metrics-dir-default:metrics-dir.conf"));
        assertTrue(line(out, "metrics-dir-default", "systemctl").contains("daemon-reload;"), out.get("metrics-dir-default"));
        assertEquals("(no directory)", line(out, "first", "dropins"), "none at the default");

        // No hook: irqbalance's file as it was before the package, irqbalance restarted without it;
        // a list of exclusions quoted for sh and systemd alike, which the engine reads (check passes).
        assertEquals(4, changed(out, "unhooked"), "settings, uninstall, apply, restart:\n" + out.get("unhooked-output"));
        String unhooked = out.get("unhooked:xen-irq-policy");
        assertEquals(settings("spread", "'63, vif12.*, dom:7'"), unhooked);
        // The same value for dash and for systemd 252's EnvironmentFile= (read/EnvironmentFile, which
        // SystemdReadsSysconfigTest checks against systemd's own code).
        Path written = Files.writeString(tmp.resolve("unhooked.settings"), unhooked);
        assertEquals("63, vif12.*, dom:7|spread", Dom0Namespace.run(Duration.ofSeconds(30), "dash", "-c",
                ". \"$1\" && printf '%s|%s' \"$EXCLUDE\" \"$STRATEGY\"", "dash", written.toString()).out());
        EnvironmentFile.Reading systemd = EnvironmentFile.read(unhooked);
        assertFalse(systemd.refused(), systemd.refusedBecause());
        assertEquals(List.of("STRATEGY=spread", "CPUS=", "EXCLUDE_ISOLATED=yes", "SAMPLE_SECONDS=3", "EXCLUDE=63, vif12.*, dom:7",
                "METRICS_DIR=/var/lib/prometheus/node-exporter", "METRICS_IRQ_SERIES_MAX=512", "ADAPTIVE=no",
                "ADAPTIVE_INTERVAL_MINUTES=1", "ADAPTIVE_THRESHOLD=1.25", "ADAPTIVE_SAMPLES=2", "ADAPTIVE_MAX_MOVES=4",
                "ADAPTIVE_COOLDOWN_MINUTES=15", "ADAPTIVE_QUEUE_SPREAD_COST=0.05"),
                systemd.assignments().stream().map(a -> a.key() + "=" + a.value()).toList());
        assertEquals(upstream(), out.get("unhooked:irqbalance"), "byte-identical to before");
        assertEquals("/bin/sh /usr/local/sbin/irqbalance ", line(out, "unhooked", "irqbalance"));
        assertEquals("start xen-irq-policy.service;try-restart irqbalance.service;", line(out, "unhooked", "systemctl"));
        assertEquals("installed ", line(out, "first", "state"));
        assertEquals("hook-opted-out ", line(out, "unhooked", "state"), "install's record gone, the opt-out recorded");
        // The opt-out there, uninstall does not run again.
        assertEquals("hook-opted-out ", line(out, "metrics", "state"));
        assertFalse(line(out, "metrics", "systemctl").contains("irqbalance"), out.get("metrics"));
        // Without install's record and the opt-out's, uninstall runs all the same and records the
        // opt-out (a change, and irqbalance restarted); the final check passes.
        assertEquals(2, changed(out, "unhooked-no-record"), "uninstall, restart:\n" + out.get("unhooked-no-record-output"));
        assertEquals("hook-opted-out ", line(out, "unhooked-no-record", "state"));
        assertEquals("try-restart irqbalance.service;", line(out, "unhooked-no-record", "systemctl"));
        assertEquals(upstream(), out.get("unhooked-no-record:irqbalance"));

        // The metrics timer asked for: enabled (its timers.target.wants link) and started, nothing else
        // changed; the absent step below then takes it away with the package.
        assertEquals("enabled", line(out, "metrics", "xen-irq-policy-metrics.timer"), out.get("metrics-output"));
        assertTrue(line(out, "metrics", "systemctl").startsWith("enable xen-irq-policy-metrics.timer;"), out.get("metrics"));
        assertEquals(out.get("unhooked:xen-irq-policy"), out.get("metrics:xen-irq-policy"), "settings unchanged");
        assertEquals("", line(out, "absent", "xen-irq-policy-metrics.timer"));

        // The adaptive mode in check mode: the settings' diff and the enable reported, nothing
        // written, the timer left disabled, nothing called.
        String adaptiveOn = settings("spread", "'63, vif12.*, dom:7'", "/var/lib/prometheus/node-exporter", "yes");
        assertEquals(2, changed(out, "check-adaptive"), out.get("check-adaptive-output"));
        assertTrue(out.get("check-adaptive-output").contains("\n-ADAPTIVE=no\n+ADAPTIVE=yes\n"), out.get("check-adaptive-output"));
        assertEquals(out.get("metrics:xen-irq-policy"), out.get("check-adaptive:xen-irq-policy"), "bytes unchanged");
        assertEquals("disabled", line(out, "check-adaptive", "xen-irq-policy-adaptive.timer"));
        assertEquals("", line(out, "check-adaptive", "systemctl"));

        // The adaptive mode asked for: ADAPTIVE=yes in the settings (an apply follows, as for any
        // settings change) and the timer enabled and started; again, nothing to do; asked off:
        // ADAPTIVE=no, the timer disabled and stopped.
        assertEquals(4, changed(out, "adaptive"), "settings, enable, apply, start:\n" + out.get("adaptive-output"));
        assertEquals(adaptiveOn, out.get("adaptive:xen-irq-policy"));
        assertEquals("enabled", line(out, "adaptive", "xen-irq-policy-adaptive.timer"), out.get("adaptive-output"));
        assertEquals("enable xen-irq-policy-adaptive.timer;start xen-irq-policy.service;start xen-irq-policy-adaptive.timer;",
                line(out, "adaptive", "systemctl"));
        assertEquals(0, changed(out, "adaptive-again"), out.get("adaptive-again-output"));
        assertEquals(adaptiveOn, out.get("adaptive-again:xen-irq-policy"));
        assertEquals("", line(out, "adaptive-again", "systemctl"));
        assertEquals(4, changed(out, "adaptive-off"), "settings, disable, apply, stop:\n" + out.get("adaptive-off-output"));
        assertEquals(out.get("metrics:xen-irq-policy"), out.get("adaptive-off:xen-irq-policy"));
        assertEquals("disabled", line(out, "adaptive-off", "xen-irq-policy-adaptive.timer"));
        assertEquals("disable xen-irq-policy-adaptive.timer;start xen-irq-policy.service;stop xen-irq-policy-adaptive.timer;",
                line(out, "adaptive-off", "systemctl"));
        assertEquals("", line(out, "absent", "xen-irq-policy-adaptive.timer"));

        // Absent: the package removed, its %preun disables the units and uninstalls (nothing left to
        // undo), the .repo file the role added and the settings rpm saved removed.
        assertTrue(changed(out, "absent") > 0, out.get("absent-output"));
        assertFalse(line(out, "absent", "packages").contains(" xen-irq-policy "), out.get("absent"));
        assertEquals(upstream(), out.get("absent:irqbalance"), "byte-identical to before");
        assertEquals("sysconfig/irqbalance yum.repos.d/standins.repo", line(out, "absent", "files"));
        assertEquals("", line(out, "absent", "state"), "the opt-out removed with the package, and its directory");
        assertEquals("", line(out, "absent", "xen-irq-policy.service"));
        assertEquals(0, changed(out, "absent-again"), out.get("absent-again-output"));

        System.out.printf("AnsibleRoleIT: converge one host: first run %.1f s, second run %.1f s%n",
                Long.parseLong(line(out, "first", "millis")) / 1000.0, Long.parseLong(line(out, "second", "millis")) / 1000.0);
    }

    @Test
    void ansibleLintIsClean() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(5), "env", "HOME=" + home, "NO_COLOR=1", "sh", "-c",
                "cd \"$1\" && exec ansible-lint --offline --nocolor .", "sh", ROLE.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("Passed with production profile: 0 failure(s), 0 warning(s)"), r.out() + r.err());
    }
}
