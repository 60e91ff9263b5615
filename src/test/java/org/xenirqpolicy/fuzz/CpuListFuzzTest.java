package org.xenirqpolicy.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;

/**
 * CPU lists come from sysfs, our settings and the command line: bad ones must be reported as bad
 * input, and a set that was read must print (toList, as written to smp_affinity_list and the plan
 * file) to a list that reads back as the same set.
 */
class CpuListFuzzTest {
    @FuzzTest
    @DictionaryEntries({",", "-", ":", "0-7:2", "8191", "8192", "99999"})
    void parseListThrowsOnlyInputExceptionAndItsListReadsBackAsTheSameSet(@NotNull String text) {
        CpuSet set;
        try {
            set = CpuSet.parseList(text);
        } catch (InputException documentedBadInput) {
            return;
        }
        assertListRoundTrips(set);
    }

    static void assertListRoundTrips(CpuSet set) {
        String list = set.toList();
        assertEquals(set, CpuSet.parseList(list), list);
    }
}
