package org.xenirqpolicy.check;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenirqpolicy.contract.Locations;

/**
 * The record an apply (not a dry run) leaves at its end, so that check and metrics can say
 * whether the service's last run succeeded and how long it took: one line,
 * {@code exit=STATUS time=INSTANT duration=SECONDS}. It lives in /run, so a missing record means
 * no apply ran since boot; a JVM that dies never reaches the write. A record without the duration
 * (written by release 0.1.0 before it was added) is still read.
 *
 * @param exitStatus the apply's exit status: 0 done, 1 partly done
 * @param time       when it ended; an apply that changed nothing and ended with the status already
 *                   recorded leaves the record as it is, so that it writes nothing
 * @param duration   how long it ran, from the command's start to its end, if recorded
 */
public record LastApply(int exitStatus, Instant time, Optional<Duration> duration) {
    public static final String PATH = Locations.RUN_DIR + "/last-apply";
    private static final Pattern LINE = Pattern.compile("exit=([0-9]{1,3}) time=(\\S+)(?: duration=([0-9]{1,9})\\.([0-9]{3}))?\n?");

    public String format() {
        String line = "exit=" + exitStatus + " time=" + time.truncatedTo(ChronoUnit.SECONDS);
        if (duration.isPresent()) {
            long millis = duration.get().toMillis();
            line += " duration=" + millis / 1000 + "." + String.format("%03d", millis % 1000);
        }
        return line + "\n";
    }

    /** The record in {@code text}, or empty if it is not one. */
    public static Optional<LastApply> parse(String text) {
        Matcher m = LINE.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            Optional<Duration> duration = m.group(3) == null ? Optional.empty()
                    : Optional.of(Duration.ofSeconds(Long.parseLong(m.group(3))).plusMillis(Integer.parseInt(m.group(4))));
            return Optional.of(new LastApply(Integer.parseInt(m.group(1)), Instant.parse(m.group(2)), duration));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
