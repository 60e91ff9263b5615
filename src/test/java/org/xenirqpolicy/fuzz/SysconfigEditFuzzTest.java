package org.xenirqpolicy.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Optional;
import org.xenirqpolicy.setup.InstallState;
import org.xenirqpolicy.setup.IrqbalanceArgs;

/**
 * install edits /etc/sysconfig/irqbalance as the administrator left it, so any text may come in;
 * the promise is that uninstall gives back the original bytes, and that the recorded edit
 * survives being written and read (for any edit: InstallStateFuzzTest). Seeds: the upstream
 * files in src/test/resources/sysconfig.
 */
class SysconfigEditFuzzTest {
    @FuzzTest
    // No entry holds a line break: Jazzer writes entries to a libFuzzer dictionary unescaped.
    @DictionaryEntries({"IRQBALANCE_ARGS=", "export ", "\"", "'", "\\", " # ", "--policyscript=",
            "--policyscript ", "-l ", "/usr/local/bin/irqbalance-policyscript",
            "/usr/libexec/irqbalance/xen-irq-policy", "--journal"})
    void installIsUndoneByteForByteAndIsThenAlreadySet(@NotNull String original) {
        IrqbalanceArgs.Decision decision = IrqbalanceArgs.install(original);
        assertNotNull(decision, original);
        // A switch without default: a fourth kind of decision would not compile here unnoticed.
        switch (decision) {
            case IrqbalanceArgs.Decision.AlreadySet _ -> {
            }
            case IrqbalanceArgs.Decision.OtherPolicy otherPolicy -> assertNotNull(otherPolicy.path(), original);
            case IrqbalanceArgs.Decision.Write write -> {
                assertEquals(original, IrqbalanceArgs.uninstall(write.text(), write.edit()), "undoing the edit of: " + original);
                assertInstanceOf(IrqbalanceArgs.Decision.AlreadySet.class, IrqbalanceArgs.install(write.text()),
                        "installing again over: " + write.text());
                InstallState state = new InstallState(Optional.of(write.edit()), Optional.empty());
                assertEquals(Optional.of(state), InstallState.parse(state.format()), state.format());
            }
        }
    }
}
