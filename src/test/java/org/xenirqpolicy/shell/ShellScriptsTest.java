package org.xenirqpolicy.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.testing.Fixtures;

/** Every shell script of the project is POSIX sh and shellcheck-clean. */
class ShellScriptsTest {
    static List<Path> shellScripts() throws IOException {
        Path repo = Fixtures.repo();
        List<Path> scripts = new ArrayList<>();
        for (String dir : List.of(".ci", "bench", "src/main/sh", "src/test/sh", "rpm")) {
            Path d = repo.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(d)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    List<String> lines = Files.readAllLines(f);
                    if (!lines.isEmpty() && lines.get(0).matches("#!\\s*/bin/(ba)?sh.*")) {
                        scripts.add(f);
                    }
                }
            }
        }
        return scripts;
    }

    @Test
    void shellcheckFindsNothing() throws Exception {
        Fixtures.requireExecutables("apt-get install shellcheck", "/usr/bin/shellcheck");
        List<Path> scripts = shellScripts();
        assertFalse(scripts.isEmpty());
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "--severity=style"));
        scripts.forEach(s -> cmd.add(s.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }
}
