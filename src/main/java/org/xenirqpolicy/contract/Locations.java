package org.xenirqpolicy.contract;

/**
 * Where the engine and the irqbalance hook (src/main/sh/xen-irq-policy-hook) meet: the files one
 * writes and the other reads. The hook spells the same paths in sh; SystemdUnitsTest and
 * HookInputTest keep the two in step. The per-IRQ kernel files both write are
 * {@link org.xenirqpolicy.read.IrqFiles}'.
 */
public final class Locations {
    /** Ours: the plan, the lock, the last apply's record and, unsandboxed, the hook's requests. */
    public static final String RUN_DIR = "/run/xen-irq-policy";
    /**
     * The applied plan: a symbolic link to its directory {@code plan.BASE} beside it, in
     * {@link PlanFile}'s format, replaced as {@link PlanStore} says. Java readers go through
     * {@link PlanStore}, which resolves the link once; the hook opens files through it.
     */
    public static final String PLAN = RUN_DIR + "/plan";
    /** Held by an apply while it plans and writes; also records its last change. */
    public static final String LOCK = RUN_DIR + "/lock";

    private Locations() {
    }
}
