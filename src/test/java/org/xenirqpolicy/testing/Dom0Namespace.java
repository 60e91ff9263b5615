package org.xenirqpolicy.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the real irqbalance, or any command, against a simulated dom0 through
 * src/test/sh/dom0-namespace.sh: a private mount namespace, optionally with Fedora's
 * irqbalance.service sandbox (read-only root, W^X). Needs root, unshare, irqbalance and a C
 * compiler; under CI a missing one fails the test, elsewhere the test is skipped.
 */
public final class Dom0Namespace {
    public static final Path IRQBALANCE = Path.of("/usr/sbin/irqbalance");

    private Dom0Namespace() {
    }

    /** The output of a finished command. */
    public record Result(int status, String out, String err) {
    }

    public static void requirePrerequisites() {
        List<String> missing = new ArrayList<>();
        try {
            if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
                missing.add("root");
            }
        } catch (IOException e) {
            missing.add("root");
        }
        for (String tool : List.of("/usr/bin/unshare", "/usr/bin/setpriv", IRQBALANCE.toString(), "/usr/bin/cc")) {
            if (!Files.isExecutable(Path.of(tool))) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            Fixtures.unmet("needs " + String.join(", ", missing) + " (apt-get install util-linux irqbalance gcc; run as root)");
        }
    }

    private static Path script() {
        return Fixtures.repo().resolve("src/test/sh/dom0-namespace.sh");
    }

    /** src/test/c/mdwe-exec.c, compiled once into target/test-tools. */
    public static synchronized Path mdweExec() {
        Path out = Fixtures.repo().resolve("target/test-tools/mdwe-exec");
        if (!Files.isExecutable(out)) {
            try {
                Files.createDirectories(out.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Result cc = run(Duration.ofSeconds(60), "cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", out.toString(),
                    Fixtures.repo().resolve("src/test/c/mdwe-exec.c").toString());
            if (cc.status() != 0) {
                throw new IllegalStateException("cannot build mdwe-exec: " + cc.err());
            }
        }
        return out;
    }

    /** The hook laid out as the package installs it, under {@code stage}. */
    public static Path stageHook(Path stage) {
        Path hook = stage.resolve("usr/libexec/irqbalance/xen-irq-policy");
        try {
            Files.createDirectories(hook.getParent());
            Files.copy(Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook"), hook, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hook;
    }

    /** The command line that runs {@code command} inside the simulated dom0 {@code tree}. */
    public static List<String> inside(Path tree, boolean sandbox, String... command) {
        List<String> cmd = new ArrayList<>(List.of("sh", script().toString()));
        if (sandbox) {
            cmd.add("--sandbox");
            cmd.add(mdweExec().toString());
        }
        cmd.add(tree.toString());
        cmd.addAll(List.of(command));
        return cmd;
    }

    /**
     * The command line that runs {@code command} in the simulated dom0 {@code tree} under the
     * sandbox of {@code unit} (xen-irq-policy.service) as far as it can be rebuilt without systemd:
     * its mounts (ProtectSystem=strict but ReadWritePaths=, PrivateTmp=, ProtectHome=,
     * PrivateDevices=), a network namespace of its own (PrivateNetwork=), CapabilityBoundingSet=,
     * NoNewPrivileges=, UMask=, and / as the working directory. Every step execs the next, so
     * the command keeps the pid of the process that starts this line.
     */
    public static List<String> inService(Path tree, UnitFile unit, String... command) {
        for (String[] setting : new String[][] {{"ProtectSystem", "strict"}, {"PrivateTmp", "yes"}, {"ProtectHome", "yes"},
                {"PrivateDevices", "yes"}, {"PrivateNetwork", "yes"}, {"NoNewPrivileges", "yes"}}) {
            if (!setting[1].equals(unit.value("Service." + setting[0]))) {
                throw new IllegalArgumentException("the harness rebuilds " + setting[0] + "=" + setting[1] + " only, not "
                        + unit.value("Service." + setting[0]));
            }
        }
        List<String> cmd = new ArrayList<>(List.of("sh", script().toString(), "--service",
                String.join(" ", unit.words("Service.ReadWritePaths")), tree.toString(), "unshare", "--net", "setpriv",
                "--no-new-privs"));
        if (unit.isSet("Service.CapabilityBoundingSet")) {
            StringBuilder bounding = new StringBuilder("-all");
            for (String cap : unit.words("Service.CapabilityBoundingSet")) {
                if (!cap.startsWith("CAP_")) {
                    throw new IllegalArgumentException("the harness takes a list of capabilities to keep, not " + cap);
                }
                bounding.append(",+").append(cap.substring(4).toLowerCase(Locale.ROOT));
            }
            cmd.add("--bounding-set=" + bounding);
        }
        String umask = unit.value("Service.UMask");
        cmd.addAll(List.of("sh", "-c", "umask " + (umask == null ? "0022" : umask) + " && cd / && exec \"$@\"", "sh"));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** irqbalance once: every IRQ through the policy script, one placement, then exit. */
    public static Result irqbalanceOnce(Path tree, boolean sandbox, String policyScript) {
        return run(Duration.ofSeconds(90), inside(tree, sandbox, IRQBALANCE.toString(), "--oneshot", "--foreground",
                "--debug", "--interval=1", "--policyscript=" + policyScript).toArray(String[]::new));
    }

    public static Result run(Duration timeout, String... command) {
        try {
            Process p = new ProcessBuilder(command).start();
            Drain out = new Drain(p.getInputStream());
            Drain err = new Drain(p.getErrorStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish in " + timeout + "; output:\n" + out.text() + err.text());
            }
            return new Result(p.exitValue(), out.finish(), err.finish());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A command left running, its output collected as it comes. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Drain out;
        private final Drain err;

        public Running(List<String> command) {
            try {
                process = new ProcessBuilder(command).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out = new Drain(process.getInputStream());
            err = new Drain(process.getErrorStream());
        }

        public String out() {
            return out.text();
        }

        public String err() {
            return err.text();
        }

        public long pid() {
            return process.pid();
        }

        public boolean alive() {
            return process.isAlive();
        }

        /** The exit status once it ended, 128 + the signal's number if a signal killed it. */
        public int exitStatus() throws InterruptedException {
            return process.waitFor();
        }

        public void signal(String name) {
            Result kill = run(Duration.ofSeconds(10), "kill", "-" + name, String.valueOf(process.pid()));
            if (kill.status() != 0) {
                throw new IllegalStateException("kill -" + name + ": " + kill.err());
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    // irqbalance 1.9.2 ignores SIGTERM while it rescans.
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until {@code condition} holds, or fails after {@code timeout} with {@code what}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Collects a stream on its own thread, so that a chatty process never blocks on a full pipe. */
    private static final class Drain {
        private final StringBuffer text = new StringBuffer();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    for (int n; (n = in.read(buf)) > 0;) {
                        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException ignored) {
                    // The process ended.
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        String text() {
            return text.toString();
        }

        /** Everything, once the process has ended and its pipe is drained. */
        String finish() throws InterruptedException {
            thread.join(10_000);
            return text.toString();
        }
    }
}
