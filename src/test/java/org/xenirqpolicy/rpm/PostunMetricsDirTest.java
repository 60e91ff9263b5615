package org.xenirqpolicy.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.read.Settings;
import org.xenirqpolicy.testing.Fixtures;

/**
 * rpm/postun.sh's {@code metrics_dir} (and {@code strip_blanks}, which it calls), run by dash and bash (Fedora's /bin/sh) on settings
 * files: where it answers, its metrics file is the one the engine writes (the directory
 * {@link Settings#parse} reads, as {@code metrics --textfile} names the file in it); the plain
 * forms get an answer; the forms sh cannot read exactly get none, so that %postun removes
 * nothing.
 */
class PostunMetricsDirTest {
    @TempDir
    Path tmp;

    private static final List<String> SHELLS = List.of("/bin/dash", "/bin/bash");

    /** The metrics file named by the function's answer, for each shell; empty: no answer. */
    private List<Optional<String>> shTextfile(Path settings) throws Exception {
        String postun = Fixtures.read(Fixtures.repo().resolve("rpm/postun.sh"));
        // The function and the one it calls, defined before it.
        int from = postun.indexOf("strip_blanks() {");
        int to = postun.indexOf("\n}\n", postun.indexOf("metrics_dir() {"));
        assertTrue(from >= 0 && to > from, "rpm/postun.sh defines strip_blanks, then metrics_dir");
        String script = postun.substring(from, to + 3)
                + "if dir=$(metrics_dir \"$1\"); then printf '%s\\n' \"$dir/xen_irq_policy.prom\"; else echo none; fi\n";
        List<Optional<String>> out = new ArrayList<>();
        for (String shell : SHELLS) {
            Process p = new ProcessBuilder(shell, "-c", script, "postun", settings.toString()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), shell + ": " + said);
            out.add(said.equals("none\n") ? Optional.empty() : Optional.of(said.substring(0, said.length() - 1)));
        }
        return out;
    }

    /** The file the engine writes with these settings. */
    private static String engineTextfile(String text) {
        String dir = Settings.parse(text, "/etc/sysconfig/xen-irq-policy").metricsDir();
        return (dir.equals("/") ? "" : dir) + "/xen_irq_policy.prom";
    }

    private void answers(String text, String expected) throws Exception {
        Path file = Files.writeString(tmp.resolve("settings"), text);
        assertEquals(expected, engineTextfile(text), "the engine's reading of " + text);
        for (Optional<String> answer : shTextfile(file)) {
            assertEquals(Optional.of(expected), answer, text);
        }
    }

    private void noAnswer(String text) throws Exception {
        Path file = Files.writeString(tmp.resolve("settings"), text);
        for (Optional<String> answer : shTextfile(file)) {
            assertEquals(Optional.empty(), answer, text);
        }
    }

    @Test
    void plainFormsAreReadAsTheEngineReadsThem() throws Exception {
        Fixtures.requireExecutables("apt-get install dash bash", SHELLS.toArray(String[]::new));
        answers(Fixtures.read(Fixtures.repo().resolve("sysconfig/xen-irq-policy")), "/var/lib/prometheus/node-exporter/xen_irq_policy.prom");
        answers("STRATEGY=spread\n#METRICS_DIR=/commented\n", "/var/lib/prometheus/node-exporter/xen_irq_policy.prom");
        answers("METRICS_DIR=/srv/textfiles\n", "/srv/textfiles/xen_irq_policy.prom");
        answers("METRICS_DIR=/srv/textfiles", "/srv/textfiles/xen_irq_policy.prom");
        answers("  export\tMETRICS_DIR='/srv/textfiles//'  # node_exporter reads here\n", "/srv/textfiles/xen_irq_policy.prom");
        answers("export METRICS_DIR=\"/srv/$text#files\"\n", "/srv/$text#files/xen_irq_policy.prom");
        answers("METRICS_DIR=/first\nMETRICS_DIR=/second\n", "/second/xen_irq_policy.prom");
        answers("METRICS_DIR=/\n", "/xen_irq_policy.prom");
        answers("METRICS_DIR=/srv/t\u00e9xt\n", "/srv/t\u00e9xt/xen_irq_policy.prom");
    }

    @Test
    void noFileIsTheDefault() throws Exception {
        Fixtures.requireExecutables("apt-get install dash bash", SHELLS.toArray(String[]::new));
        assertEquals("/var/lib/prometheus/node-exporter/xen_irq_policy.prom", engineTextfile(""));
        for (Optional<String> answer : shTextfile(tmp.resolve("absent"))) {
            assertEquals(Optional.of("/var/lib/prometheus/node-exporter/xen_irq_policy.prom"), answer);
        }
    }

    @Test
    void whatShCannotReadExactlyGetsNoAnswer() throws Exception {
        Fixtures.requireExecutables("apt-get install dash bash", SHELLS.toArray(String[]::new));
        // A continued line: the engine reads no METRICS_DIR here, only the comment.
        noAnswer("# where \\\nMETRICS_DIR=/srv/textfiles\n");
        noAnswer("METRICS_DIR=/srv/textfiles\r\n");
        noAnswer("METRICS_DIR='/srv/text files'\n");
        noAnswer("METRICS_DIR=/srv/text\\ files\n");
        noAnswer("METRICS_DIR=\"/srv/\\\"q\\\"\"\n");
        noAnswer("METRICS_DIR='/srv/a'/b\n");
        noAnswer("METRICS_DIR=srv/textfiles\n");
        noAnswer("METRICS_DIR=\n");
    }
}
