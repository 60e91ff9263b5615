package org.xenirqpolicy.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
import org.xenirqpolicy.testing.SignedRepository;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * The package installed, upgraded and removed by the real dnf from a dnf repository that
 * rpm/make-repo.sh lays out, signed with a key the test makes, with gpgcheck=1: dnf runs with
 * --installroot on a throwaway copy of this machine's root (src/test/sh/rpm-chroot.sh --beside),
 * so the scriptlets find /bin/sh, grep and systemctl there.
 *
 * <p>That root's rpm database is empty (Debian's), so nothing in it provides what the package
 * requires. A second repository holds <b>stand-ins</b>, built here by rpmbuild: one empty
 * package per requirement, {@code standin-systemd} and so on, which carries only the Provides.
 * They are made on the spot by the test, with no publisher to vouch for them, so their
 * repository has gpgcheck=0; the package under test is always checked.
 */
class DnfRepositoryIT {
    private static final String VERSION = System.getProperty("project.version", "0.1.0");
    private static final Path RPM = Fixtures.repo().resolve("target/rpm/xen-irq-policy/RPMS/x86_64/xen-irq-policy-" + VERSION + "-1.x86_64.rpm");
    private static final Path NEXT = Fixtures.repo().resolve("target/rpm-next-release/xen-irq-policy/RPMS/x86_64/xen-irq-policy-" + VERSION + "-2.x86_64.rpm");
    /** The repository the build lays out (pom.xml, dnf-repository): unsigned. */
    private static final Path BUILT_REPO = Fixtures.repo().resolve("target/repo");
    private static final String KEY = SignedRepository.KEY;
    private static final String HOOK_ARG = "--policyscript=/usr/libexec/irqbalance/xen-irq-policy";
    private static final String TEMPLATE_URL = "https://repo.example.org/xen-irq-policy/";

    @TempDir
    Path tmp;

    @BeforeAll
    static void prerequisites() {
        Dom0Namespace.requirePrerequisites();
        Fixtures.requireExecutables("apt-get install dnf createrepo-c gpg rpm", "/usr/bin/dnf", "/usr/bin/createrepo_c", "/usr/bin/gpg",
                "/usr/bin/rpmsign", "/usr/bin/rpmbuild");
        for (Path p : List.of(RPM, NEXT, BUILT_REPO.resolve("repodata/repomd.xml"))) {
            if (!Files.exists(p)) {
                fail(p + " is missing: run 'mvn verify'");
            }
        }
    }

    private static String upstream() {
        return Fixtures.read(Fixtures.repo().resolve("src/test/resources/sysconfig/upstream-1.9.5.env"));
    }

    private static List<String> requirements() {
        return SignedRepository.requirements(RPM);
    }

    private static String standIn(String requirement) {
        return SignedRepository.standIn(requirement);
    }

    /** A simulated dom0 for the scriptlets' apply. */
    private static final SyntheticDom0 DOM0 = new SyntheticDom0(CpuSet.parseList("0-3"), 4, 1, 2, 1, 3, "xen-dyn-lateeoi",
            SyntheticDom0.uniformQueues(3000, 1000, 20));

