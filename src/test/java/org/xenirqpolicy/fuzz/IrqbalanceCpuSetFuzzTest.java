package org.xenirqpolicy.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import org.xenirqpolicy.model.CpuSet;

/**
 * The banned CPUs of /etc/sysconfig/irqbalance (IRQBALANCE_BANNED_CPUS, a mask, and
 * IRQBALANCE_BANNED_CPULIST), read as irqbalance reads them: any text gives a set, whose list
 * reads back as the same set.
 */
class IrqbalanceCpuSetFuzzTest {
    @FuzzTest
    @DictionaryEntries({",", "ffffffff", "00000000", "0x", "80000000", " ", "-"})
    void irqbalanceReadingsNeverFailAndTheirListsReadBackAsTheSameSets(@NotNull String text) {
        // irqbalance never refuses a banned list or mask; it keeps what it read before an error.
        CpuListFuzzTest.assertListRoundTrips(CpuSet.parseIrqbalanceMask(text));
        CpuListFuzzTest.assertListRoundTrips(CpuSet.parseIrqbalanceList(text));
    }
}
