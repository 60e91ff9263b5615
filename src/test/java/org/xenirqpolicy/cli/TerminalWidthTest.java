package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SyntheticDom0;

/** On a terminal text lines are cut to its width; into a pipe or a file they are whole. */
class TerminalWidthTest {
    @TempDir
    Path tmp;

    /** 40 guests on 8 CPUs, placed: each CPU's row lists dozens of event channels. */
    private Path placedDom0() {
        Path root = tmp.resolve("root");
        SyntheticDom0.FORTY_GUESTS.layOut(HostTree.at(root));
        assertEquals(0, Cli.run("apply", "--root", root.toString()).status());
        return root;
    }

    @Test
    void statusLinesAreCutToTheTerminalAndWholeOtherwise() {
        Path root = placedDom0();
        Cli.Result whole = Cli.run("status", "--root", root.toString());
        Cli.Result cut = Cli.runOnTerminal(80, "status", "--root", root.toString());
        assertEquals(0, cut.status(), cut.err());
        List<String> wholeLines = whole.out().lines().toList();
        List<String> cutLines = cut.out().lines().toList();
        assertEquals(wholeLines.size(), cutLines.size(), cut.out());
        assertTrue(wholeLines.stream().anyMatch(l -> l.length() > 1000), "the per-CPU lists are long: " + whole.out());
        int cuts = 0;
        for (int i = 0; i < wholeLines.size(); i++) {
            String w = wholeLines.get(i);
            if (w.length() > 80) {
                assertEquals(w.substring(0, 77) + "...", cutLines.get(i));
                cuts++;
            } else {
                assertEquals(w, cutLines.get(i));
            }
        }
        assertTrue(cuts >= 8, "every CPU's row is cut: " + cut.out());
        assertTrue(cut.out().endsWith("\n"));
    }

    @Test
    void jsonIsNeverCut() {
        Path root = placedDom0();
        for (String command : List.of("status", "plan")) {
            Cli.Result pipe = Cli.run(command, "--root", root.toString(), "--format", "json");
            assertTrue(pipe.out().length() > 1000);
            assertEquals(pipe, Cli.runOnTerminal(80, command, "--root", root.toString(), "--format", "json"));
        }
    }

    @Test
    void applysMessagesStayWholeForTheTerminalToWrap() {
        Cli.Result pipe = Cli.run("apply", "--verbose", "--root", Cli.sampleDom0(tmp.resolve("p")).toString());
        Cli.Result terminal = Cli.runOnTerminal(30, "apply", "--verbose", "--root", Cli.sampleDom0(tmp.resolve("t")).toString());
        assertEquals(0, terminal.status(), terminal.err());
        assertTrue(terminal.out().endsWith("\nspread: 8 moved, 0 in place, 0 gone, 0 failed; plan saved in /run/xen-irq-policy/plan\n"),
                terminal.out());
        assertEquals(pipe, terminal);
    }

    @Test
    void theWidthComesFromTheLaunchersVariableOnlyAndNarrowOrBadValuesCutNothing() {
        assertEquals(80, Console.detect(Map.of(Console.COLUMNS_VARIABLE, "80"), fd -> Optional.empty()).width());
        assertEquals(0, Console.detect(Map.of("COLUMNS", "80"), fd -> Optional.empty()).width(), "COLUMNS is the launcher's to read");
        for (String bad : List.of("", "abc", "-80", "80x", "19", "0", "123456")) {
            assertEquals(0, Console.width(bad), bad);
        }
        assertEquals(Console.MIN_WIDTH, Console.width(String.valueOf(Console.MIN_WIDTH)));
        assertEquals("abc\n", new Console(0, false, false).fit("abc\n"));
        String line = "x".repeat(25);
        assertEquals("x".repeat(17) + "...\nshort\n" + "x".repeat(17) + "...", new Console(20, false, false).fit(line + "\nshort\n" + line));
    }

    @Test
    void aStreamIsTheJournalOnlyWhenItsDeviceAndInodeAreThoseOfJournalStream() {
        Map<String, String> env = Map.of("JOURNAL_STREAM", "8:1234");
        Console both = Console.detect(env, fd -> Optional.of("8:1234"));
        assertEquals(new Console(0, true, true), both);
        Console errOnly = Console.detect(env, fd -> Optional.of(fd == 2 ? "8:1234" : "8:99"));
        assertEquals(new Console(0, false, true), errOnly);
        assertEquals(Console.PLAIN, Console.detect(env, fd -> Optional.of("8:12345")));
        assertEquals(Console.PLAIN, Console.detect(env, fd -> Optional.empty()));
        assertEquals(Console.PLAIN, Console.detect(Map.of(), fd -> Optional.of("8:1234")));
        assertEquals(Console.PLAIN, Console.detect(Map.of("JOURNAL_STREAM", "8:1234:5"), fd -> Optional.of("8:1234:5")));
    }
}
