package org.xenirqpolicy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.testing.CapturedDom0;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

/**
 * EXCLUDE= and irqbalance's --banirq on generated dom0s: an IRQ an admin pinned by hand (tuna,
 * echo) stays as it is, byte for byte, through apply; plan, status and check show it as excluded;
 * the IRQ arguments of plan and status take the same selectors; bad values are refused.
 *
 * <p>The dom0: CPUs 0-3, guests 1-3 with one 2-queue vif and one disk each. IRQs: xenbus 50,
 * xen-pcpu 51, mce 52, hvc_console 53, then per guest d (base 54 + 7(d-1)): evtchn:xenstored,
 * evtchn:xenconsoled, vif<d>.0-q0-tx, -q0-rx, -q1-tx, -q1-rx, blkif-backend. So guest 2's
 * vif2.0-q0-tx is IRQ 63 and its disk 67.
 */
class ExclusionsTest {
    private static final SyntheticDom0 DOM0 = new SyntheticDom0(CpuSet.parseList("0-3"), 3, 1, 2, 1, 2, "xen-dyn-lateeoi",
            SyntheticDom0.uniformQueues(3000, 1000, 20));
    private static final String SETTINGS = "/etc/sysconfig/xen-irq-policy";
    private static final String IRQBALANCE = "/etc/sysconfig/irqbalance";
    private static final int PINNED = 63;
    private static final String PIN = "3\n";

    @TempDir
    Path tmp;

    private HostTree dom0(String name) {
        HostTree t = DOM0.layOut(HostTree.at(tmp.resolve(name)));
        assertEquals("vif2.0-q0-tx\n", t.read("/sys/kernel/irq/" + PINNED + "/actions"));
        assertEquals("blkif-backend\n", t.read("/sys/kernel/irq/67/actions"));
        return t;
    }

    /** What `echo 3 > /proc/irq/63/smp_affinity_list` leaves, as the kernel shows it. */
    private static void pinByHand(HostTree t) {
        t.write("/proc/irq/" + PINNED + "/smp_affinity_list", PIN);
        t.write("/proc/irq/" + PINNED + "/smp_affinity", "8\n");
    }

    private static Cli.Result run(HostTree t, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--root";
        all[args.length + 1] = t.root().toString();
        return Cli.run(all);
    }

