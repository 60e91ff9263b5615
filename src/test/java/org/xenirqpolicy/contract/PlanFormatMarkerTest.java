package org.xenirqpolicy.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.xenirqpolicy.testing.Fixtures;

/**
 * The package's /usr/lib/xen-irq-policy/plan-format (rpm/plan-format) names the plan format the
 * engine writes, and %postun (rpm/postun.sh) removes our plan only for a release whose file is
 * missing or names an older format: that release gets its own plan instead (RpmPackageIT,
 * aDowngradeToAReleaseThatWritesAPlanFileGetsItsPlan).
 */
class PlanFormatMarkerTest {
    @Test
    void theMarkerAndThePostunNameTheFormatTheEngineWrites() {
        assertEquals(PlanFile.VERSION + "\n", Fixtures.read(Fixtures.repo().resolve("rpm/plan-format")));
        String postun = Fixtures.read(Fixtures.repo().resolve("rpm/postun.sh"));
        assertTrue(postun.contains("[ \"$format\" -lt " + PlanFile.VERSION + " ]"), postun);
        assertTrue(postun.contains("'' | *[!0-9]*) format=" + PlanFile.VERSION + " ;;"), postun);
    }
}
