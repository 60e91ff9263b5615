package org.xenirqpolicy.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.read.IrqbalanceConfig;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HookRun;
import org.xenirqpolicy.testing.HostTree;

/**
 * irqbalance's --banirq, read from IRQBALANCE_ARGS by the engine (read/IrqbalanceOptions, on
 * /etc/sysconfig/irqbalance as systemd reads it) and by the hook (banned_by_irqbalance, on the
 * variable as irqbalance's environment gives it), on one table. The expected column is
 * irqbalance's own reading (parse_command_line in irqbalance.c: glibc getopt_long, optstring
 * "odfjVi:p:s:c:l:m:t:e:", the value by strtoull cast to int; usage and exit 1 on a bad option or
 * value, so that nothing is banned as irqbalance does not run). irqbalance 1.9.2 itself, run with
 * each row's arguments then -V (which it reads last and exits at), printed these bans ("IRQ N was
 * BANNED") and refusals (its usage), but for the rows with "--", which it would run with, and the
 * row that ends in -V. The hook's answer is seen from
 * outside: with no plan, a banned event channel is left where it is and no plan is asked for,
 * any other is placed by the fallback with a request.
 */
class BannedIrqsBothLanguagesTest {
    /** The sample dom0's event channels the table's values aim at. */
    private static final List<Integer> ASKED = List.of(241, 243, 244);

    /** @param banned the IRQs of {@link #ASKED} irqbalance bans, as "241,243" ("" for none) */
    private record Row(String args, String banned) {
    }

    private static final List<Row> TABLE = List.of(
            new Row("--banirq=243", "243"),
            new Row("--banirq 243", "243"),
            new Row("-i 243", "243"),
            new Row("-i243", "243"),
            new Row("-i 243 -i 241", "241,243"),
            new Row("--foreground --banirq=243", "243"),
            // Short options group; one that takes an argument takes the rest of the word.
            new Row("-fi243", "243"),
            new Row("-ofi 243", "243"),
            // A long option by any prefix that names it alone.
            new Row("--banir=243", "243"),
            new Row("--bani 243", "243"),
            new Row("--ban=243", ""),
            new Row("--b 243", ""),
            new Row("--i 243", ""),
            // The value: strtoull, base 10, then the low 32 bits as an int.
            new Row("--banirq=243abc", "243"),
            new Row("--banirq=+243", "243"),
            new Row("--banirq=0243", "243"),
            new Row("--banirq=0x243", ""),
            new Row("--banirq=4294967539", "243"),
            new Row("--banirq=18446744069414584563", "243"),
            new Row("--banirq=-4294967053", "243"),
            new Row("--banirq=-18446744073709551375", "241"),
            new Row("--banirq=2147483891", ""),
            new Row("--banirq=-0 --banirq=244", "244"),
            // Values irqbalance refuses: it does not start, nothing is banned.
            new Row("--banirq=abc", ""),
            new Row("--banirq=243 --banirq=x", ""),
            new Row("--banirq=-1 -i 243", ""),
            new Row("--banirq=18446744073709551615 -i243", ""),
            new Row("--banirq=18446744073709551616 -i243", ""),
            new Row("--banirq=-18446744073709551616 -i243", ""),
            new Row("-i:243", ""),
            // So are bad values of -c (strtoul, at least 1), -t (strtol into an int, at least 1),
            // -p (strtoull), -e (strtoul).
            new Row("-c -i244 -i243", ""),
            new Row("-c 0 -i243", ""),
            new Row("-c -0 -i243", ""),
            new Row("-c -1 -i243", ""),
            new Row("-c -2 -i243", "243"),
            new Row("-c 2x -i243", "243"),
            new Row("-t 0 -i243", ""),
            new Row("-t -5 -i243", ""),
            new Row("-t 99999999999999999999 -i243", ""),
            new Row("-t 9223372036854775807 -i243", ""),
            new Row("-t -9223372036854775807 -i243", "243"),
            new Row("-t -9223372036854775808 -i243", ""),
            new Row("-t 4294967297 -i243", "243"),
            new Row("-t 2147483648 -i243", ""),
            new Row("-t -4294967295 -i243", "243"),
            new Row("--interval=+10 -i243", "243"),
            // irqbalance 1.9.4 and before: off or a prefix of it; 1.9.5 and later: off... .
            new Row("-p offish -i243", ""),
            new Row("-p of -i243", "243"),
            new Row("-p off -i243", "243"),
            new Row("-p 9223372036854775807 -i243", "243"),
            new Row("-c 18446744073709551614 -i243", "243"),
            new Row("-c -18446744073709551615 -i243", "243"),
            new Row("-p 18446744073709551615 -i243", ""),
            new Row("-p -2 -i243", "243"),
            new Row("-e x -i243", ""),
            new Row("-e -1 -i243", "243"),
            // The argument of an option is never an option, whatever it looks like.
            new Row("--policyscript -i244 --banirq 243", "243"),
            new Row("-l -i244 -i243", "243"),
            new Row("-l-i244", ""),
            new Row("--banmod -i244 -i 243", "243"),
            new Row("--pid=-i244 -s -i241 -m -i244 -i243", "243"),
            new Row("--banirq -i244", ""),
            // Other words are skipped; "--" ends the options.
            new Row("x --banirq=243 y", "243"),
            new Row("- -i243", "243"),
            new Row("-- --banirq=243", ""),
            new Row("-i243 -- -i244", "243"),
            // Arguments irqbalance refuses, or --version: it exits at start.
            new Row("--banirq", ""),
            new Row("-i", ""),
            new Row("-i243 --banirq", ""),
            new Row("--foreground=1 --banirq=243", ""),
            new Row("-x --banirq=243", ""),
            new Row("--banscript=243 -x 243", ""),
            new Row("-i243 -V", ""),
            new Row("--versio -i243", ""),
            new Row("", ""));