    @Test
    void withoutAnExclusionApplyUndoesTheManualPin() {
        HostTree t = dom0("plain");
        pinByHand(t);
        Cli.Result apply = run(t, "apply");
        assertEquals(0, apply.status(), apply.err());
        assertNotEquals(PIN, t.read("/proc/irq/" + PINNED + "/smp_affinity_list"), "the pin this test protects is undone");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "EXCLUDE=63\\n|                                                   |63",
        "EXCLUDE='vif2.*-q0-t[x]'\\n|                                     |vif2.*-q0-t[x]",
        "# a guest's netback channels\\nEXCLUDE=\"17, dom:2\"\\n|          |dom:2",
        "|IRQBALANCE_ARGS=\"--banirq=63 --policyscript=/usr/libexec/irqbalance/xen-irq-policy\"\\n|--banirq",
        "|IRQBALANCE_ARGS=\"-i 63\"\\n                                     |--banirq",
        "|IRQBALANCE_ARGS='--policyscript -i67 --banirq 63'\\n              |--banirq",
        "|IRQBALANCE_ARGS=\"-i63\" # sh would not pass the comment, systemd does\\n|--banirq",
    })
    void aManualPinStaysByteForByteThroughApply(String settings, String irqbalance, String why) {
        HostTree t = dom0("pinned");
        if (settings != null) {
            t.write(SETTINGS, settings.replace("\\n", "\n"));
        }
        if (irqbalance != null) {
            t.write(IRQBALANCE, irqbalance.strip().replace("\\n", "\n"));
        }
        pinByHand(t);
        Cli.Result apply = run(t, "apply");
        assertEquals(0, apply.status(), apply.err());
        assertEquals(PIN, t.read("/proc/irq/" + PINNED + "/smp_affinity_list"));
        assertEquals("8\n", t.read("/proc/irq/" + PINNED + "/smp_affinity"));
        assertFalse(apply.out().contains(" " + PINNED + " "), apply.out());
        String plan = t.read("/run/xen-irq-policy/plan/all");
        assertFalse(plan.contains("irq " + PINNED + " "), plan);
        assertTrue(plan.matches("(?s).*\nusable 0-3\n(exclude [^\n]*\n)*exclude " + Pattern.quote(why.equals("--banirq") ? "63" : why)
                + "\n(exclude [^\n]*\n)*irq .*"), plan);
        // Not excluded: the rest of the guest's channels, and its disk (blkback's name has no domain id).
        assertTrue(plan.contains("\nirq 67 "), plan);
        assertNotEquals("0-3\n", t.read("/proc/irq/67/smp_affinity_list"));

        Cli.Result plan2 = run(t, "plan", String.valueOf(PINNED));
        assertEquals(0, plan2.status(), plan2.err());
        assertEquals(" 63  vif2.0-q0-tx  net   xen-dyn-lateeoi  3        excluded (" + why + ")\n",
                plan2.out().lines().filter(l -> l.startsWith(" 63 ")).findFirst().orElseThrow() + "\n");

        Map<String, String> files = t.files();
        Cli.Result again = run(t, "apply");
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().startsWith("nothing to change: "), again.out());
        assertEquals(files, t.files(), "a second apply changes nothing");
    }

    @Test
    void aQuotedListMayBeFollowedByAComment() {
        HostTree t = dom0("comment");
        t.write(SETTINGS, "export EXCLUDE='63, 64'  # guest 2's first queue, pinned by hand\n");
        Cli.Result plan = run(t, "plan", "--format", "json");
        assertEquals(0, plan.status(), plan.err());
        assertEquals(2, plan.out().split("\"excludedBy\":\"", -1).length - 1, plan.out());
    }

    /**
     * The real Xen 4.17 dom0 (guest 1: a 2-queue vif and a blkback disk): dom:1 excludes the four
     * vif1.0 queues (IRQs 67-70) and nothing else, not the guest's blkif-backend (71, 72), whose
     * name carries no domain id, nor the toolstack's evtchn: channels.
     */
    @Test
    void onTheRealDom0Dom1IsItsNetbackQueuesOnly() {
        HostTree t = CapturedDom0.layOut(tmp.resolve("real"));
        t.write(SETTINGS, "EXCLUDE=dom:1\n");
        Cli.Result status = run(t, "status");
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("""
                4 excluded, left where they are:
                  67 vif1.0-q0-tx on 0-3, excluded (dom:1)
                  68 vif1.0-q0-rx on 0-3, excluded (dom:1)
                  69 vif1.0-q1-tx on 0-3, excluded (dom:1)
                  70 vif1.0-q1-rx on 0-3, excluded (dom:1)
                """), status.out());
        Cli.Result args = run(t, "plan", "--format", "json", "dom:1", "blkif-*");
        assertEquals("", args.err());
        assertEquals(6, args.out().split("\"irq\":", -1).length - 1, args.out());
    }

    @Test
    void dom2ExcludesExactlyItsNetbackChannels() {
        HostTree t = dom0("dom");
        t.write(SETTINGS, "EXCLUDE=dom:2\n");
        Cli.Result plan = run(t, "plan", "--format", "json");
        assertEquals(0, plan.status(), plan.err());
        for (int irq = 50; irq <= 74; irq++) {
            boolean excluded = irq >= 63 && irq <= 66;
            String row = plan.out().substring(plan.out().indexOf("{\"irq\":" + irq + ","));
            row = row.substring(0, row.indexOf('}') + 1);
            assertEquals(excluded, row.endsWith("\"planned\":null,\"excludedBy\":\"dom:2\"}"), row);
            assertEquals(!excluded, row.endsWith("\"excludedBy\":null}"), row);
        }
        assertTrue(plan.out().contains("\"irqs\":[{\"irq\":50,\"name\":\"xenbus\""), plan.out());
    }

    @Test
    void planAndStatusShowTheExcludedAndCheckDoesNotCountThemMisplaced() {
        HostTree t = dom0("show");
        t.write(SETTINGS, "EXCLUDE=vif2.0-q0-tx\n");
        t.write(IRQBALANCE, "IRQBALANCE_ARGS=--banirq=53\n");
        pinByHand(t);
        assertEquals(0, run(t, "apply").status());

        Cli.Result plan = run(t, "plan", "52", "53", "63");
        assertEquals(0, plan.status(), plan.err());
        assertEquals("", plan.err());
        assertEquals("""
                strategy spread on CPUs 0-3 (online 0-3, banned for irqbalance none, isolated none); 25 event-channel IRQs, 2 excluded
                IRQ  NAME          KIND     CHIP             CURRENT  PLANNED
                 52  mce           other    xen-dyn          %s        %s
                 53  hvc_console   console  xen-dyn          0-3      excluded (--banirq)
                 63  vif2.0-q0-tx  net      xen-dyn-lateeoi  3        excluded (vif2.0-q0-tx)
                """.formatted(t.read("/proc/irq/52/smp_affinity_list").strip(), t.read("/proc/irq/52/smp_affinity_list").strip()),
                plan.out().substring(0, plan.out().indexOf("\n\n") + 1));

        Cli.Result status = run(t, "status");
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("""
                2 excluded, left where they are:
                  53 hvc_console on 0-3, excluded (--banirq)
                  63 vif2.0-q0-tx on 3, excluded (vif2.0-q0-tx)
                all event-channel IRQs are where the applied plan (/run/xen-irq-policy/plan) puts them
                """), status.out());
        assertTrue(status.out().matches("(?s).*\n3 +[0-9]+ +[0-9]+ +[^\n]*63 vif2\\.0-q0-tx.*"), "63 is listed on CPU 3:\n" + status.out());

        Cli.Result json = run(t, "status", "--format", "json", "63");
        assertEquals(0, json.status(), json.err());
        assertTrue(json.out().endsWith(",\"misplaced\":[],\"excluded\":[{\"irq\":63,\"name\":\"vif2.0-q0-tx\",\"kind\":\"net\","
                + "\"chip\":\"xen-dyn-lateeoi\",\"affinity\":\"3\",\"effective\":\"\",\"interrupts\":3000,\"excludedBy\":\"vif2.0-q0-tx\"}],\"lastAdaptiveRun\":null}\n"),
                json.out());

        // An IRQ excluded after the plan was applied is not misplaced either, in status and check.
        t.write(SETTINGS, "EXCLUDE=\"vif2.0-q0-tx 64\"\n");
        t.write("/proc/irq/64/smp_affinity_list", "0-3\n");
        Cli.Result later = run(t, "status", "64");
        assertTrue(later.out().contains("1 excluded, left where they are:\n  64 vif2.0-q0-rx on 0-3, excluded (64)\n"
                + "all event-channel IRQs are where the applied plan"), later.out());
        Cli.Result check = run(t, "check");
        assertTrue(check.out().contains("\nok   placement: all 22 event-channel IRQs are on their planned CPUs (3 excluded, left where they are)\n"),
                check.out());
    }

    @Test
    void irqArgumentsTakeSelectorsAndOneThatMatchesNothingIsWarnedAbout() {
        HostTree t = dom0("args");
        Cli.Result r = run(t, "plan", "dom:3", "vif1.0-q1-?x", "50", "vif9.*", "dom:7", "5");
        assertEquals(0, r.status());
        assertEquals("xen-irq-policy: warning: 'vif9.*' matches no event channel\n"
                + "xen-irq-policy: warning: 'dom:7' matches no event channel\n"
                + "xen-irq-policy: warning: '5' matches no event channel\n", r.err());
        assertEquals("50 58 59 70 71 72 73", String.join(" ", r.out().lines().skip(2).takeWhile(l -> !l.isEmpty())
                .map(l -> l.strip().substring(0, l.strip().indexOf(' '))).toList()));

        Cli.Result none = run(t, "status", "--format", "json", "nothing*");
        assertEquals(0, none.status());
        assertEquals("xen-irq-policy: warning: 'nothing*' matches no event channel\n", none.err());
        assertTrue(none.out().contains("\"irqs\":[]"), none.out());
        assertFalse(none.out().contains("\"irq\":"), none.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "EXCLUDE=dom:x|'dom:x' is not dom: and a domain id from 0 to 32767",
        "EXCLUDE='17 12a'|'12a' is not an IRQ number; a glob that starts with a digit is written '[1]2a'",
        "EXCLUDE=17,,18|empty selector before or after a comma in '17,,18'",
        "EXCLUDE='vif1, '|empty selector before or after a comma in 'vif1, '",
        "EXCLUDE='vif[12.*'|'vif[12.*' is not a glob of xen-irq-policy(8): '[' without its ']'",
        "EXCLUDE='vif\\1'|'vif\\\\1' is not a glob of xen-irq-policy(8): a backslash is read differently by dash and bash",
        "EXCLUDE=dom:32768|'dom:32768' is not dom: and a domain id from 0 to 32767",
        "EXCLUDE=63 64|a list with blanks must be quoted: sh runs '64' as a command",
        "EXCLUDE=\"63\\n64\"|the quote is not closed on this line: write the list on one line",
    })
    void aBadExcludeIsOneLineNamingFileAndLineAndNothingIsWritten(String line, String message) {
        HostTree t = dom0("bad");
        t.write(SETTINGS, "STRATEGY=spread\n" + line.replace("\\n", "\n") + "\n");
        Map<String, String> before = t.files();
        Cli.Result r = run(t, "apply");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals("xen-irq-policy: /etc/sysconfig/xen-irq-policy:2: EXCLUDE: " + message + "\n", r.err());
        assertEquals(before, t.files());
    }
}
