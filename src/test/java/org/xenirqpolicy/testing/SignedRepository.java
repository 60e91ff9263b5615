package org.xenirqpolicy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a test needs to install the package with the real dnf from a signed repository, on a
 * root whose rpm database is empty (Debian's): a throwaway signing key, the script that lays out
 * the repository (rpm/make-repo.sh), and <b>stand-ins</b> for what the package requires, built
 * here by rpmbuild: one empty package per requirement, {@code standin-systemd} and so on, which
 * carries only the Provides. The stand-ins have no publisher to vouch for them, so their
 * repository has gpgcheck=0; the package under test is always checked.
 */
public final class SignedRepository {
    public static final String VERSION = System.getProperty("project.version", "0.1.0");
    public static final Path RPM = Fixtures.repo().resolve("target/rpm/xen-irq-policy/RPMS/x86_64/xen-irq-policy-" + VERSION + "-1.x86_64.rpm");
    /** The same package one release later (pom.xml, rpm-next-release), for upgrades. */
    public static final Path NEXT = Fixtures.repo().resolve("target/rpm-next-release/xen-irq-policy/RPMS/x86_64/xen-irq-policy-" + VERSION
            + "-2.x86_64.rpm");
    /** The name of the GPG key {@link #MAKE_KEY} makes. */
    public static final String KEY = "xen-irq-policy test key <test@xen-irq-policy.invalid>";
    public static final Path MAKE_REPO = Fixtures.repo().resolve("rpm/make-repo.sh");
    /** The .repo file the package ships, and the address it holds in place of the real one. */
    public static final Path REPO_FILE = Fixtures.repo().resolve("rpm/xen-irq-policy.repo");
    public static final String TEMPLATE_URL = "https://repo.example.org/xen-irq-policy/";
    /**
     * sh lines that make {@link #KEY} in a new $GNUPGHOME under $W, with an agent that is
     * killed when the script exits.
     */
    public static final String MAKE_KEY = """
            export GNUPGHOME="$W/gnupg"
            mkdir -m 0700 "$GNUPGHOME"
            # gpg starts an agent for the key; it must not outlive the test.
            trap 'gpgconf --kill gpg-agent' EXIT
            gpg --batch --passphrase '' --quick-gen-key '%s' rsa3072 sign never 2>/dev/null
            """.formatted(KEY);

    private SignedRepository() {
    }

    /** What {@code rpm} requires, less rpm's own features and the conditional SELinux one. */
    public static List<String> requirements(Path rpm) {
        String names = Dom0Namespace.run(Duration.ofSeconds(30), "rpm", "-qp", "--qf", "[%{REQUIRENAME}\\n]", rpm.toString()).out();
        return names.lines().filter(n -> !n.startsWith("rpmlib(") && !n.startsWith("(")).distinct().sorted().toList();
    }

    /** standin-systemd for systemd; standin-bin-sh for /bin/sh. */
    public static String standIn(String requirement) {
        return "standin-" + requirement.replaceAll("^/", "").replace('/', '-');
    }

    /**
     * The stand-in packages, one per requirement, built by rpmbuild from a generated spec under
     * {@code work}; returns the directory that holds them.
     */
    public static Path buildStandIns(Path work, List<String> requirements) {
        StringBuilder spec = new StringBuilder();
        for (int i = 0; i < requirements.size(); i++) {
            String name = standIn(requirements.get(i));
            String header = i == 0 ? "Name: " + name + "\nVersion: 1\nRelease: 1\nLicense: MIT\nBuildArch: noarch\n"
                    : "%package -n " + name + "\n";
            String suffix = i == 0 ? "" : " -n " + name;
            spec.append(header)
                    .append("Summary: Test stand-in: provides ").append(requirements.get(i)).append(", holds nothing\n")
                    .append("Provides: ").append(requirements.get(i)).append('\n')
                    .append("%description").append(suffix).append("\nA stand-in for a test root; no files.\n")
                    .append("%files").append(suffix).append("\n");
        }
        try {
            Path specFile = Files.writeString(work.resolve("standins.spec"), spec.toString());
            Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofMinutes(2), "rpmbuild", "-bb", "--define", "_topdir " + work.resolve("rpmbuild"),
                    specFile.toString());
            assertEquals(0, r.status(), r.out() + r.err());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return work.resolve("rpmbuild/RPMS/noarch");
    }
}
