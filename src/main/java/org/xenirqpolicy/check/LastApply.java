package org.xenirqpolicy.check;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenirqpolicy.contract.Locations;

/**
 * The record an apply (not a dry run) leaves at its end, so that check can say whether the
 * service's last run succeeded: one line, {@code exit=STATUS time=INSTANT}. It lives in /run, so
 * a missing record means no apply ran since boot; a JVM that dies never reaches the write.
 *
 * @param exitStatus the apply's exit status: 0 done, 1 partly done
 * @param time       when it ended; an apply with the status already recorded leaves the record as
 *                   it is, so that an apply that changes nothing writes nothing
 */
public record LastApply(int exitStatus, Instant time) {
    public static final String PATH = Locations.RUN_DIR + "/last-apply";
    private static final Pattern LINE = Pattern.compile("exit=([0-9]{1,3}) time=(\\S+)\n?");

    public String format() {
        return "exit=" + exitStatus + " time=" + time.truncatedTo(ChronoUnit.SECONDS) + "\n";
    }

    /** The record in {@code text}, or empty if it is not one. */
    public static Optional<LastApply> parse(String text) {
        Matcher m = LINE.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LastApply(Integer.parseInt(m.group(1)), Instant.parse(m.group(2))));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
