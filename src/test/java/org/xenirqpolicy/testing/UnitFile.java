package org.xenirqpolicy.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A systemd unit file as systemd reads the settings the tests use: sections of {@code Key=value}
 * lines, comments and blank lines skipped; a setting given on several lines accumulates, and an
 * empty assignment resets it (systemd.exec(5)). No line continuations or specifiers: our units have none.
 */
public record UnitFile(Map<String, List<String>> settings) {

    public static UnitFile read(Path file) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        String section = "";
        for (String line : Fixtures.read(file).lines().toList()) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            if (l.startsWith("[") && l.endsWith("]")) {
                section = l.substring(1, l.length() - 1);
                continue;
            }
            int eq = l.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(file + ": not a setting: " + line);
            }
            String key = section + "." + l.substring(0, eq).strip();
            String value = l.substring(eq + 1).strip();
            List<String> values = settings.computeIfAbsent(key, k -> new ArrayList<>());
            if (value.isEmpty()) {
                values.clear();
            } else {
                values.add(value);
            }
        }
        return new UnitFile(settings);
    }

    /** The values of {@code Section.Key}, one per line since the last reset; empty if unset or reset. */
    public List<String> lines(String sectionKey) {
        return settings.getOrDefault(sectionKey, List.of());
    }

    /** The words of {@code Section.Key} over all its lines. */
    public List<String> words(String sectionKey) {
        return lines(sectionKey).stream().flatMap(v -> List.of(v.split("\\s+")).stream()).toList();
    }

    /** The value of a single-valued setting (its last line), null if unset. */
    public String value(String sectionKey) {
        List<String> values = settings.get(sectionKey);
        return values == null || values.isEmpty() ? null : values.getLast();
    }

    public boolean isSet(String sectionKey) {
        return settings.containsKey(sectionKey);
    }
}
