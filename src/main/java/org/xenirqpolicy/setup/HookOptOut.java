package org.xenirqpolicy.setup;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.xenirqpolicy.host.Host;

/**
 * The admin's choice to run irqbalance without the hook, in {@value #PATH}: written by
 * {@code uninstall}, removed by {@code install}, read by {@code check}. A missing install record
 * cannot say this (it is missing too after an install that %post could not make), so the choice
 * has a file of its own, one line: {@code uninstall 2026-12-03T01:00:00Z}. Only a regular file
 * owned by root or by this process's user, holding that line, is trusted; anything else (a link,
 * another user's file, other text) counts as no choice made.
 */
public final class HookOptOut {
    public static final String PATH = "/var/lib/xen-irq-policy/hook-opted-out";
    private static final String BY = "uninstall ";

    private HookOptOut() {
    }

    /** Records the choice, made at {@code now} (to the second), replacing whatever is at {@value #PATH}. */
    public static void record(Host host, Instant now) {
        if (host.exists(PATH) && !host.isTrustedFile(PATH)) {
            // The atomic write would follow a link, and keep another user's ownership, which
            // check then would not trust: what is there is not ours, so it goes first.
            host.delete(PATH);
        }
        String line = BY + now.truncatedTo(ChronoUnit.SECONDS) + "\n";
        host.writeAtomically(PATH, line.getBytes(StandardCharsets.ISO_8859_1), "rw-r--r--");
    }

    /** Removes the record, if there is anything at {@value #PATH}; whether there was. */
    public static boolean remove(Host host) {
        if (!host.exists(PATH)) {
            return false;
        }
        host.delete(PATH);
        return true;
    }

    /** When the choice was recorded, if {@value #PATH} is a record this process trusts. */
    public static Optional<Instant> read(Host host) {
        if (!host.isTrustedFile(PATH)) {
            return Optional.empty();
        }
        try {
            return host.read(PATH).flatMap(HookOptOut::parse);
        } catch (RuntimeException e) {
            // Unreadable is as good as absent: the hook's checks are then judged as usual.
            return Optional.empty();
        }
    }

    /** The time in a record's text, or empty if the text is not exactly one record line. */
    static Optional<Instant> parse(String text) {
        if (!text.startsWith(BY) || !text.endsWith("\n") || text.indexOf('\n') != text.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text.substring(BY.length(), text.length() - 1)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
