package org.xenirqpolicy.contract;

import java.util.Optional;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.plan.Plan;

/** Loads and saves the applied plan at {@link Locations#PLAN}, the one place that does. */
public final class PlanStore {
    private PlanStore() {
    }

    /**
     * The applied plan, or empty if there is none or it is not a complete plan of this version
     * (a leftover of another release, cut short, edited): such a file is not trusted, by the hook
     * either, and the next apply plans without it and replaces it.
     */
    public static Optional<Plan> load(Host host) {
        return host.read(Locations.PLAN).flatMap(PlanFile::parse);
    }

    /** Whether a file is where the plan goes, trusted or not. */
    public static boolean exists(Host host) {
        return host.exists(Locations.PLAN);
    }

    /**
     * Saves the plan atomically (a reader sees the old plan or the new one, whole); false if the
     * file already held exactly this plan. Throws {@link java.io.UncheckedIOException} if it cannot.
     */
    public static boolean save(Host host, Plan plan) {
        return host.writeAtomically(Locations.PLAN, PlanFile.bytes(plan), "rw-r--r--");
    }

    /** Removes the plan, so that the hook falls back rather than trusting one that is out of date. */
    public static void remove(Host host) {
        host.delete(Locations.PLAN);
    }
}
