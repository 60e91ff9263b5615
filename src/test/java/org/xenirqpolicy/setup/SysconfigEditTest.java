package org.xenirqpolicy.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.read.ShellVars;
import org.xenirqpolicy.testing.Fixtures;

class SysconfigEditTest {
    private static final String HOOK_ARG = "--policyscript=/usr/libexec/irqbalance/xen-irq-policy";

    private static String resource(String name) {
        return Fixtures.read(Fixtures.repo().resolve("src/test/resources/sysconfig/" + name));
    }

    /** Variants of /etc/sysconfig/irqbalance, and the IRQBALANCE_ARGS words each must keep. */
    static Map<String, List<String>> variants() {
        String v195 = resource("upstream-1.9.5.env");
        String v192 = resource("upstream-1.9.2.env");
        Map<String, List<String>> v = new LinkedHashMap<>();
        v.put(v195, List.of());
        v.put(v192, List.of());
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"--hintpolicy=subset --banirq=12\""), List.of("--hintpolicy=subset", "--banirq=12"));
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS='--deepestcache=2'"), List.of("--deepestcache=2"));
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=--journal"), List.of("--journal"));
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=--journal # keep the journal"), List.of("--journal"));
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS="), List.of());
        v.put(v195.replace("#IRQBALANCE_BANNED_CPUS=", "IRQBALANCE_BANNED_CPUS=00000000,0000ff00"), List.of());
        v.put(v195 + "# tuned: cpu-partitioning\nIRQBALANCE_BANNED_CPUS=fffffffe\n", List.of());
        v.put(v195.replace("\n", "\r\n"), List.of());
        v.put(v195.substring(0, v195.length() - 1), List.of());
        v.put(v192.substring(0, v192.length() - 1), List.of());
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"--journal \\\n  --banirq=5\""), List.of("--journal", "--banirq=5"));
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "IRQBALANCE_ARGS=\"--banirq=1\"\nIRQBALANCE_ARGS=\"--banirq=2\""), List.of("--banirq=2"));
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "export IRQBALANCE_ARGS=\"--journal\""), List.of("--journal"));
        v.put(v195.replace("IRQBALANCE_ARGS=\"\"", "  IRQBALANCE_ARGS=\"\"  "), List.of());
        v.put("", List.of());
        v.put("IRQBALANCE_ONESHOT=yes", List.of());
        v.put("# only comments\n# IRQBALANCE_ARGS=\"--policyscript=/x\"\n", List.of());
        v.put("IRQBALANCE_ARGS=\"--hint\\\"policy\\\"\"\n", List.of("--hint\"policy\""));
        v.put("IRQBALANCE_ARGS=\"\u00e9t\u00e9 --journal\"\n", List.of("\u00e9t\u00e9", "--journal"));
        return v;
    }

    @Test
    void installAddsOnlyOurArgumentAndUninstallRestoresTheExactBytes() {
        for (Map.Entry<String, List<String>> variant : variants().entrySet()) {
            String original = variant.getKey();
            IrqbalanceArgs.Decision d = IrqbalanceArgs.install(original);
            IrqbalanceArgs.Decision.Write w = assertInstanceOf(IrqbalanceArgs.Decision.Write.class, d, original);
            String installed = w.text();
            // The shell and systemd now see our argument after the ones that were there.
            ShellVars.Assignment args = ShellVars.last(ShellVars.parse(installed), "IRQBALANCE_ARGS");
            List<String> expected = new ArrayList<>(variant.getValue());
            expected.add(HOOK_ARG);
            assertEquals(expected, List.of(args.value().split("\\s+")), installed);
            // One line differs, or one was appended; two or three where a comment or export moved.
            assertEquals(original.contains("# keep") || original.contains("export ") ? 2 : 1, changedLines(original, installed), installed);
            assertEquals(original, IrqbalanceArgs.uninstall(installed, w.edit()), "byte for byte: " + original);
            assertInstanceOf(IrqbalanceArgs.Decision.AlreadySet.class, IrqbalanceArgs.install(installed));
        }
    }

    @Test
    void aTrailingCommentGoesOnItsOwnLineAboveAndExportOnItsOwnLineBelow() {
        // systemd reads "# keep" after a value as part of it, and "export A=" as no assignment.
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("IRQBALANCE_ARGS=--journal # keep\n", "# keep\nIRQBALANCE_ARGS=\"--journal " + HOOK_ARG + "\"\n");
        cases.put("x=1\r\n  IRQBALANCE_ARGS=\"--journal\"\t# keep\r\ny=2\r\n",
                "x=1\r\n  # keep\r\n  IRQBALANCE_ARGS=\"--journal " + HOOK_ARG + "\"\r\ny=2\r\n");
        cases.put("export IRQBALANCE_ARGS='--journal'\n", "IRQBALANCE_ARGS='--journal " + HOOK_ARG + "'\nexport IRQBALANCE_ARGS\n");
        cases.put("export IRQBALANCE_ARGS=--journal # keep", "# keep\nIRQBALANCE_ARGS=\"--journal " + HOOK_ARG + "\"\nexport IRQBALANCE_ARGS");
        cases.put("IRQBALANCE_ARGS=\"--policyscript=/usr/local/bin/irqbalance-policyscript\" # seed\n",
                "# seed\nIRQBALANCE_ARGS=\"" + HOOK_ARG + "\"\n");
        cases.put("IRQBALANCE_ARGS=--banirq=5\\ --journal\n", "IRQBALANCE_ARGS=\"--banirq=5 --journal " + HOOK_ARG + "\"\n");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            var w = assertInstanceOf(IrqbalanceArgs.Decision.Write.class, IrqbalanceArgs.install(c.getKey()), c.getKey());
            assertEquals(c.getValue(), w.text(), c.getKey());
            assertEquals(Optional.empty(), IrqbalanceArgs.problemAsSystemdReads(w.text()), w.text());
            assertEquals(c.getKey(), IrqbalanceArgs.uninstall(w.text(), w.edit()), "byte for byte: " + c.getKey());
        }
    }

    @Test
    void whatSystemdWouldReadOtherwiseThanShIsNamed() {
        // The edit of today's main: systemd reads the value as ending in "# keep", a path ending in '#'.
        assertEquals(Optional.of(":1: systemd passes irqbalance the policy script"
                        + " '/usr/libexec/irqbalance/xen-irq-policy#', not /usr/libexec/irqbalance/xen-irq-policy"),
                IrqbalanceArgs.problemAsSystemdReads("IRQBALANCE_ARGS=\"--journal " + HOOK_ARG + "\" # keep\n"));
        assertEquals(Optional.of(":1: systemd sets no IRQBALANCE_ARGS from this file, so irqbalance would not run"
                        + " /usr/libexec/irqbalance/xen-irq-policy"),
                IrqbalanceArgs.problemAsSystemdReads("export IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"\n"));
        // systemd splits $IRQBALANCE_ARGS with quotes removed; sh keeps them.
        assertEquals(Optional.of(":1: systemd passes irqbalance '--banmod=vif' where sh reads '--banmod=\"vif\"'"
                        + " in IRQBALANCE_ARGS"),
                IrqbalanceArgs.problemAsSystemdReads("IRQBALANCE_ARGS=\"--banmod=\\\"vif\\\" " + HOOK_ARG + "\"\n"));
        // A value that is not UTF-8 makes systemd ignore the file: line 2 here (Latin-1 e-acute).
        assertEquals(Optional.of(":2: not valid UTF-8, so systemd ignores the whole file and irqbalance would not run"
                        + " /usr/libexec/irqbalance/xen-irq-policy"),
                IrqbalanceArgs.problemAsSystemdReads("# \u00e9\nA=\u00e9\nIRQBALANCE_ARGS=\"" + HOOK_ARG + "\"\n"));
        assertEquals(Optional.empty(),
                IrqbalanceArgs.problemAsSystemdReads("# \u00e9\nA=\u00c3\u00a9\nIRQBALANCE_ARGS=\"" + HOOK_ARG + "\"\n"));
    }

    @Test
    void theSeedScriptIsReplacedAndComesBackOnUninstall() {
        String original = "IRQBALANCE_ARGS=\"--policyscript=/usr/local/bin/irqbalance-policyscript\"\n";
        var w = assertInstanceOf(IrqbalanceArgs.Decision.Write.class, IrqbalanceArgs.install(original));
        assertTrue(w.replacedSeed());
        assertEquals("IRQBALANCE_ARGS=\"" + HOOK_ARG + "\"\n", w.text());
        assertEquals(original, IrqbalanceArgs.uninstall(w.text(), w.edit()));
        var shortForm = assertInstanceOf(IrqbalanceArgs.Decision.Write.class,
                IrqbalanceArgs.install("IRQBALANCE_ARGS='-l /usr/local/bin/irqbalance-policyscript --journal'\n"));
        assertEquals("IRQBALANCE_ARGS='-l /usr/libexec/irqbalance/xen-irq-policy --journal'\n", shortForm.text());
    }

    @Test
    void anotherPolicyIsReportedInEveryForm() {
        for (String args : List.of("--policyscript=/etc/x.sh", "--policyscript /etc/x.sh", "-l /etc/x.sh", "-l/etc/x.sh",
                "--journal --policyscript=/etc/x.sh")) {
            assertEquals(new IrqbalanceArgs.Decision.OtherPolicy("/etc/x.sh"), IrqbalanceArgs.install("IRQBALANCE_ARGS=\"" + args + "\"\n"), args);
        }
    }

    @Test
    void aMissingFileIsCreatedAndRemovedAgain() {
        var w = assertInstanceOf(IrqbalanceArgs.Decision.Write.class, IrqbalanceArgs.install(null));
        assertTrue(w.edit().createdFile());
        assertEquals(HOOK_ARG, ShellVars.last(ShellVars.parse(w.text()), "IRQBALANCE_ARGS").value());
        assertNull(IrqbalanceArgs.uninstall(w.text(), w.edit()));
        // Lines the administrator added since stay.
        assertEquals("IRQBALANCE_ONESHOT=1\n", IrqbalanceArgs.uninstall(w.text() + "IRQBALANCE_ONESHOT=1\n", w.edit()));
    }

    @Test
    void aLineEditedSinceLosesOnlyOurArgument() {
        var w = assertInstanceOf(IrqbalanceArgs.Decision.Write.class, IrqbalanceArgs.install("# x\nIRQBALANCE_ARGS=\"--journal\"\n"));
        String edited = w.text().replace("--journal", "--journal --banirq=9");
        assertEquals("# x\nIRQBALANCE_ARGS=\"--journal --banirq=9\"\n", IrqbalanceArgs.uninstall(edited, w.edit()));
    }

    @Test
    void theStateRecordsEditsWithAnyBytes() {
        var edit = new IrqbalanceArgs.Edit("A=\"x\\ty\"\r", "B=\u00e9\\n\n", false);
        InstallState state = new InstallState(Optional.of(edit), Optional.of("/etc/pd/xen-irq-policy"));
        assertEquals(Optional.of(state), InstallState.parse(state.format()));
        assertEquals(Optional.empty(), InstallState.parse("garbage"));
        assertEquals(Optional.empty(), InstallState.parse(state.format().replace("installed 1", "installed 2")));
    }

    /** How many lines differ between two texts: the lines between their common head and tail. */
    static int changedLines(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        int prefix = 0;
        while (prefix < Math.min(x.size(), y.size()) && x.get(prefix).equals(y.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < Math.min(x.size(), y.size()) - prefix
                && x.get(x.size() - 1 - suffix).equals(y.get(y.size() - 1 - suffix))) {
            suffix++;
        }
        return Math.max(x.size(), y.size()) - prefix - suffix;
    }
}
