package org.xenirqpolicy.cli;

import java.io.PrintWriter;

/**
 * The one place that writes messages and reports, each line with its priority: errors and
 * warnings on standard error, reports and their details on standard output. Where a stream is
 * the journal, each line starts with its sd-daemon(3) prefix, so that journalctl -p filters by
 * it. On a terminal the rows of a report's tables are cut to its width; messages (info, debug,
 * warnings, errors) are sentences, which the terminal wraps, and stay whole.
 */
final class Log {
    /** sd-daemon(3)'s syslog priorities, the ones we use. */
    enum Priority {
        ERROR(3), WARNING(4), INFO(6), DEBUG(7);

        final String prefix;

        Priority(int level) {
            this.prefix = "<" + level + ">";
        }
    }

    /** How much a command prints: --quiet only errors, --verbose also the details (debug). */
    enum Verbosity { QUIET, NORMAL, VERBOSE }

    private final PrintWriter out;
    private final PrintWriter err;
    private final Console console;
    private final Verbosity verbosity;

    Log(PrintWriter out, PrintWriter err, Console console, Verbosity verbosity) {
        this.out = out;
        this.err = err;
        this.console = console;
        this.verbosity = verbosity;
    }

    Log with(Verbosity other) {
        return new Log(out, err, console, other);
    }

    Console console() {
        return console;
    }

    /** "xen-irq-policy: MESSAGE" on standard error, always. */
    void error(String message) {
        line(err, console.errToJournal(), Priority.ERROR, "xen-irq-policy: " + message);
    }

    /** "xen-irq-policy: MESSAGE" on standard error, unless --quiet. */
    void warning(String message) {
        if (verbosity != Verbosity.QUIET) {
            line(err, console.errToJournal(), Priority.WARNING, "xen-irq-policy: " + message);
        }
    }

    /** A report line on standard output (a summary), unless --quiet. */
    void info(String line) {
        if (verbosity != Verbosity.QUIET) {
            line(out, console.outToJournal(), Priority.INFO, line);
        }
    }

    /** A detail line on standard output (one IRQ moved), only with --verbose. */
    void debug(String line) {
        if (verbosity == Verbosity.VERBOSE) {
            line(out, console.outToJournal(), Priority.DEBUG, line);
        }
    }

    /**
     * A command's report, which its caller asked for: printed whatever the verbosity, as
     * information. Text is cut to the terminal's width; JSON is never cut.
     */
    void report(String text, boolean json) {
        String fitted = json ? text : console.fit(text);
        if (!console.outToJournal()) {
            out.print(fitted);
            return;
        }
        fitted.lines().forEach(l -> out.print(Priority.INFO.prefix + l + "\n"));
    }

    /** Clears a terminal before a refresh (the caller knows it is one). */
    void clearScreen(String sequence) {
        out.print(sequence);
    }

    /** Writes what is printed so far: a report that refreshes shows each refresh at once. */
    void flush() {
        out.flush();
        err.flush();
    }

    private static void line(PrintWriter to, boolean journal, Priority priority, String text) {
        // One print with "\n", not println: the line separator is "\n" whatever the platform,
        // and the prefix and its line leave in one write.
        to.print((journal ? priority.prefix : "") + text + "\n");
        if (priority == Priority.ERROR || priority == Priority.WARNING) {
            to.flush();
        }
    }

    /** A command that prints through the log: Main hands it the one for this run. */
    interface User {
        void use(Log log);
    }
}