    /**
     * Runs {@code script} beside a throwaway root ($ROOT), after a preamble that makes a signing
     * key in $GNUPGHOME, lays out the stand-ins' repository and defines {@code d}: the real dnf on
     * that root with this test's configuration and repositories (reposdir $W/repos.d). Returns its
     * output in sections headed "== name".
     */
    private Map<String, String> scenario(String script) throws IOException {
        Path dom0 = tmp.resolve("dom0");
        DOM0.layOut(HostTree.at(dom0));
        Path standIns = SignedRepository.buildStandIns(tmp, requirements());
        Path work = Files.createDirectories(tmp.resolve("work"));
        String preamble = """
                set -u
                W=%s R1=%s R2=%s BUILT_REPO=%s MAKE_REPO=%s TEMPLATE=%s STANDINS=%s
                %s
                sh "$MAKE_REPO" "$W/standins" "$STANDINS"/*.rpm
                mkdir "$W/repos.d"
                # The root has no release package for dnf to read $releasever from; no .repo here uses it.
                # Fedora's dnf.conf, but a repository that cannot be read is an error, not skipped.
                printf '%%s\\n' '[main]' gpgcheck=1 installonly_limit=3 clean_requirements_on_remove=True best=False \\
                    skip_if_unavailable=False >"$W/dnf.conf"
                printf '%%s\\n' '[standins]' 'name=stand-ins for what xen-irq-policy requires (test only)' \\
                    "baseurl=file://$W/standins" gpgcheck=0 >"$W/repos.d/standins.repo"
                # Only this test's .repo files are read (reposdir), so no --disablerepo; the package has
                # no weak dependencies, so install_weak_deps makes no difference.
                d() { dnf --installroot="$ROOT" --config="$W/dnf.conf" --setopt=reposdir="$W/repos.d" --releasever=41 -y "$@"; }
                # The package's repository, as the shipped .repo file says, at $1.
                use_repo() { sed "s|%s|file://$1/|" "$TEMPLATE" >"$W/repos.d/xen-irq-policy.repo"; }
                now() { date +%%s%%N; }
                """.formatted(work, RPM, NEXT, BUILT_REPO, Fixtures.repo().resolve("rpm/make-repo.sh"),
                Fixtures.repo().resolve("rpm/xen-irq-policy.repo"), standIns, SignedRepository.MAKE_KEY.strip(), TEMPLATE_URL);
        Path file = Files.writeString(tmp.resolve("scenario.sh"), preamble + script);
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(10), "sh",
                Fixtures.repo().resolve("src/test/sh/rpm-chroot.sh").toString(), "--beside", dom0.toString(), file.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        Map<String, String> sections = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^== (\\S+)\\n((?:(?!== ).*\\n)*)").matcher(r.out());
        while (m.find()) {
            sections.put(m.group(1), m.group(2));
        }
        sections.put("stderr", r.err());
        return sections;
    }

    @Test
    void theStandInsAreWhatThePackageRequires() {
        // If the package ever requires more, the stand-ins follow; this names today's.
        assertEquals(List.of("/bin/sh", "coreutils", "grep", "irqbalance", "systemd"), requirements());
        assertEquals(List.of("standin-bin-sh", "standin-coreutils", "standin-grep", "standin-irqbalance", "standin-systemd"),
                requirements().stream().map(DnfRepositoryIT::standIn).toList());
    }

    @Test
    void theShippedRepoFileChecksSignatures() {
        String template = Fixtures.read(Fixtures.repo().resolve("rpm/xen-irq-policy.repo"));
        assertEquals(List.of("[xen-irq-policy]", "name=xen-irq-policy", "baseurl=" + TEMPLATE_URL, "enabled=1", "gpgcheck=1",
                "gpgkey=" + TEMPLATE_URL + "RPM-GPG-KEY-xen-irq-policy"),
                template.lines().filter(l -> !l.startsWith("#")).toList());
    }

