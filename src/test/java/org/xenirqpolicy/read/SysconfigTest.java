package org.xenirqpolicy.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Strategy;

class SysconfigTest {
    @Test
    void readsShellAssignmentsAsTheShellDoes() {
        List<ShellVars.Assignment> vars = ShellVars.parse("""
                # comment
                A=plain
                export B="double \\"quoted\\" value"
                C='single $literal'
                D=unquoted # trailing comment
                E="joined \\
                line"
                not an assignment
                F=x\r
                """);
        assertEquals(List.of("A", "B", "C", "D", "E", "F"), vars.stream().map(ShellVars.Assignment::key).toList());
        assertEquals("plain", vars.get(0).value());
        assertEquals("double \"quoted\" value", vars.get(1).value());
        assertEquals("single $literal", vars.get(2).value());
        assertEquals("unquoted", vars.get(3).value());
        assertEquals("joined line", vars.get(4).value());
        assertEquals(6, vars.get(4).line());
        assertEquals("x", vars.get(5).value());
    }

    @Test
    void bannedCpusComeFromTheListAndTheMaskTogether() {
        assertEquals("2", IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPULIST=2\n").toList());
        assertEquals("0,33", IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPUS=00000002,00000001\n").toList());
        assertEquals("1-3,8", IrqbalanceConfig.bannedCpus("""
                IRQBALANCE_BANNED_CPULIST="1-3"
                # tuned wrote this:
                IRQBALANCE_BANNED_CPUS=00000100
                """).toList());
        assertEquals("", IrqbalanceConfig.bannedCpus("#IRQBALANCE_BANNED_CPUS=\nIRQBALANCE_ARGS=\n").toList());
    }

    @Test
    void bannedCpusAreReadAsSystemdPassesThemToIrqbalance() {
        // systemd's EnvironmentFile= sets nothing from an export line.
        assertEquals("", IrqbalanceConfig.bannedCpus("export IRQBALANCE_BANNED_CPULIST=3\n").toList());
        // In systemd 252 a comment line ending in a backslash goes on over the next line.
        assertEquals("", IrqbalanceConfig.bannedCpus("# tuned \\\nIRQBALANCE_BANNED_CPULIST=3\n").toList());
        // A value that is not UTF-8 makes systemd ignore the whole file.
        assertEquals("", IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPULIST=3\nX=\u00e9\n").toList());
        assertEquals("3", IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPULIST=3\nX=\u00c3\u00a9\n").toList());
    }

    @Test
    void systemdsReadingOfAnEnvironmentFile() {
        // Each line: the file, then the value systemd 252 sets for A (as the generator prints it).
        String[][] cases = {
                {"A=--journal # keep\n", "--journal # keep"},
                {"A=\"x\" # c\n", "x# c"},
                {"A='a b' \"c\"  d  \n", "a bcd"},
                {"A=a\"b c\"\n", "a\"b c\""},
                {"  A = 1\n", "1"},
                {"A=x\\\n  y\n", "x  y"},
                {"A=\"x\\\n  y\"\n", "x  y"},
                {"A=\"\\a\\$\"\n", "\\a$"},
                {"A=1\r\nB=2\r\n", "1"},
                {"A=1\nA=\n", ""},
                {"A=\\ x\\  \n", " x "},
        };
        for (String[] c : cases) {
            assertEquals(c[1], ShellVars.last(EnvironmentFile.read(c[0]).assignments(), "A").value(), c[0]);
        }
        // systemd refuses a file with a NUL byte, or with a key or value that is not UTF-8, as a whole.
        assertEquals(new EnvironmentFile.Reading(List.of(), 2, "a NUL byte"), EnvironmentFile.read("A=1\nB=\u0000\n"));
        assertEquals(new EnvironmentFile.Reading(List.of(), 3, "not valid UTF-8"),
                EnvironmentFile.read("# \u00e9\nA=1\nB=\u00e9\n"));
        assertEquals(List.of("--journal", "a b", "c d", "", "e\"f"),
                EnvironmentFile.execWords(" --journal  'a b' \"c d\" '' e\\\"f "));
    }

    @Test
    void aBannedValueIrqbalanceStopsReadingBansWhatItReadBeforeAndNeverFails() {
        // As irqbalance 1.9.2 reads them (see HookBannedCpusTest for the daemon's own answers).
        assertEquals("0-7", IrqbalanceConfig.bannedCpus("\n\nIRQBALANCE_BANNED_CPUS=ff,zz\n").toList());
        assertEquals("", IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPUS=0x1\n").toList());
        assertEquals("2", IrqbalanceConfig.bannedCpus("IRQBALANCE_BANNED_CPULIST=\"2,4-3\"\n").toList());
    }

    @Test
    void settingsHaveDefaultsAndValidatedValues() {
        assertEquals(Settings.defaults(), Settings.parse("# nothing set\n", "f"));
        Settings s = Settings.parse("STRATEGY=load\nCPUS=\"2-5\"\nEXCLUDE_ISOLATED=no\nSAMPLE_SECONDS=10\n", "f");
        assertEquals(Strategy.LOAD, s.strategy());
        assertEquals(CpuSet.parseList("2-5"), s.cpus());
        assertFalse(s.excludeIsolated());
        assertEquals(10, s.sampleSeconds());
        assertEquals("/var/lib/prometheus/node-exporter", s.metricsDir());
        assertEquals(512, s.metricsIrqSeriesMax());
        Settings m = Settings.parse("METRICS_DIR=\"/srv/textfiles/\"\nMETRICS_IRQ_SERIES_MAX=0\n", "f");
        assertEquals("/srv/textfiles", m.metricsDir());
        assertEquals(0, m.metricsIrqSeriesMax());
    }

    @Test
    void aBadMetricsSettingNamesFileLineAndKey() {
        String f = "/etc/sysconfig/xen-irq-policy";
        assertEquals(f + ":1: METRICS_DIR: 'textfiles' is not an absolute directory",
                assertThrows(InputException.class, () -> Settings.parse("METRICS_DIR=textfiles\n", f)).getMessage());
        assertEquals(f + ":2: METRICS_IRQ_SERIES_MAX: '-1' is not a whole number from 0 to 1000000",
                assertThrows(InputException.class, () -> Settings.parse("#\nMETRICS_IRQ_SERIES_MAX=-1\n", f)).getMessage());
        assertEquals(f + ":1: METRICS_IRQ_SERIES_MAX: '2000000' is not a whole number from 0 to 1000000",
                assertThrows(InputException.class, () -> Settings.parse("METRICS_IRQ_SERIES_MAX=2000000\n", f)).getMessage());
    }

    @Test
    void aSettingOutOfRangeNamesFileAndLine() {
        String f = "/etc/sysconfig/xen-irq-policy";
        assertEquals(f + ":2: SAMPLE_SECONDS: '0' is not a whole number of seconds from 1 to 600",
                assertThrows(InputException.class, () -> Settings.parse("\nSAMPLE_SECONDS=0\n", f)).getMessage());
        assertEquals(f + ":1: STRATEGY: 'fast' is not a strategy (modulo, spread, load)",
                assertThrows(InputException.class, () -> Settings.parse("STRATEGY=fast\n", f)).getMessage());
        assertEquals(f + ":1: CPUS: '0-x' is not a CPU list",
                assertThrows(InputException.class, () -> Settings.parse("CPUS=0-x\n", f)).getMessage());
        assertEquals(f + ":1: EXCLUDE_ISOLATED: 'maybe' is not yes or no",
                assertThrows(InputException.class, () -> Settings.parse("EXCLUDE_ISOLATED=maybe\n", f)).getMessage());
        assertEquals(f + ":3: unknown setting CPU (known: ADAPTIVE, ADAPTIVE_COOLDOWN_MINUTES, ADAPTIVE_INTERVAL_MINUTES, ADAPTIVE_MAX_MOVES, ADAPTIVE_QUEUE_SPREAD_COST, ADAPTIVE_SAMPLES, ADAPTIVE_THRESHOLD, CPUS, EXCLUDE, EXCLUDE_ISOLATED, METRICS_DIR, METRICS_IRQ_SERIES_MAX, SAMPLE_SECONDS, STRATEGY)",
                assertThrows(InputException.class, () -> Settings.parse("#\n\nCPU=1\n", f)).getMessage());
    }
}
