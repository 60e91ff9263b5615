package org.xenirqpolicy.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.cli.Main;
import org.xenirqpolicy.testing.Fixtures;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The README's command table lists every command, each with the options its --help shows. */
class ReadmeCommandsTest {
    /** Options every command has, which the text under the table names once for all. */
    private static final Set<String> COMMON = Set.of("-h", "--help", "-V", "--version", "--root");
    private static final Pattern ROW = Pattern.compile("^\\| `xen-irq-policy ([a-z]+)([^`]*)` \\|", Pattern.MULTILINE);

    /** Command name -> the rest of its synopsis, from the table of the "## Commands" section. */
    private static Map<String, String> table() {
        String readme = Fixtures.read(Fixtures.repo().resolve("README.md"));
        int start = readme.indexOf("\n## Commands\n");
        assertTrue(start >= 0, "README.md has no '## Commands' section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(section);
        while (m.find()) {
            assertEquals(null, rows.put(m.group(1), m.group(2)), "README lists " + m.group(1) + " twice");
        }
        return rows;
    }

    @Test
    void theTableListsEveryCommandInTheOrderHelpDoes() {
        List<String> commands = List.copyOf(Main.fullCommandLine().getSubcommands().keySet());
        assertEquals(commands, List.copyOf(table().keySet()));
    }

    @Test
    void eachRowShowsExactlyTheOptionsOfItsCommand() {
        Map<String, CommandLine> commands = Main.fullCommandLine().getSubcommands();
        for (Map.Entry<String, String> row : table().entrySet()) {
            Set<String> ours = new TreeSet<>();
            for (OptionSpec option : commands.get(row.getKey()).getCommandSpec().options()) {
                for (String name : option.names()) {
                    if (!COMMON.contains(name)) {
                        ours.add(name);
                    }
                }
            }
            Set<String> shown = new TreeSet<>();
            Matcher m = Pattern.compile("(?<![\\w-])--?[a-z][a-z-]*").matcher(row.getValue());
            while (m.find()) {
                shown.add(m.group());
            }
            // A long option with a short one is shown by either name.
            for (OptionSpec option : commands.get(row.getKey()).getCommandSpec().options()) {
                if (List.of(option.names()).stream().anyMatch(shown::contains)) {
                    ours.removeAll(List.of(option.names()));
                    shown.removeAll(List.of(option.names()));
                }
            }
            assertEquals(Set.of(), ours, "options of " + row.getKey() + " that its README row does not show");
            assertEquals(Set.of(), shown, "options in the README row of " + row.getKey() + " that it does not have");
        }
    }
}
