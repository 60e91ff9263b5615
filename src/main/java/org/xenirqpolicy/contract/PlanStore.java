package org.xenirqpolicy.contract;

import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.host.Parallel;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;

/**
 * Loads and saves the applied plan, the one place that does. The plan is a directory in
 * {@link PlanFile}'s format, {@code /run/xen-irq-policy/plan.GENERATION}, made whole first and
 * then put in force by renaming a new symbolic link {@link Locations#PLAN} ({@code plan -> plan.8})
 * over the old one: a reader that opens {@code plan/irq.241} gets the old plan's file or the new
 * one's, and the directory it names is complete. The link keeps the name the single-file plan had
 * so that the rename also replaces a plan file of an older release (which the hook of this one does
 * not trust, nor that release's hook this directory), and the messages, tests and admins' habits
 * that name {@code /run/xen-irq-policy/plan} still name the plan in force.
 */
public final class PlanStore {
    /** The plans' directories, next to the link: {@code plan.} and the generation. */
    static final String DIR_PREFIX = "plan.";
    private static final Pattern DIR_NAME = Pattern.compile("plan\\.(0|[1-9][0-9]{0,17})");
    private static final String MODE = "rw-r--r--";

    private PlanStore() {
    }

    /**
     * The applied plan, or empty if there is none or it is not a complete plan of this version
     * (a leftover of another release, cut short, edited): such a plan is not trusted, by the hook
     * either, and the next apply plans without it and replaces it. It is read from the directory
     * the link names, resolved here once, so that every file comes from the same plan.
     */
    public static Optional<Plan> load(Host host) {
        return inForce(host).flatMap(generation -> host.read(directory(generation) + "/" + PlanFile.WHOLE)
                .flatMap(text -> PlanFile.parse(text, generation)));
    }

    /** Whether something is where the plan goes, trusted or not: the link, or an older release's file. */
    public static boolean exists(Host host) {
        return host.exists(Locations.PLAN);
    }

    /**
     * Saves the plan: a new directory, then the link renamed over the old one, then the
     * directories of older plans removed (and any a crashed apply left). False, writing nothing,
     * if the plan in force is exactly this plan. Throws {@link UncheckedIOException} if it
     * cannot; the plan in force is then the old one, and the new directory is removed.
     */
    public static boolean save(Host host, Plan plan) {
        return save(host, plan, load(host));
    }

    /**
     * As {@link #save(Host, Plan)}, with the plan in force already loaded by the caller (an apply
     * loads it under the lock to plan from it, and nothing else writes it meanwhile): the whole
     * plan is not read and parsed a second time to learn whether it changed.
     */
    public static boolean save(Host host, Plan plan, Optional<Plan> loaded) {
        Optional<Long> current = inForce(host);
        // Listed once: the plans' directories give the next generation, and are removed after.
        List<String> directories = directories(host);
        if (current.isPresent() && loaded.equals(Optional.of(plan))) {
            removeOthers(host, directories, current.get());
            return false;
        }
        long generation = current.orElse(0L);
        for (String name : directories) {
            generation = Math.max(generation, generationOf(name));
        }
        generation++;
        String dir = directory(generation);
        try {
            host.createDirectory(dir);
            String usable = plan.usable().toList();
            List<Placement> placements = plan.placements();
            long inDirectory = generation;
            // Thousands of files of a few bytes: an open, a write and a close each, spread over the CPUs.
            Parallel.map(placements.size(), i -> {
                Placement p = placements.get(i);
                host.createFile(dir + "/" + PlanFile.IRQ_PREFIX + p.irq(), PlanFile.irq(inDirectory, usable, p), MODE);
                return p;
            });
            host.createFile(dir + "/" + PlanFile.HEADER, PlanFile.header(plan, generation), MODE);
            host.createFile(dir + "/" + PlanFile.WHOLE, PlanFile.bytes(plan, generation), MODE);
            host.replaceLink(Locations.PLAN, DIR_PREFIX + generation);
        } catch (UncheckedIOException e) {
            try {
                host.deleteTree(dir);
            } catch (UncheckedIOException ignored) {
                // Not linked, so never read; the next save removes it.
            }
            throw e;
        }
        removeOthers(host, directories, generation);
        return true;
    }

    /**
     * Removes the plan, so that the hook falls back rather than trusting one that is out of date.
     * The directory of the highest generation stays, empty and linked by nothing (the hook never
     * sees it), so that the next save takes the generation after it: generations only grow, which
     * the hook's read-again test relies on (a hook call that read a file of the removed plan and
     * then the header of a new one must not find the two of one generation). The next save
     * removes it.
     */
    public static void remove(Host host) {
        host.delete(Locations.PLAN);
        List<String> directories = directories(host);
        // A link named like a plan's directory is not one of ours: removed as a link, never followed.
        String highest = directories.stream()
                .filter(name -> host.linkTarget(Locations.RUN_DIR + "/" + name).isEmpty())
                .max(Comparator.comparingLong(PlanStore::generationOf))
                .orElse("");
        for (String name : directories) {
            String dir = Locations.RUN_DIR + "/" + name;
            if (name.equals(highest) && host.isDirectory(dir)) {
                for (String entry : host.list(dir)) {
                    host.deleteTree(dir + "/" + entry);
                }
            } else {
                host.deleteTree(dir);
            }
        }
    }

    /** The names of the plans' directories in the run directory, in force or not. */
    private static List<String> directories(Host host) {
        return host.list(Locations.RUN_DIR).stream().filter(name -> DIR_NAME.matcher(name).matches()).toList();
    }

    /** The generation a plan's directory is named after ({@code plan.7}: 7), from its listed name. */
    private static long generationOf(String directoryName) {
        return Long.parseLong(directoryName.substring(DIR_PREFIX.length()));
    }

    /** The generation of the plan the link names, if it names one of ours. */
    private static Optional<Long> inForce(Host host) {
        Optional<String> target = host.linkTarget(Locations.PLAN);
        Matcher m = DIR_NAME.matcher(target.orElse(""));
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    private static String directory(long generation) {
        return Locations.RUN_DIR + "/" + DIR_PREFIX + generation;
    }

    /**
     * Removes the directories of plans other than the one in force ({@code directories}: those
     * listed before it was saved, the one a crashed apply left among them). A hook that resolved the
     * link just before the rename may still be opening files there: it then finds none, and
     * reads again through the link (see the hook). A failure leaves a directory nobody links to,
     * which the next save removes, so it does not fail this one.
     */
    private static void removeOthers(Host host, List<String> directories, long inForce) {
        for (String name : directories) {
            if (!name.equals(DIR_PREFIX + inForce)) {
                try {
                    host.deleteTree(Locations.RUN_DIR + "/" + name);
                } catch (UncheckedIOException ignored) {
                    // See above.
                }
            }
        }
    }
}
