package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.classify.DeviceNames;
import org.xenirqpolicy.classify.EventChannel;
import org.xenirqpolicy.engine.AdaptiveState;
import org.xenirqpolicy.engine.Watch;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.plan.AdaptiveMove;
import org.xenirqpolicy.plan.AdaptiveStep;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/**
 * A kernel name on standard output reads as the text its bytes encode, as on standard error: in
 * text reports a byte that is not UTF-8 shows as \xNN, in JSON as U+FFFD. The plan keeps the
 * name's bytes, which the hook compares.
 */
class NamesOnStandardOutputTest {
    /** café in UTF-8, one char per byte, as the engine reads it. */
    private static final String UTF8 = new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    /** café in ISO-8859-1: the byte 0xe9 alone is no UTF-8. */
    private static final String LATIN1 = "caf\u00e9";

    private static final String JSON_HEAD = "{\"version\":1,\"strategy\":\"spread\",\"usable\":\"0-1\",\"online\":\"0-1\","
            + "\"bannedForIrqbalance\":\"\",\"isolated\":\"\",\"nohzFull\":\"\",\"sampleSeconds\":0,\"skippedLines\":0,"
            + "\"appliedPlanUsable\":null,\"appliedPlanStale\":false,";
    private static final String IRQ_42 = "{\"irq\":42,\"name\":\"caf\uFFFD\",\"kind\":\"other\",\"chip\":\"xen-dyn\","
            + "\"affinity\":\"0-1\",\"effective\":\"\",\"interrupts\":3,\"planned\":0";
    private static final String IRQ_43 = "{\"irq\":43,\"name\":\"café\",\"kind\":\"other\",\"chip\":\"xen-dyn\","
            + "\"affinity\":\"0-1\",\"effective\":\"\",\"interrupts\":4,\"planned\":1";

    @TempDir
    Path tmp;

    /** Two event channels on two CPUs: IRQ 42 named with a byte that is not UTF-8, IRQ 43 named café in UTF-8. */
    private HostTree dom0(String dir) {
        return HostTree.at(tmp.resolve(dir)).fromInterrupts(
                "           CPU0       CPU1\n"
                + " 42:          0          3   xen-dyn    -event     " + LATIN1 + "\n"
                + " 43:          2          2   xen-dyn    -event     " + UTF8 + "\n", true);
    }

    private static String out(HostTree t, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--root";
        all[args.length + 1] = t.root().toString();
        Cli.Result r = Cli.run(all);
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        return r.out();
    }

    @Test
    void planShowsNamesAsText() {
        HostTree t = dom0("plan");
        assertEquals("""
                strategy spread on CPUs 0-1 (online 0-1, banned for irqbalance none, isolated none); 2 event-channel IRQs
                IRQ  NAME     KIND   CHIP     CURRENT  PLANNED
                 42  caf\\xe9  other  xen-dyn  0-1      0
                 43  café     other  xen-dyn  0-1      1

                CPU  IRQS  SHARE
                  0     1  42.9%
                  1     1  57.1%
                """, out(t, "plan"));
        assertEquals(JSON_HEAD + "\"irqs\":[" + IRQ_42 + ",\"excludedBy\":null}," + IRQ_43 + ",\"excludedBy\":null}],"
                + "\"cpus\":[{\"cpu\":0,\"irqs\":1,\"interrupts\":3,\"share\":0.4286},{\"cpu\":1,\"irqs\":1,\"interrupts\":4,\"share\":0.5714}]}\n",
                out(t, "plan", "--format", "json"));
    }

    @Test
    void statusShowsNamesAsText() {
        HostTree t = dom0("status");
        assertEquals("""
                CPU  IRQS  INTERRUPTS  EVENT CHANNELS
                0       0           2
                1       0           5
                2 event-channel IRQs are not bound to one CPU
                imbalance 1.43 (busiest usable CPU / mean, interrupts since boot)
                2 not where a fresh spread plan (none applied yet) puts them:
                  42 caf\\xe9 on 0-1, planned 0
                  43 café on 0-1, planned 1
                """, out(t, "status"));
        assertEquals(JSON_HEAD + "\"cpus\":[{\"cpu\":0,\"usable\":true,\"interrupts\":2,\"irqs\":[]},"
                + "{\"cpu\":1,\"usable\":true,\"interrupts\":5,\"irqs\":[]}],\"imbalance\":1.4286,\"againstAppliedPlan\":false,"
                + "\"misplaced\":[" + IRQ_42 + "}," + IRQ_43 + "}],\"excluded\":[],\"lastAdaptiveRun\":null}\n",
                out(t, "status", "--format", "json"));
    }