    @Test
    void installUpgradeAndRemoveFromTheSignedRepository() throws IOException {
        String settings = Fixtures.read(Fixtures.repo().resolve("sysconfig/xen-irq-policy"));
        assertTrue(settings.contains("\nSTRATEGY=spread\n"), "the shipped default the admin changes below");
        Path sysconfig = Files.writeString(tmp.resolve("irqbalance.orig"), upstream());
        Map<String, String> out = scenario("""
                sh "$MAKE_REPO" --sign '%1$s' "$W/repo" "$R1" 2>"$W/sign.err"
                use_repo "$W/repo"
                echo "== published"; (cd "$W/repo" && find . -path ./repodata -prune -o -type f -print | LC_ALL=C sort && ls repodata/repomd.xml)
                echo "== signature"; rpm -qp --qf '%%{RSAHEADER:pgpsig}\\n' "$W/repo/${R1##*/}" | sed 's/,.*,/,/'
                echo "== fingerprint"; gpg --batch --with-colons --list-keys | awk -F: '$1 == "fpr" { print $10; exit }'
                echo "== before"; rpm --root "$ROOT" -qa | wc -l
                mkdir -p "$ROOT/etc/sysconfig" && cp %2$s "$ROOT/etc/sysconfig/irqbalance"
                t0=$(now); d install xen-irq-policy >"$W/install.out" 2>"$W/install.err"; status=$?; t1=$(now)
                echo "== install-status"; echo $status
                echo "== installed"; chroot "$ROOT" rpm -qa --qf '%%{NAME}\\n' | LC_ALL=C sort
                echo "== installed-signature"; chroot "$ROOT" rpm -q --qf '%%{NAME}-%%{VERSION}-%%{RELEASE} %%{RSAHEADER:pgpsig}\\n' xen-irq-policy | sed 's/,.*,/,/'
                echo "== imported-key"; chroot "$ROOT" rpm -q --qf '%%{VERSION}\\n' gpg-pubkey
                echo "== verify"; chroot "$ROOT" rpm -V xen-irq-policy
                echo "== args"; grep '^IRQBALANCE_ARGS=' "$ROOT/etc/sysconfig/irqbalance"
                echo "== sysconfig-installed"; cat "$ROOT/etc/sysconfig/irqbalance"
                # The admin's setting, and release 2 published into the same repository.
                sed -i 's/^STRATEGY=spread$/STRATEGY=modulo/' "$ROOT/etc/sysconfig/xen-irq-policy"
                cp "$ROOT/etc/sysconfig/xen-irq-policy" "$W/admins-settings"
                sh "$MAKE_REPO" --sign '%1$s' "$W/repo" "$R2" 2>>"$W/sign.err"
                t2=$(now); d upgrade --refresh >"$W/upgrade.out" 2>"$W/upgrade.err"; status=$?; t3=$(now)
                echo "== upgrade-status"; echo $status
                echo "== upgraded"; chroot "$ROOT" rpm -q xen-irq-policy
                echo "== verify2"; chroot "$ROOT" rpm -V xen-irq-policy
                echo "== settings2"; cmp "$W/admins-settings" "$ROOT/etc/sysconfig/xen-irq-policy" && echo byte-identical
                ls "$ROOT/etc/sysconfig"
                echo "== args2"; grep '^IRQBALANCE_ARGS=' "$ROOT/etc/sysconfig/irqbalance"
                t4=$(now); d remove xen-irq-policy >"$W/remove.out" 2>"$W/remove.err"; status=$?; t5=$(now)
                echo "== remove-status"; echo $status
                echo "== removed"; chroot "$ROOT" rpm -qa --qf '%%{NAME}\\n'
                echo "== sysconfig"; cmp %2$s "$ROOT/etc/sysconfig/irqbalance" && echo byte-identical
                echo "== leftovers"
                # dnf's cache and logs are dnf's (its cache directory is named after the repository).
                (cd "$ROOT" && find etc usr var run -xdev -name '*xen-irq-policy*' -not -path 'var/cache/dnf/*' 2>/dev/null)
                echo "== seconds"
                for step in "install $t0 $t1" "upgrade $t2 $t3" "remove $t4 $t5"; do
                    set -- $step; echo "$1 $(( ($3 - $2) / 1000000 ))"
                done
                echo "== install-errors"; cat "$W/install.err"
                echo "== dnf-errors"; cat "$W/upgrade.err" "$W/remove.err"
                echo "== install-output"; cat "$W/install.out"
                echo "== upgrade-output"; cat "$W/upgrade.out"
                echo "== remove-output"; cat "$W/remove.out"
                """.formatted(KEY, sysconfig));
        String all = out.toString();
        assertEquals("""
                ./RPM-GPG-KEY-xen-irq-policy
                ./xen-irq-policy-%s-1.x86_64.rpm
                repodata/repomd.xml
                """.formatted(VERSION), out.get("published"), all);
        String fingerprint = out.get("fingerprint").strip();
        assertTrue(fingerprint.matches("[0-9A-F]{40}"), all);
        String keyId = fingerprint.substring(24).toLowerCase(java.util.Locale.ROOT);
        String shortId = keyId.substring(8);
        assertEquals("RSA/SHA512, Key ID " + keyId + "\n", out.get("signature"), "the published copy is signed with the test's key");
        assertEquals("0\n", out.get("before"), "the root's rpm database is empty: everything required needs a stand-in");

        assertEquals("0\n", out.get("install-status"), all);
        StringBuilder installed = new StringBuilder("gpg-pubkey\n");
        for (String requirement : requirements()) {
            installed.append(standIn(requirement)).append('\n');
        }
        installed.append("xen-irq-policy\n");
        assertEquals(installed.toString(), out.get("installed"), "the package with its stand-ins, and the key dnf imported");
        assertEquals("xen-irq-policy-" + VERSION + "-1 RSA/SHA512, Key ID " + keyId + "\n", out.get("installed-signature"));
        assertEquals(shortId + "\n", out.get("imported-key"), "the key of the .repo file's gpgkey=");
        // dnf -y imports the key that the .repo file's gpgkey= names, and says so on stderr.
        assertEquals("Importing GPG key 0x" + fingerprint.substring(32) + ":\n Userid     : \"" + KEY + "\"\n Fingerprint: "
                + String.join(" ", fingerprint.split("(?<=\\G.{4})")) + "\n From       : " + tmp.resolve("work/repo/RPM-GPG-KEY-xen-irq-policy") + "\n",
                out.get("install-errors"), all);
        assertTrue(out.get("install-output").contains("\nKey imported successfully\n"), all);
        assertEquals("", out.get("verify"), "rpm -V after install");
        assertEquals("IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"\n", out.get("args"));
        assertEquals(upstream().replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"" + HOOK_ARG + "\""), out.get("sysconfig-installed"),
                "%post's edit: one line, the rest of upstream's file as it was");

        assertEquals("0\n", out.get("upgrade-status"), all);
        assertEquals("xen-irq-policy-" + VERSION + "-2.x86_64\n", out.get("upgraded"));
        // STRATEGY=modulo is as long as spread: the digest and the time differ, not the size.
        assertEquals("..5....T.  c /etc/sysconfig/xen-irq-policy\n", out.get("verify2"),
                "rpm -V after upgrade: only the admin's edit of the %config(noreplace) file");
        assertEquals("byte-identical\nirqbalance\nxen-irq-policy\n", out.get("settings2"), "the admin's setting kept, no .rpmnew");
        assertEquals("IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"\n", out.get("args2"), "the upgrade keeps the irqbalance edit");

        assertEquals("0\n", out.get("remove-status"), all);
        assertEquals("gpg-pubkey\n", out.get("removed"), "the package and, as no longer needed, the stand-ins removed");
        assertEquals("byte-identical\n", out.get("sysconfig"), "/etc/sysconfig/irqbalance restored byte for byte");
        assertEquals("etc/sysconfig/xen-irq-policy.rpmsave\n", out.get("leftovers"), "rpm keeps the admin's edited settings, nothing else");
        assertEquals("", out.get("dnf-errors"), "upgrade and remove: nothing on stderr");
        assertTrue(out.get("remove-output").contains("\nwarning: /etc/sysconfig/xen-irq-policy saved as /etc/sysconfig/xen-irq-policy.rpmsave\n"), all);

        Map<String, Long> millis = new LinkedHashMap<>();
        out.get("seconds").lines().forEach(l -> millis.put(l.split(" ")[0], Long.parseLong(l.split(" ")[1])));
        System.out.printf("DnfRepositoryIT: dnf install %.1f s, upgrade %.1f s, remove %.1f s%n",
                millis.get("install") / 1000.0, millis.get("upgrade") / 1000.0, millis.get("remove") / 1000.0);
    }

    @Test
    void anUnsignedPackageIsRefused() throws IOException {
        Map<String, String> out = scenario("""
                # The key is published, but the build's repository holds the package as rpmbuild made it.
                mkdir "$W/unsigned" && cp -r "$BUILT_REPO"/. "$W/unsigned/"
                gpg --batch --armor --export '%s' >"$W/unsigned/RPM-GPG-KEY-xen-irq-policy"
                use_repo "$W/unsigned"
                d install xen-irq-policy >"$W/install.out" 2>"$W/install.err"; status=$?
                echo "== install-status"; echo $status
                echo "== installed"; chroot "$ROOT" rpm -qa --qf '%%{NAME}\\n' | grep -c xen-irq-policy
                echo "== dnf"; cat "$W/install.out" "$W/install.err"
                """.formatted(KEY));
        assertNotEquals("0\n", out.get("install-status"), out.toString());
        assertEquals("0\n", out.get("installed"), "nothing installed");
        assertTrue(out.get("dnf").contains("\nPackage xen-irq-policy-" + VERSION + "-1.x86_64.rpm is not signed\nError: GPG check FAILED\n"),
                out.get("dnf"));
    }
}
