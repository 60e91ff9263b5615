package org.xenirqpolicy.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.Promtool;

/**
 * The README's three PromQL alerts are the rules file's, promtool accepts the file, and each alert
 * fires on the series it is for and on no other (promtool test rules).
 */
class AlertRulesTest {
    private static final Path RULES = Fixtures.repo().resolve("src/main/prometheus/xen-irq-policy-alerts.yml");

    private static final String ADAPTIVE_STOPPED = "ADAPTIVE=yes there: see 'systemctl status xen-irq-policy-adaptive.timer'"
            + " and 'journalctl -u xen-irq-policy-adaptive'.";

    @TempDir
    Path tmp;

    @Test
    void theReadmeQuotesTheRulesFile() {
        String readme = Fixtures.read(Fixtures.repo().resolve("README.md"));
        assertTrue(readme.contains("\n```yaml\n" + Fixtures.read(RULES) + "```\n"), "README.md quotes " + RULES + " whole");
    }

    @Test
    void promtoolChecksTheRules() {
        Promtool.requirePresent();
        Promtool.Result r = Promtool.checkRules(RULES);
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("SUCCESS: 3 rules found"), r.output());
    }

    /**
     * Host a: CPU 0 takes 1,000 interrupts/s, CPUs 1-3 100 each (mean 325): piling up. Host b: 400
     * on each, balanced. Host c: CPU 0 takes 1,000/s but is not usable (left out), the usable
     * ones are even. Host d: all checks pass and the metrics file is fresh; host e: plan-fresh
     * fails; host f: the checks passed once but the file stopped being written.
     *
     * <p>Counters that fall: a guest stops every 5 minutes, and the CPU its event channels were
     * on loses their count ({@link #falling}), which rate() takes for a reset to 0 and so for a
     * burst of its whole count. Host g: 400 interrupts/s on each CPU, CPU 1's counter falls: no
     * alert. Host h: the same falls on CPU 1 while CPU 0 takes 1,000/s and CPUs 2-3 100: still
     * piling up.
     *
     * <p>The adaptive mode, interval 5 minutes: host i has it on and a run every 5 minutes; host j
     * has it on and its runs stopped after the one of minute 5; host k has it off and no run; host
     * l has it on and no run recorded (the timer never enabled); host m has it on, an interval of
     * 30 minutes and a run at minute 0 only, which is not late yet.
     */
    @Test
    void eachAlertFiresWhereItShouldAndNowhereElse() throws IOException {
        Promtool.requirePresent();
        StringBuilder series = new StringBuilder();
        int[][] rates = {{1000, 100, 100, 100}, {400, 400, 400, 400}, {1000, 300, 300, 300}, {400, 400, 400, 400}, {1000, 400, 100, 100}};
        String[] hosts = {"a", "b", "c", "g", "h"};
        for (int h = 0; h < hosts.length; h++) {
            for (int cpu = 0; cpu < 4; cpu++) {
                boolean falls = hosts[h].matches("[gh]") && cpu == 1;
                series.append(serie("xen_irq_policy_cpu_interrupts_total{instance=\"" + hosts[h] + "\",cpu=\"" + cpu + "\"}",
                        falls ? falling(rates[h][cpu]) : "0+" + rates[h][cpu] * 60 + "x60"));
                boolean usable = !(hosts[h].equals("c") && cpu == 0);
                series.append(serie("xen_irq_policy_cpu_usable{instance=\"" + hosts[h] + "\",cpu=\"" + cpu + "\"}", (usable ? "1" : "0") + "x60"));
            }
        }
        for (String host : new String[] {"d", "e", "f"}) {
            for (String check : new String[] {"plan-fresh", "placement"}) {
                String ok = host.equals("e") && check.equals("plan-fresh") ? "0" : "1";
                series.append(serie("xen_irq_policy_check_ok{instance=\"" + host + "\",check=\"" + check + "\"}", ok + "x60"));
            }
            // The file's mtime as node_exporter reports it: written every minute, or stopped at 0.
            series.append(serie("node_textfile_mtime_seconds{instance=\"" + host + "\",file=\"/var/lib/prometheus/node-exporter/xen_irq_policy.prom\"}",
                    host.equals("f") ? "0x60" : "0+60x60"));
        }
        for (String host : new String[] {"i", "j", "k", "l", "m"}) {
            series.append(serie("xen_irq_policy_adaptive_enabled{instance=\"" + host + "\"}", (host.equals("k") ? "0" : "1") + "x60"));
            series.append(serie("xen_irq_policy_adaptive_interval_seconds{instance=\"" + host + "\"}", (host.equals("m") ? "1800" : "300") + "x60"));
            if (host.matches("[ijm]")) {
                // Minute by minute, when the last run started: every 5 minutes, until minute 5, or at 0.
                StringBuilder starts = new StringBuilder();
                for (int minute = 0; minute <= 60; minute++) {
                    int last = switch (host) {
                        case "i" -> minute / 5 * 300;
                        case "j" -> Math.min(minute / 5, 1) * 300;
                        default -> 0;
                    };
                    starts.append(minute == 0 ? "" : " ").append(last);
                }
                series.append(serie("xen_irq_policy_adaptive_last_run_timestamp_seconds{instance=\"" + host + "\"}", starts.toString()));
            }
        }
        String test = "rule_files:\n  - " + RULES + "\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" + series
                + "    alert_rule_test:\n"
                + "      - eval_time: 40m\n        alertname: XenEventChannelsPilingUpOnOneCpu\n        exp_alerts:\n"
                + alert("a", "Xen event-channel interrupts pile up on one CPU of a",
                        "See 'xen-irq-policy status' there, and its xen_irq_policy_cpu_interrupts_total per CPU.")
                + alert("h", "Xen event-channel interrupts pile up on one CPU of h",
                        "See 'xen-irq-policy status' there, and its xen_irq_policy_cpu_interrupts_total per CPU.")
                + "      - eval_time: 40m\n        alertname: XenIrqPolicyPlanStaleOrCheckFailing\n        exp_alerts:\n"
                + alert("e", "xen-irq-policy's plan is stale or a check fails on e",
                        "Run 'xen-irq-policy check' there; 'journalctl -u xen-irq-policy-metrics' if its metrics are old.")
                + alert("f", "xen-irq-policy's plan is stale or a check fails on f",
                        "Run 'xen-irq-policy check' there; 'journalctl -u xen-irq-policy-metrics' if its metrics are old.")
                // j's last run started at 5 min: late from 25 min (3 x 5 + 5 minutes), firing from 35.
                + "      - eval_time: 40m\n        alertname: XenIrqPolicyAdaptiveRunsStopped\n        exp_alerts:\n"
                + alert("j", "xen-irq-policy's adaptive runs stopped on j", ADAPTIVE_STOPPED)
                + alert("l", "xen-irq-policy's adaptive runs stopped on l", ADAPTIVE_STOPPED)
                + "      - eval_time: 30m\n        alertname: XenIrqPolicyAdaptiveRunsStopped\n        exp_alerts:\n"
                + alert("l", "xen-irq-policy's adaptive runs stopped on l", ADAPTIVE_STOPPED)
                // Before its 'for:' has passed, none fires.
                + "      - eval_time: 3m\n        alertname: XenIrqPolicyPlanStaleOrCheckFailing\n        exp_alerts: []\n"
                + "      - eval_time: 9m\n        alertname: XenIrqPolicyAdaptiveRunsStopped\n        exp_alerts: []\n";
        Path file = Files.writeString(tmp.resolve("alerts-test.yml"), test);
        Promtool.Result r = Promtool.testRules(file);
        assertEquals(0, r.status(), r.output() + "\n" + test);
    }

    /**
     * A CPU's counter, minute by minute for an hour, at {@code perSecond} interrupts/s from 10^8
     * (a host up for days), that falls by 10^6 every 5 minutes: a guest whose event channels
     * were on this CPU stopped, and their counts left /proc/interrupts.
     */
    private static String falling(int perSecond) {
        StringBuilder values = new StringBuilder();
        long value = 100_000_000L;
        for (int minute = 0; minute <= 60; minute++) {
            if (minute > 0) {
                value += perSecond * 60L - (minute % 5 == 0 ? 1_000_000L : 0);
            }
            values.append(minute == 0 ? "" : " ").append(value);
        }
        return values.toString();
    }

    private static String serie(String name, String values) {
        return "      - series: '" + name + "'\n        values: '" + values + "'\n";
    }

    private static String alert(String instance, String summary, String description) {
        return "          - exp_labels: {instance: " + instance + ", severity: warning}\n"
                + "            exp_annotations:\n              summary: \"" + summary + "\"\n              description: \"" + description + "\"\n";
    }
}
