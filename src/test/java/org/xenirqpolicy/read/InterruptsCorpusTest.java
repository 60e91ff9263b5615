package org.xenirqpolicy.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenirqpolicy.classify.XenDynRule;
import org.xenirqpolicy.testing.Fixtures;

/** Every /proc/interrupts of the corpus (real captures and generated layouts, 1 to 256 CPUs). */
class InterruptsCorpusTest {
    static Stream<Path> corpus() throws IOException {
        try (Stream<Path> list = Files.list(Fixtures.repo().resolve("src/test/resources/interrupts"))) {
            return list.filter(p -> p.toString().endsWith(".txt")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void parsesEveryLineAndFindsTheEventChannels(Path file) {
        String text = Fixtures.read(file);
        List<String> lines = text.lines().toList();
        InterruptsTable t = ProcInterrupts.parse(text);
        assertEquals(0, t.skippedLines(), file + ": first skipped line " + t.firstSkippedLine());
        assertEquals(lines.get(0).strip().split("\\s+").length, t.cpuOfColumn().length);
        assertEquals(lines.stream().filter(l -> l.matches("\\s*[0-9]+:.*")).count(), t.irqs().size());
        for (IrqLine irq : t.irqs()) {
            assertEquals(irq.counts().length, t.cpuOfColumn().length);
            String raw = lines.stream().filter(l -> l.matches("\\s*" + irq.irq() + ":.*")).findFirst().orElseThrow();
            boolean dynInText = raw.matches(".*\\s(xen-dyn|xen-dyn-lateeoi|xen-dyn-event)\\s.*");
            assertEquals(dynInText, XenDynRule.isXenDynChip(irq.chip()), raw);
            assertTrue(raw.stripTrailing().endsWith(irq.actions()), raw);
        }
        assertTrue(t.cpuOfColumn().length >= 1 && t.cpuOfColumn().length <= 256);
    }
}
