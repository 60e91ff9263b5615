package org.xenirqpolicy.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.cli.Main;
import org.xenirqpolicy.testing.Dom0Namespace;
import org.xenirqpolicy.testing.Fixtures;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/** man/xen-irq-policy.8 is lint-clean and names exactly the options --help names. */
class ManPageTest {
    private static final Path PAGE = Fixtures.repo().resolve("man/xen-irq-policy.8");
    /** Options the page mentions that belong to irqbalance, not to us. */
    private static final Set<String> IRQBALANCE_OPTIONS = Set.of("--policyscript", "--banirq");
    /**
     * Other programs' options the page names: systemctl's --now (enabling the metrics timer) and
     * node_exporter's --collector.textfile.directory, whose match stops at its first dot.
     */
    private static final Set<String> OTHER_PROGRAMS_OPTIONS = Set.of("--now", "--collector");

    @BeforeEach
    void mandoc() {
        Fixtures.requireExecutables("apt-get install mandoc", "/usr/bin/mandoc");
    }

    private static String rendered() {
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(30), "mandoc", "-T", "ascii", PAGE.toString());
        assertEquals(0, r.status(), r.err());
        // Overstrike bold and underline: "X\bX" and "_\bX" are X.
        return r.out().replaceAll(".\b", "");
    }

    @Test
    void mandocLintFindsNothing() {
        Dom0Namespace.Result r = Dom0Namespace.run(Duration.ofSeconds(30), "mandoc", "-T", "lint", "-W", "warning", PAGE.toString());
        assertEquals(new Dom0Namespace.Result(0, "", ""), r);
    }

    @Test
    void everyOptionOfEveryCommandIsInThePageAndNoOther() {
        String page = rendered();
        Set<String> ours = new TreeSet<>();
        CommandLine top = Main.fullCommandLine();
        collect(top, ours);
        for (String option : ours) {
            assertTrue(Pattern.compile("(^|[^\\w-])" + Pattern.quote(option) + "($|[^\\w-])", Pattern.MULTILINE).matcher(page).find(),
                    "the man page does not mention " + option);
        }
        for (String command : top.getSubcommands().keySet()) {
            assertTrue(page.contains("xen-irq-policy " + command), "the man page does not show the command " + command);
        }
        Matcher m = Pattern.compile("(?<![\\w-])--[a-z][a-z-]*[a-z]").matcher(page);
        Set<String> mentioned = new TreeSet<>();
        while (m.find()) {
            mentioned.add(m.group());
        }
        mentioned.removeAll(ours);
        mentioned.removeAll(IRQBALANCE_OPTIONS);
        mentioned.removeAll(OTHER_PROGRAMS_OPTIONS);
        assertEquals(Set.of(), mentioned, "options in the man page that no command has");
    }

    @Test
    void cpuNumberingSaysWhichVariableTunedWrites() {
        String page = rendered();
        String section = page.substring(page.indexOf("\nCPU NUMBERING\n"), page.indexOf("\nSTRATEGIES\n")).replaceAll("\\s+", " ");
        // Current tuned writes the CPU list; the mask is what older tuned wrote. Both are read.
        assertTrue(Pattern.compile("IRQBALANCE_BANNED_CPULIST \\([^)]*current tuned\\(8\\) writes\\)").matcher(section).find(), section);
        assertTrue(Pattern.compile("IRQBALANCE_BANNED_CPUS \\([^)]*older tuned wrote").matcher(section).find(), section);
        assertTrue(section.contains("Both are still read"), section);
    }

    private static void collect(CommandLine cli, Set<String> names) {
        for (OptionSpec option : cli.getCommandSpec().options()) {
            names.addAll(List.of(option.names()));
        }
        cli.getSubcommands().values().forEach(sub -> collect(sub, names));
    }
}
