package org.xenirqpolicy.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Optional;
import org.xenirqpolicy.contract.PlanFile;
import org.xenirqpolicy.plan.Plan;

/**
 * /run/xen-irq-policy/plan/all may be truncated, hand-edited or of another version: apply and status
 * must then ignore it (Optional.empty), never fail on it; and a plan it accepts must be written
 * back unchanged, since the next apply keeps it. Seeds: plan files in PlanFile's format.
 */
class PlanFileFuzzTest {
    @FuzzTest
    // No entry holds a line break: Jazzer writes entries to a libFuzzer dictionary unescaped.
    @DictionaryEntries({"xen-irq-policy-plan 4", "generation 1", "base 1", "strategy spread", "strategy modulo", "strategy load", "usable ",
            "irq ", "end ", "# ", "exclude ", "dom:", "vif1.*"})
    void parseNeverThrowsAndAnAcceptedPlanIsWrittenBackAsItWasRead(@NotNull String text) {
        Optional<Plan> plan = PlanFile.parse(text);
        if (plan.isPresent()) {
            String written = PlanFile.format(plan.get(), 1, 1);
            assertEquals(plan, PlanFile.parse(written), "read from:\n" + text + "\nwritten as:\n" + written);
        }
    }
}
