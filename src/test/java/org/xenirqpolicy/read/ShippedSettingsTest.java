package org.xenirqpolicy.read;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.xenirqpolicy.testing.Fixtures;

class ShippedSettingsTest {
    @Test
    void theShippedSettingsFileStatesExactlyTheDefaults() {
        String shipped = Fixtures.read(Fixtures.repo().resolve("sysconfig/xen-irq-policy"));
        assertEquals(Settings.defaults(), Settings.parse(shipped, "sysconfig/xen-irq-policy"));
        assertEquals(7, ShellVars.parse(shipped).size(), "one line per setting");
    }
}
