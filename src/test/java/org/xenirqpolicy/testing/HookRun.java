package org.xenirqpolicy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The irqbalance hook run as irqbalance runs it, {@code HOOK /sys IRQ}, on a directory tree. */
public final class HookRun {
    public static final Path HOOK = Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook");
    /** Variables of irqbalance's environment the hook reads: a test gives them or they are unset. */
    private static final List<String> IRQBALANCE_VARIABLES =
            List.of("IRQBALANCE_ARGS", "IRQBALANCE_BANNED_CPULIST", "IRQBALANCE_BANNED_CPUS");

    /** Exit status, stdout and stderr, bytes as ISO-8859-1. */
    public record Result(int status, String out, String err) {
        /** What the hook answers for an event channel: ban=true alone. */
        public static final Result BANNED = new Result(0, "ban=true\n", "");
    }

    private HookRun() {
    }

    /**
     * @param shell "/bin/dash" or "/bin/bash --posix": the shell that runs the script
     * @param root  the tree the hook sees as / (XEN_IRQ_POLICY_ROOT)
     * @param env   irqbalance's variables for this run; the others are unset
     */
    public static Result run(String shell, Path root, int irq, Map<String, String> env) {
        List<String> cmd = new ArrayList<>(List.of(shell.split(" ")));
        cmd.addAll(List.of(HOOK.toString(), "/sys", String.valueOf(irq)));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        IRQBALANCE_VARIABLES.forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        pb.environment().put("XEN_IRQ_POLICY_ROOT", root.toString());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return new Result(p.waitFor(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
