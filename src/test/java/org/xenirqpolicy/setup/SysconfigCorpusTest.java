package org.xenirqpolicy.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenirqpolicy.read.ShellVars;
import org.xenirqpolicy.testing.Fixtures;

/**
 * Every /etc/sysconfig/irqbalance of the corpus: install adds only our argument, uninstall restores every byte;
 * a {@code *.refused.env} file is one install must not write, as systemd and sh would read the result differently.
 */
class SysconfigCorpusTest {
    private static final Path CORPUS = Fixtures.repo().resolve("src/test/resources/sysconfig");

    static Stream<Path> corpus() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(CORPUS)) {
            files = list.filter(p -> p.toString().endsWith(".env")).sorted().toList();
        }
        assertTrue(files.size() >= 30, "at least 30 variants, found " + files.size());
        return files.stream();
    }

    /** The file as irqbalance's unit reads it: bytes as ISO-8859-1, so any encoding round-trips. */
    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
    }

    /** irqbalance's arguments: the last IRQBALANCE_ARGS value, split as systemd splits it. */
    private static List<String> arguments(String text) {
        ShellVars.Assignment a = ShellVars.last(ShellVars.parse(text), IrqbalanceArgs.VARIABLE);
        List<String> words = new ArrayList<>();
        if (a != null) {
            for (String w : a.value().strip().split("\\s+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
        }
        return words;
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void installThenUninstall(Path file) throws IOException {
        String original = read(file);
        String name = file.getFileName().toString();
        IrqbalanceArgs.Decision decision = IrqbalanceArgs.install(original);
        if (name.endsWith(".other-policy.env")) {
            assertInstanceOf(IrqbalanceArgs.Decision.OtherPolicy.class, decision, name);
            return;
        }
        if (name.endsWith(".installed.env")) {
            assertInstanceOf(IrqbalanceArgs.Decision.AlreadySet.class, decision, name);
            return;
        }
        IrqbalanceArgs.Decision.Write write = assertInstanceOf(IrqbalanceArgs.Decision.Write.class, decision, name);
        // install writes only what systemd reads as sh does; the rest of the corpus passes.
        assertEquals(name.endsWith(".refused.env"), IrqbalanceArgs.problemAsSystemdReads(write.text()).isPresent(),
                name + ": " + IrqbalanceArgs.problemAsSystemdReads(write.text()));
        List<String> expected = new ArrayList<>();
        for (String arg : arguments(original)) {
            expected.add(arg.replace(IrqbalanceArgs.SEED_SCRIPT, IrqbalanceArgs.HOOK));
        }
        if (!write.replacedSeed()) {
            expected.add(IrqbalanceArgs.OUR_ARG);
        }
        assertEquals(expected, arguments(write.text()), name);
        assertEquals(original, IrqbalanceArgs.uninstall(write.text(), write.edit()), name + ": byte for byte");
        assertInstanceOf(IrqbalanceArgs.Decision.AlreadySet.class, IrqbalanceArgs.install(write.text()), name);
        // One line changed or appended; a trailing comment moved to its own line above it, an
        // export to its own line below it.
        int changed = SysconfigEditTest.changedLines(original, write.text());
        assertTrue(changed >= 1 && changed <= 3, name + ": " + changed + " lines changed");
    }
}