    @TempDir
    Path tmp;

    private static String engine(String args) {
        Exclusions bans = IrqbalanceConfig.bannedIrqs("IRQBALANCE_ARGS='" + args + "'\n");
        List<String> banned = new ArrayList<>();
        for (int irq : ASKED) {
            if (bans.match(irq, "vif").isPresent()) {
                banned.add(String.valueOf(irq));
            }
        }
        return String.join(",", banned);
    }

    private static String hook(String shell, Path root, String args) {
        HostTree t = HostTree.at(root);
        List<String> banned = new ArrayList<>();
        for (int irq : ASKED) {
            String request = "/run/irqbalance/xen-irq-policy-request." + irq;
            t.write("/proc/irq/" + irq + "/smp_affinity_list", "1\n");
            if (t.exists(request)) {
                t.path(request).toFile().delete();
            }
            HookRun.Result r = HookRun.run(shell, root, irq, Map.of("IRQBALANCE_ARGS", args));
            assertEquals(HookRun.Result.BANNED, r, args);
            boolean leftAlone = t.read("/proc/irq/" + irq + "/smp_affinity_list").equals("1\n") && !t.exists(request);
            if (leftAlone) {
                banned.add(String.valueOf(irq));
            }
        }
        return String.join(",", banned);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/bin/dash", "/bin/bash --posix"})
    void theEngineAndTheHookReadBanirqAsIrqbalanceDoes(String shell) {
        Path root = Cli.sampleDom0(tmp.resolve("sample"));
        HostTree.at(root).write("/run/irqbalance/.keep", "");
        List<String> wrong = new ArrayList<>();
        for (Row row : TABLE) {
            String engine = engine(row.args());
            String hook = hook(shell, root, row.args());
            if (!engine.equals(row.banned()) || !hook.equals(row.banned())) {
                wrong.add("'" + row.args() + "': irqbalance bans [" + row.banned() + "], the engine [" + engine
                        + "], the hook [" + hook + "]");
            }
        }
        assertEquals(List.of(), wrong);
    }
}