    /** apply prints the names as text, and saves them as the bytes they are; status and check then name them as text. */
    @Test
    void applyShowsNamesAsTextAndSavesTheirBytes() throws Exception {
        HostTree t = dom0("apply");
        assertEquals("""
                moved 42 caf\\xe9: 0-1 -> 0
                moved 43 café: 0-1 -> 1
                spread: 2 moved, 0 in place, 0 gone, 0 failed; plan saved in /run/xen-irq-policy/plan
                """, out(t, "apply", "--verbose"));
        Path plan = t.path("/run/xen-irq-policy/plan");
        String all = new String(Files.readAllBytes(plan.resolve("all")), StandardCharsets.ISO_8859_1);
        assertEquals("irq 42 0 caf\u00e9\nirq 43 1 caf\u00c3\u00a9\n",
                all.lines().filter(l -> l.startsWith("irq ")).map(l -> l + "\n").reduce("", String::concat));
        assertArrayEquals(new byte[] {'4', ' ', '1', ' ', '0', ' ', '0', '-', '1', ' ', 'c', 'a', 'f', (byte) 0xe9, '\n'},
                Files.readAllBytes(plan.resolve("irq.42")));
        assertArrayEquals(new byte[] {'4', ' ', '1', ' ', '1', ' ', '0', '-', '1', ' ', 'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9, '\n'},
                Files.readAllBytes(plan.resolve("irq.43")));
        assertEquals("""
                CPU  IRQS  INTERRUPTS  EVENT CHANNELS
                0       1           2  42 caf\\xe9
                1       1           5  43 café
                imbalance 1.43 (busiest usable CPU / mean, interrupts since boot)
                all event-channel IRQs are where the applied plan (/run/xen-irq-policy/plan) puts them
                """, out(t, "status"));
        t.write("/proc/irq/43/smp_affinity_list", "0\n");
        Cli.Result check = Cli.run("check", "--root", t.root().toString());
        assertEquals("FAIL placement: 1 of 2 event-channel IRQs are not on their planned CPU: 43 café on 0, planned 1",
                check.out().lines().filter(l -> l.contains("placement:")).findFirst().orElse(check.out()));
    }

    @Test
    void applyJsonGivesNamesAsText() {
        HostTree t = dom0("apply-json");
        assertEquals("{\"version\":1,\"dryRun\":false,\"strategy\":\"spread\",\"usable\":\"0-1\",\"moves\":["
                + "{\"irq\":42,\"name\":\"caf\uFFFD\",\"from\":\"0-1\",\"to\":0},{\"irq\":43,\"name\":\"café\",\"from\":\"0-1\",\"to\":1}],"
                + "\"gone\":[],\"failures\":[],\"summary\":{\"eventChannels\":2,\"moved\":2,\"inPlace\":0,\"gone\":0,\"failed\":0,"
                + "\"planSaved\":true,\"planFile\":\"/run/xen-irq-policy/plan\",\"saveError\":null,\"requestsError\":null}}\n",
                out(t, "apply", "--format", "json"));
    }

    /**
     * An EXCLUDE= word holding UTF-8 (the settings file is read one char per byte, as names are)
     * reads as its text where plan and status say why a channel stays: café* and not cafÃ©*.
     */
    @Test
    void exclusionsShowAsText() {
        HostTree t = dom0("exclude");
        t.write("/etc/sysconfig/xen-irq-policy", "EXCLUDE=" + UTF8 + "*\n");
        String plan = out(t, "plan");
        assertEquals(" 43  café     other  xen-dyn  0-1      excluded (café*)",
                plan.lines().filter(l -> l.startsWith(" 43")).findFirst().orElse(plan));
        String planJson = out(t, "plan", "--format", "json");
        assertEquals(1, planJson.split("\"excludedBy\":\"café\\*\"", -1).length - 1, planJson);
        String status = out(t, "status");
        assertEquals("  43 café on 0-1, excluded (café*)",
                status.lines().filter(l -> l.startsWith("  43")).findFirst().orElse(status));
        String statusJson = out(t, "status", "--format", "json");
        assertEquals(1, statusJson.split("\"excludedBy\":\"café\\*\"", -1).length - 1, statusJson);
    }

    /** An adaptive run's moves, as adapt and status print them and as their JSON gives them. */
    @Test
    void adaptiveMovesShowNamesAsText() {
        AdaptiveState.Run run = new AdaptiveState.Run(0, 0, AdaptiveStep.Why.MOVED, 2, 1,
                List.of(new AdaptiveMove(42, LATIN1, 0, 1, 7), new AdaptiveMove(43, UTF8, 1, 0, 5)));
        assertEquals("""
                last adaptive run 1970-01-01T00:00:00Z: moved 2 event channels: busiest CPU / lower bound 2.00 -> 1.00
                  42 caf\\xe9: CPU 0 -> 1 (7 interrupts since boot)
                  43 café: CPU 1 -> 0 (5 interrupts since boot)
                """, AdaptReports.statusText(run, true));
        assertEquals("{\"time\":\"1970-01-01T00:00:00Z\",\"sampleSeconds\":0,\"why\":\"moved\",\"movingPhaseOpen\":true,\"ratioBefore\":2.0000,"
                + "\"ratioAfter\":1.0000,\"moves\":[{\"irq\":42,\"name\":\"caf\uFFFD\",\"from\":0,\"to\":1,\"interrupts\":7},"
                + "{\"irq\":43,\"name\":\"café\",\"from\":1,\"to\":0,\"interrupts\":5}]}\n", Json.write(AdaptReports.runJson(run, true)));
    }

    /** A frame of status --watch. */
    @Test
    void watchShowsNamesAsText() {
        CpuSet cpu0 = CpuSet.parseList("0");
        Watch.IrqRate latin1 = new Watch.IrqRate(new EventChannel(42, LATIN1, "xen-dyn", DeviceNames.of(LATIN1), cpu0, cpu0, 3), 20);
        Watch.IrqRate utf8 = new Watch.IrqRate(new EventChannel(43, UTF8, "xen-dyn", DeviceNames.of(UTF8), cpu0, cpu0, 3), 10);
        Watch.Frame frame = new Watch.Frame(1, 2, List.of(new Watch.CpuRate(0, true, 30, List.of(latin1, utf8))), 0);
        assertEquals("""
                every 1s: 2 event-channel IRQs, interrupts per second over the last 1.00 s
                CPU  IRQS  INTR/S  EVENT CHANNELS (INTR/S), BUSIEST FIRST
                0       2      30  42 caf\\xe9 20, 43 café 10
                """, WatchReports.frame(frame, 1, List.of()));
    }
}
