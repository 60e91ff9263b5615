package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/**
 * Error messages on standard error are UTF-8 whatever the locale, as standard output is, and a
 * name from the kernel in them reads as the text its bytes encode.
 */
class StandardErrorTest {
    private static final String NAME = "café-ü€";
    private static final String ERROR = "xen-irq-policy: IRQ 43 " + NAME
            + ": cannot write /proc/irq/43/smp_affinity_list: Is a directory\n";

    @TempDir
    Path tmp;

    /** A dom0 of two event channels, IRQ 43 named {@link #NAME} in UTF-8, whose affinity write fails. */
    private Path dom0WhereTheNamedIrqFails(String dir) throws Exception {
        String utf8 = new String(NAME.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        HostTree t = HostTree.at(tmp.resolve(dir)).fromInterrupts(
                "           CPU0       CPU1\n"
                + " 43:          2          2   xen-dyn    -event     " + utf8 + "\n"
                + " 44:          2          2   xen-dyn    -event     vif1.0-q0-tx\n", true);
        Path attr = t.path("/proc/irq/43/smp_affinity_list");
        Files.delete(attr);
        Files.createDirectory(attr);
        return t.root();
    }

    @Test
    void aKernelNameInAnErrorReadsAsItsText() throws Exception {
        Cli.Result r = Cli.run("apply", "--root", dom0WhereTheNamedIrqFails("in-process").toString());
        assertEquals(1, r.status(), r.err());
        assertEquals(ERROR, r.err());
    }

    /**
     * Under LANG=C (the POSIX locale, where the JVM's standard error is ASCII and writes '?' for
     * each byte of café's é), in a JVM of its own as the launcher starts it: the error's bytes are
     * its UTF-8.
     */
    @Test
    void underThePosixLocaleStandardErrorIsUtf8() throws Exception {
        Path root = dom0WhereTheNamedIrqFails("posix");
        Path err = tmp.resolve("err");
        ProcessBuilder pb = new ProcessBuilder(Cli.inOwnJvm("apply", "--root", root.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANGUAGE") || k.equals("JOURNAL_STREAM"));
        pb.environment().put("LANG", "C");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "apply did not end");
        assertEquals(1, p.exitValue());
        byte[] bytes = Files.readAllBytes(err);
        assertEquals(ERROR, new String(bytes, StandardCharsets.UTF_8), new String(bytes, StandardCharsets.ISO_8859_1));
    }
}
