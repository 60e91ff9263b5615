package org.xenirqpolicy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuSetTest {
    @Test
    void parsesListsWithGapsAndRanges() {
        CpuSet cpus = CpuSet.parseList("0,2-5,8\n");
        assertEquals("0,2-5,8", cpus.toList());
        assertEquals(6, cpus.size());
        assertEquals(8, cpus.get(5));
        assertEquals(-1, cpus.indexOf(1));
        assertEquals(1, cpus.indexOf(2));
    }

    @Test
    void foldsRangesAndSortsWhenFormatting() {
        assertEquals("0-3,7", CpuSet.parseList("3,1,2,0,7,2").toList());
        assertEquals("0-7:2 is 0,2,4,6", "0-7:2 is " + CpuSet.parseList("0-7:2").toList());
        assertEquals("", CpuSet.parseList(" \n").toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "1-", "-1", "3-1", "1,,2", "0-7:0", "99999", "1 2"})
    void rejectsWhatIsNotACpuList(String text) {
        InputException e = assertThrows(InputException.class, () -> CpuSet.parseList(text));
        assertTrue(e.getMessage().contains("CPU"), e.getMessage());
    }

    @Test
    void parsesMasksInThirtyTwoBitWordsBeyondSixtyFourCpus() {
        assertEquals("0", CpuSet.parseIrqbalanceMask("1").toList());
        assertEquals("0-3", CpuSet.parseIrqbalanceMask("f\n").toList());
        assertEquals("32", CpuSet.parseIrqbalanceMask("1,00000000").toList());
        assertEquals("64,95", CpuSet.parseIrqbalanceMask("80000001,00000000,00000000").toList());
        assertEquals("1,33", CpuSet.parseIrqbalanceMask("00000002,00000002").toList());
        assertEquals("", CpuSet.parseIrqbalanceMask("0").toList());
        assertEquals("", CpuSet.parseIrqbalanceMask("00000000,00000000").toList());
    }

    @Test
    void readsMasksAsIrqbalanceDoesKeepingTheWordsBeforeAnError() {
        assertEquals("0-7,32-35", CpuSet.parseIrqbalanceMask("F,000000fF").toList());
        assertEquals("0", CpuSet.parseIrqbalanceMask("1,").toList());
        assertEquals("", CpuSet.parseIrqbalanceMask(",1").toList());
        assertEquals("", CpuSet.parseIrqbalanceMask("0x1").toList());
        assertEquals("0-7", CpuSet.parseIrqbalanceMask("ff,g").toList());
        assertEquals("0-7", CpuSet.parseIrqbalanceMask("ff,123456789").toList());
        assertEquals("0", CpuSet.parseIrqbalanceMask("000000001").toList());
        assertEquals("0-7", CpuSet.parseIrqbalanceMask(" \tff\n").toList());
        assertEquals("0-7", CpuSet.parseIrqbalanceMask("ff, 1").toList());
        assertEquals("", CpuSet.parseIrqbalanceMask("ff ,1").toList());
    }

    @Test
    void readsListsAsIrqbalanceDoesKeepingTheEntriesBeforeAnError() {
        assertEquals("1-3,5", CpuSet.parseIrqbalanceList("1-3,5").toList());
        assertEquals("0-1,3", CpuSet.parseIrqbalanceList("1,,3").toList());
        assertEquals("0", CpuSet.parseIrqbalanceList(" ").toList());
        assertEquals("", CpuSet.parseIrqbalanceList("").toList());
        assertEquals("0", CpuSet.parseIrqbalanceList("0-").toList());
        assertEquals("2", CpuSet.parseIrqbalanceList("2,4096,3").toList());
        assertEquals("", CpuSet.parseIrqbalanceList("1-3-5").toList());
        assertEquals("1", CpuSet.parseIrqbalanceList("1, 2").toList());
        assertEquals("1-2", CpuSet.parseIrqbalanceList(" 1,2 \n").toList());
        assertEquals("", CpuSet.parseIrqbalanceList("12345678901234567890").toList());
        assertEquals("4095", CpuSet.parseIrqbalanceList("0004095").toList());
    }

    @Test
    void setOperationsKeepIdsNotPositions() {
        CpuSet online = CpuSet.parseList("0,2-3");
        assertEquals("0,3", online.minus(CpuSet.of(2)).toList());
        assertEquals("2-3", online.intersect(CpuSet.parseList("1-7")).toList());
        assertEquals("0-3", online.union(CpuSet.of(1)).toList());
        assertEquals(CpuSet.parseList("0,3"), CpuSet.of(3, 0));
    }
}
