package org.xenirqpolicy.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Optional;
import org.xenirqpolicy.setup.InstallState;
import org.xenirqpolicy.setup.IrqbalanceArgs;

/** The record of install's edit (/var/lib/xen-irq-policy/installed) survives being written and read. */
class InstallStateFuzzTest {
    /** Any edit, not only those install makes: the administrator's line may hold any character. */
    @FuzzTest
    void installStateReadsBackWhatItWrote(@NotNull String before, @NotNull String after, boolean createdFile,
            boolean withEdit, @NotNull String policyLink, boolean withLink) {
        InstallState state = new InstallState(
                withEdit ? Optional.of(new IrqbalanceArgs.Edit(before, after, createdFile)) : Optional.empty(),
                withLink ? Optional.of(policyLink) : Optional.empty());
        assertEquals(Optional.of(state), InstallState.parse(state.format()), state.format());
    }
}
