package org.xenirqpolicy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/** The seed's policy script, made runnable on a root by bench/seed-policy-script.sh, and run as irqbalance runs it. */
public final class SeedScript {
    private SeedScript() {
    }

    public static Path write(Path dir) {
        Fixtures.required("seed/xen-netback-irq-balance.txt");
        Path script = dir.resolve("seed-policy");
        Process p = start(new ProcessBuilder("sh", Fixtures.repo().resolve("bench/seed-policy-script.sh").toString())
                .redirectOutput(script.toFile()));
        wait(p, "seed-policy-script.sh");
        try {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return script;
    }

    /** Runs {@code script /sys IRQ} against {@code root}; returns its stdout. */
    public static String run(Path script, Path root, int irq) {
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "/sys", String.valueOf(irq)).redirectErrorStream(true);
        pb.environment().put("XEN_IRQ_POLICY_ROOT", root.toString());
        Process p = start(pb);
        try {
            String out = new String(p.getInputStream().readAllBytes());
            wait(p, script.toString());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Process start(ProcessBuilder pb) {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void wait(Process p, String what) {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed with " + p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
