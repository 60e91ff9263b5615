package org.xenirqpolicy.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;

/**
 * The launcher (rpm/xen-irq-policy.sh) tells the engine the terminal's width, only when standard
 * output is a terminal. Its runtime here is a script that prints what the engine would be told;
 * the terminal is a pseudo-terminal of script(1), sized with stty.
 */
class LauncherWidthTest {
    private static final String LIB_LINE = "lib=/usr/lib/xen-irq-policy\n";

    @TempDir
    Path tmp;

    private Path launcher() throws IOException {
        String script = Files.readString(Fixtures.repo().resolve("rpm/xen-irq-policy.sh"), StandardCharsets.UTF_8);
        assertTrue(script.contains(LIB_LINE), "the launcher sets " + LIB_LINE.strip());
        Path lib = tmp.resolve("lib");
        Path java = lib.resolve("runtime/bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\nprintf 'width=%s\\n' \"${XEN_IRQ_POLICY_COLUMNS-unset}\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = tmp.resolve("xen-irq-policy");
        Files.writeString(launcher, script.replace(LIB_LINE, "lib='" + lib + "'\n"), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    /** Runs {@code sh -c SCRIPT} with the launcher as $1, on a pseudo-terminal of 57 columns. */
    private String onTerminal(String script) throws IOException {
        String inner = "stty cols 57 rows 20; " + script;
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(30), "script", "-qec",
                "sh -c '" + inner + "' sh " + launcher(), "/dev/null");
        assertEquals(0, r.status(), r.out() + r.err());
        return r.out().replace("\r\n", "\n");
    }

    @Test
    void onATerminalItPassesTheTerminalsWidth() throws IOException {
        assertEquals("width=57\n", onTerminal("unset COLUMNS; XEN_IRQ_POLICY_COLUMNS=5 \"$1\""));
        // COLUMNS, where set, wins, as for ps and ls; a value that is not a number is ignored.
        assertEquals("width=99\n", onTerminal("COLUMNS=99 \"$1\""));
        assertEquals("width=57\n", onTerminal("COLUMNS=wide \"$1\""));
    }

    @Test
    void intoAPipeOrAFileItPassesNothing() throws IOException {
        Path launcher = launcher();
        List<String> cmd = new ArrayList<>(List.of("env", "COLUMNS=99", "XEN_IRQ_POLICY_COLUMNS=80", launcher.toString()));
        Dom0Namespace.Result piped = Dom0Namespace.run(Duration.ofSeconds(30), cmd.toArray(String[]::new));
        assertEquals(new Dom0Namespace.Result(0, "width=unset\n", ""), piped);
        // A terminal on stdin or stderr is not one on stdout.
        assertEquals("width=unset\n", onTerminal("\"$1\" > " + tmp.resolve("file") + "; cat " + tmp.resolve("file")));
    }
}
