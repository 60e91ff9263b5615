package org.xenirqpolicy.cli;

import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import org.xenirqpolicy.host.Host;

/**
 * Where standard output and standard error go, as far as the output depends on it.
 *
 * @param width        the terminal's width when standard output is a terminal, else 0: text
 *                     lines are then cut to it; a pipe or a file gets whole lines
 * @param outToJournal standard output is the journal's stream: each line starts with its
 *                     priority, as sd-daemon(3) defines the prefixes
 * @param errToJournal the same for standard error
 */
record Console(int width, boolean outToJournal, boolean errToJournal) {
    /** No terminal, no journal: what tests and scripts see. */
    static final Console PLAIN = new Console(0, false, false);

    /**
     * Set by the launcher (rpm/xen-irq-policy.sh) to the terminal's columns, only when standard
     * output is a terminal: a JVM cannot ask the terminal (no TIOCGWINSZ), and COLUMNS is a
     * shell variable that is rarely exported and says nothing about where output goes.
     */
    static final String COLUMNS_VARIABLE = "XEN_IRQ_POLICY_COLUMNS";

    /** Narrower than this, a cut line would say nothing: lines are then left whole. */
    static final int MIN_WIDTH = 20;

    static Console detect(Map<String, String> env) {
        return detect(env, Host::standardStreamId);
    }

    /** As {@link #detect(Map)}, with the device:inode of file descriptor 1 and 2 given. */
    static Console detect(Map<String, String> env, IntFunction<Optional<String>> streamId) {
        String journal = env.get("JOURNAL_STREAM");
        int width = width(env.get(COLUMNS_VARIABLE));
        if (journal == null) {
            // Outside a service: no stream to look at.
            return new Console(width, false, false);
        }
        return new Console(width, isJournal(journal, streamId.apply(1)), isJournal(journal, streamId.apply(2)));
    }

    /**
     * Whether a stream is the journal's: JOURNAL_STREAM names the device and inode of the stream
     * systemd connected, and, as in systemd's own check, only a stream that still is that one
     * counts, since a process the service started may have redirected it and kept the variable.
     */
    static boolean isJournal(String journalStream, Optional<String> streamId) {
        return journalStream != null && journalStream.matches("[0-9]{1,20}:[0-9]{1,20}")
                && streamId.filter(journalStream::equals).isPresent();
    }

    static int width(String columns) {
        if (columns == null || !columns.matches("[0-9]{1,5}")) {
            return 0;
        }
        int width = Integer.parseInt(columns);
        return width >= MIN_WIDTH ? width : 0;
    }

    boolean terminal() {
        return width > 0;
    }

    /** Cuts each line of {@code text} to the width, marking a cut line with "..." at its end. */
    String fit(String text) {
        if (width == 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            String line = text.substring(start, end < 0 ? text.length() : end);
            out.append(line.length() > width ? line.substring(0, width - 3) + "..." : line);
            if (end >= 0) {
                out.append('\n');
            }
            start = next;
        }
        return out.toString();
    }
}
