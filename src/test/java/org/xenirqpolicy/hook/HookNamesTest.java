package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.read.ShellRead;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;

/**
 * Action names, byte for byte, through the engine and the hook: every byte value in a name, and
 * leading, trailing and doubled spaces and tabs, from /sys/kernel/irq/N/actions, from the
 * /proc/interrupts lines where they cannot differ from it, and from those lines alone (kernels
 * before 4.12). apply places each IRQ and saves its name in the
 * plan; the hook, run as irqbalance runs it, must then find the same name there: the IRQ stays
 * where apply put it and no request is left (a mismatch would make the two fight forever).
 */
class HookNamesTest {
    private static final Path HOOK = Fixtures.repo().resolve("src/main/sh/xen-irq-policy-hook");
    private static final int FIRST_IRQ = 300;
    private static final String AS_IRQBALANCE = "sh -c 'exec HOOK /sys IRQ'";

    @TempDir
    Path tmp;

    /** The names tried, as bytes (one char per byte). */
    private static List<String> names() {
        List<String> names = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            names.add("vif" + (char) b + ".0-q0-tx");
        }
        names.addAll(List.of(" vif1.0-q0-tx", "vif1.0-q0-tx ", "\tvif1.0-q0-tx\t", "vif1.0  -q0-tx", "vif1.0\t-q0-tx",
                " \t vif1.0 \t\t q0  tx \t ", "vif1.0-q0-tx\r", "\rvif1.0", "vif\u00c3\u00a9.0-q0-tx", "vif1.0-q0-tx\\",
                "vif1.0-q0-tx, evtchn:qemu", "a\u0000\u0000b", "-x tail", "12-edge name", "\u000b\u000c\u001c\u0085\u00a0"));
        return names;
    }

    private static String procInterrupts(List<String> names) {
        StringBuilder text = new StringBuilder("           CPU0       CPU1       CPU2       CPU3\n");
        for (int i = 0; i < names.size(); i++) {
            text.append(String.format("%4d:          0          0          0          0  xen-dyn    -event     ", FIRST_IRQ + i))
                    .append(names.get(i)).append('\n');
        }
        return text.toString();
    }

    private Path tree(String dir, List<String> names, boolean sysKernelIrq) {
        Path root = tmp.resolve(dir);
        HostTree t = HostTree.at(root);
        // The kernel prints the same action names in both places; a newline in one cuts its line.
        t.fromInterrupts(procInterrupts(names), false);
        t.write("/run/irqbalance/.keep", "");
        if (sysKernelIrq) {
            for (int i = 0; i < names.size(); i++) {
                t.write("/sys/kernel/irq/" + (FIRST_IRQ + i) + "/chip_name", "xen-dyn\n");
                t.write("/sys/kernel/irq/" + (FIRST_IRQ + i) + "/actions", names.get(i) + "\n");
            }
        }
        return root;
    }

    /**
     * The hook as irqbalance runs it, {@code sh -c 'exec HOOK /sys IRQ'} (its #!/bin/sh is dash
     * here, as on Debian), or under bash in POSIX mode (Fedora's sh).
     */
    private static String hook(String shell, Path root, int irq) {
        List<String> cmd = new ArrayList<>();
        if (shell.equals(AS_IRQBALANCE)) {
            cmd.addAll(List.of("/bin/sh", "-c", "exec " + HOOK + " /sys " + irq));
        } else {
            cmd.addAll(List.of(shell.split(" ")));
            cmd.addAll(List.of(HOOK.toString(), "/sys", String.valueOf(irq)));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("XEN_IRQ_POLICY_ROOT", root.toString());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes()) + new String(p.getErrorStream().readAllBytes());
            return p.waitFor() + " " + out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void engineAndHookAgree(List<String> names, boolean sysKernelIrq) {
        Path root = tree(sysKernelIrq ? "sys" : "proc", names, sysKernelIrq);
        HostTree t = HostTree.at(root);
        Cli.Result apply = Cli.run("apply", "--root", root.toString());
        assertEquals(0, apply.status(), apply.err());
        Plan plan = PlanFile.parse(t.read("/run/xen-irq-policy/plan/all")).orElseThrow();
        Map<Integer, Placement> placed = plan.byIrq();
        assertEquals(names.size(), placed.size());
        List<String> disagreements = new ArrayList<>();
        for (String shell : List.of(AS_IRQBALANCE, "/bin/bash --posix")) {
            for (int i = 0; i < names.size(); i++) {
                int irq = FIRST_IRQ + i;
                String affinity = "/proc/irq/" + irq + "/smp_affinity_list";
                String before = t.read(affinity);
                assertEquals(placed.get(irq).cpu() + "\n", before, "apply placed " + irq);
                String answer = hook(shell, root, irq);
                String request = "/run/irqbalance/xen-irq-policy-request." + irq;
                if (!answer.equals("0 ban=true\n") || !t.read(affinity).equals(before) || t.exists(request)) {
                    disagreements.add(shell + " IRQ " + irq + " name " + escape(names.get(i)) + " planned as "
                            + escape(placed.get(irq).name()) + ": " + answer.strip() + ", on " + t.read(affinity).strip()
                            + (t.exists(request) ? ", request" : ""));
                    t.path(request).toFile().delete();
                    t.write(affinity, before);
                }
            }
        }
        assertEquals(List.of(), disagreements);
    }

    /** With a name that holds a newline, which cuts its /proc line: the engine reads every name from sysfs. */
    @Test
    void namesFromSysKernelIrqAreTheSameBytesToTheEngineAndToTheHook() {
        engineAndHookAgree(names(), true);
    }

    /**
     * Without it: the engine takes a name of one word from its /proc line (ProcInterrupts'
     * rule) and reads the others from sysfs, and the hook, which reads sysfs, agrees on each.
     */
    @Test
    void namesFromProcInterruptsWhereSysfsHasThemTooAreTheSameBytesToTheHook() {
        engineAndHookAgree(names().stream().filter(name -> name.indexOf('\n') < 0).toList(), true);
    }

    @Test
    void namesFromProcInterruptsAreTheSameBytesToTheEngineAndToTheHook() {
        engineAndHookAgree(names(), false);
    }

    @Test
    void theNameIsWhatTheShellsReadGives() {
        assertEquals("a\u0000b".replace("\u0000", ""), ShellRead.firstLine("\t a\u0000b \t\nnext"));
        assertEquals("vif\u00c3\u00a9.0 \u000b\r", ShellRead.firstLine(" vif\u00c3\u00a9.0 \u000b\r\t\n"));
        assertEquals(List.of("a", "b\u000bc", "d\r"), ShellRead.words(" a\t\tb\u000bc  d\r "));
        // The plan is bytes: each char of a name is one byte of the file.
        Plan plan = new Plan(Strategy.SPREAD, CpuSet.of(0),
                List.of(new Placement(1, 0, "vif\u00c3\u00a9\r\u00ff")));
        byte[] bytes = PlanFile.bytes(plan, 1, 1);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertEquals(bytes.length, text.length());
        assertEquals(plan, PlanFile.parse(text).orElseThrow());
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }
}
