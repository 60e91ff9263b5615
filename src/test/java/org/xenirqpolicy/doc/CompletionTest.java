package org.xenirqpolicy.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.cli.Completion;
import org.xenirqpolicy.cli.Main;
import org.xenirqpolicy.testing.Dom0Namespace;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The bash completion the package installs, made by the build's Completion program and asked by
 * a real bash as a user's Tab asks it: it offers every command, and for each command exactly the
 * long options its --help shows.
 */
class CompletionTest {
    /** Sources the script and prints what bash would offer for the words given, one per line. */
    private static final String ASK = """
            . "$1"; shift
            # compopt only sets how bash shows the words, and works only under a real Tab.
            compopt() { :; }
            function=$(complete -p xen-irq-policy | sed -n 's/.* -F \\([^ ]*\\) .*/\\1/p')
            COMP_WORDS=(xen-irq-policy "$@")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            "$function" xen-irq-policy "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """;

    @TempDir
    Path dir;

    private Set<String> offered(Path script, String... words) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", ASK, "ask", script.toString()));
        command.addAll(List.of(words));
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(30), command.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        return Arrays.stream(r.out().split("\n")).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void bashOffersEveryCommandAndEachCommandsLongOptions() throws Exception {
        Path script = dir.resolve("xen-irq-policy");
        Completion.main(new String[] {script.toString()});
        CommandLine top = Main.fullCommandLine();
        assertEquals(new TreeSet<>(top.getSubcommands().keySet()), offered(script, ""), "commands offered after 'xen-irq-policy '");
        for (var command : top.getSubcommands().entrySet()) {
            if (command.getKey().equals("help")) {
                continue;
            }
            Set<String> longOptions = new TreeSet<>();
            for (OptionSpec option : command.getValue().getCommandSpec().options()) {
                Arrays.stream(option.names()).filter(n -> n.startsWith("--")).forEach(longOptions::add);
            }
            assertEquals(longOptions, offered(script, command.getKey(), "--"), "options offered after 'xen-irq-policy " + command.getKey() + " --'");
        }
        assertFalse(Files.readString(script).startsWith("#!"), "no #! line: bash-completion sources the file");
    }
}
