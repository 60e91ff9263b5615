package org.xenirqpolicy.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenirqpolicy.testing.Fixtures;

/**
 * rpmbuild expands macros in a scriptlet's whole text, its comments included, and the build host
 * decides which exist: Debian's rpmbuild has no systemd macros, Fedora's expands
 * {@code %systemd_post ...} in a comment into live shell lines. So the scriptlets hold no percent
 * sign that a macro could start: none but printf's {@code %s} and the names of the sections
 * ({@code %post}, {@code %preun}, {@code %postun}, no macros anywhere). RpmPackageIT checks the
 * stored scriptlets byte for byte, but only against the build host's macros.
 */
class ScriptletMacrosTest {
    /** A percent sign followed by what could start a macro: a name, {, (, ?, [, ! or another %. */
    private static final Pattern MACRO_START = Pattern.compile("%(?!s\\b|d\\b|post\\b|preun\\b|postun\\b)[A-Za-z_{(?\\[!%]");

    @ParameterizedTest
    @ValueSource(strings = {"rpm/post.sh", "rpm/preun.sh", "rpm/postun.sh"})
    void holdsNothingRpmbuildCouldExpand(String scriptlet) {
        String text = Fixtures.read(Fixtures.repo().resolve(scriptlet));
        List<String> found = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = MACRO_START.matcher(lines[i]);
            while (m.find()) {
                found.add((i + 1) + ": " + lines[i].substring(m.start()));
            }
        }
        assertEquals(List.of(), found, scriptlet);
    }
}
