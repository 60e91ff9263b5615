package org.xenirqpolicy.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.xenirqpolicy.testing.Fixtures;

/**
 * The package's /usr/lib/xen-irq-policy/plan-format (rpm/plan-format) names the plan format the
 * engine writes, and %postun (rpm/postun.sh) removes our plan only for a release whose file is
 * missing or names a format from before the plan was a directory behind a link (3): such a release
 * writes its plan as a file and cannot rename it over the link, so it gets its own plan instead
 * (RpmPackageIT, aDowngradeToAReleaseThatWritesAPlanFileGetsItsPlan). A release of format 3 or
 * later renames its own link over ours, and neither hook trusts the other's files.
 */
class PlanFormatMarkerTest {
    /** The first format whose plan is a directory behind the link. */
    private static final int FIRST_DIRECTORY_FORMAT = 3;

    @Test
    void theMarkerAndThePostunNameTheFormatTheEngineWrites() {
        assertEquals(PlanFile.VERSION + "\n", Fixtures.read(Fixtures.repo().resolve("rpm/plan-format")));
        assertTrue(PlanFile.VERSION >= FIRST_DIRECTORY_FORMAT);
        String postun = Fixtures.read(Fixtures.repo().resolve("rpm/postun.sh"));
        assertTrue(postun.contains("[ \"$format\" -lt " + FIRST_DIRECTORY_FORMAT + " ]"), postun);
        assertTrue(postun.contains("'' | *[!0-9]*) format=" + PlanFile.VERSION + " ;;"), postun);
    }
}
