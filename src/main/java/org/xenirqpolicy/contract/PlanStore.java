package org.xenirqpolicy.contract;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.host.Parallel;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;

/**
 * Loads and saves the applied plan, the one place that does. The plan is a directory in
 * {@link PlanFile}'s format, {@code /run/xen-irq-policy/plan.BASE}, named after the generation it
 * was first written at, and put in force by renaming a new symbolic link {@link Locations#PLAN}
 * ({@code plan -> plan.8}) over the old one: a reader that opens {@code plan/irq.241} gets the old
 * plan's file or the new one's, and the directory it names is complete. A save that changes only
 * placements (the usable CPUs and the selectors stay: an adaptive run's moves, a guest started or
 * stopped) changes the directory in force in place instead, each file it changes renamed over the
 * old one: it writes the files it changes, not the thousands of a plan (see {@link #save}). The
 * link keeps the name the single-file plan had so that the rename also replaces a plan file of an
 * older release (which the hook of this one does not trust, nor that release's hook this
 * directory), and the messages, tests and admins' habits that name {@code /run/xen-irq-policy/plan}
 * still name the plan in force.
 */
public final class PlanStore {
    /** The plans' directories, next to the link: {@code plan.} and the base generation. */
    static final String DIR_PREFIX = "plan.";
    private static final Pattern DIR_NAME = Pattern.compile("plan\\.(" + PlanFile.GENERATION_NUMBER + ")");
    /** A header's start: version, generation, a space. */
    private static final Pattern HEADER_GENERATION = Pattern.compile(PlanFile.VERSION + " (" + PlanFile.GENERATION_NUMBER + ") .*",
            Pattern.DOTALL);
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
        return inForce(host).flatMap(base -> host.read(directory(base) + "/" + PlanFile.WHOLE)
                .flatMap(text -> PlanFile.parse(text, base)));
    }

    /**
     * When the plan in force was last saved: the time of its whole-plan file, which every save
     * writes, in place or in a new directory (the link is renamed only for the latter). Empty
     * without a link to a plan's directory.
     */
    public static Optional<Instant> saved(Host host) {
        return inForce(host).flatMap(base -> host.modified(directory(base) + "/" + PlanFile.WHOLE));
    }

    /**
     * Whether the plan in force was being saved in place when that save stopped (killed, or
     * failed): its IRQ files may then say what its whole-plan file does not, and only a save
     * repairs it (the next one writes a new directory).
     */
    public static boolean cutShort(Host host) {
        return inForce(host).map(base -> markedSaving(host, base)).orElse(false);
    }

    /** Whether the directory of base {@code base} holds the mark of a save in place ({@link PlanFile#SAVING}). */
    private static boolean markedSaving(Host host, long base) {
        return host.exists(directory(base) + "/" + PlanFile.SAVING);
    }

    /** Whether something is where the plan goes, trusted or not: the link, or an older release's file. */
    public static boolean exists(Host host) {
        return host.exists(Locations.PLAN);
    }

    /**
     * Saves the plan, in place or as a new directory (see the class), then removes the
     * directories of older plans (and any a killed apply left). False, writing nothing, if the
     * plan in force is exactly this plan. Throws {@link UncheckedIOException} if it cannot: the
     * plan in force is then the old one, or, for a save in place, partly written and marked
     * ({@link #cutShort}), so that the next save writes a new directory; a caller that must not
     * leave it to the hook meanwhile removes it ({@link #remove}).
     */
    public static boolean save(Host host, Plan plan) {
        return save(host, plan, load(host));
    }

    /**
     * As {@link #save(Host, Plan)}, with the plan in force already loaded by the caller (an apply
     * loads it under the lock to plan from it, and nothing else writes it meanwhile): the whole
     * plan is not read and parsed a second time to learn whether it changed, nor which
     * placements did.
     */
    public static boolean save(Host host, Plan plan, Optional<Plan> loaded) {
        Optional<Long> base = inForce(host);
        // Listed once: the plans' directories give the next generation, and are removed after.
        List<String> directories = directories(host);
        // A save in place that was cut short left files that the whole plan does not describe.
        boolean whole = base.isPresent() && loaded.isPresent() && !markedSaving(host, base.get());
        if (whole && loaded.get().equals(plan)) {
            removeOthers(host, directories, base.get());
            return false;
        }
        long generation = nextGeneration(host, directories);
        if (whole && loaded.get().usable().equals(plan.usable()) && loaded.get().excluded().equals(plan.excluded())) {
            saveInPlace(host, loaded.get(), plan, base.get(), generation);
            removeOthers(host, directories, base.get());
            return true;
        }
        String dir = directory(generation);
        try {
            host.createDirectory(dir);
            writeIrqFiles(host, dir, plan, plan.placements(), generation);
            host.createFile(dir + "/" + PlanFile.HEADER, PlanFile.header(plan, generation, generation), MODE);
            host.createFile(dir + "/" + PlanFile.WHOLE, PlanFile.bytes(plan, generation, generation), MODE);
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
     * Changes the directory in force from {@code loaded} to {@code plan}, which has the same
     * usable CPUs and selectors: the header first, at the new generation, then the files of the
     * placements that changed or are new, each renamed over the old one, then the files of the
     * IRQs that left the plan removed, then the whole plan. A hook that reads an IRQ's file and
     * the header meanwhile finds the header's base at or below the file's generation and the
     * header's generation at or above it, and both answers alike for the IRQ: the header says the
     * same in both plans but for its generation. {@link PlanFile#SAVING} marks the directory until
     * the whole plan is written, so that a save cut short is followed by a new directory.
     */
    private static void saveInPlace(Host host, Plan loaded, Plan plan, long base, long generation) {
        String dir = directory(base);
        host.createFile(dir + "/" + PlanFile.SAVING, new byte[0], MODE);
        host.replaceFile(dir + "/" + PlanFile.HEADER, PlanFile.header(plan, generation, base), MODE);
        Map<Integer, Placement> before = loaded.byIrq();
        List<Placement> changed = plan.placements().stream().filter(p -> !p.equals(before.get(p.irq()))).toList();
        writeIrqFiles(host, dir, plan, changed, generation);
        Map<Integer, Placement> after = plan.byIrq();
        for (Placement p : loaded.placements()) {
            if (!after.containsKey(p.irq())) {
                host.delete(dir + "/" + PlanFile.IRQ_PREFIX + p.irq());
            }
        }
        host.replaceFile(dir + "/" + PlanFile.WHOLE, PlanFile.bytes(plan, generation, base), MODE);
        host.delete(dir + "/" + PlanFile.SAVING);
    }

    /**
     * Writes the files of {@code placements} at {@code generation}: new files in a new directory,
     * each renamed over the old one in the directory in force. Thousands of files of a few bytes
     * for a new directory (an open, a write and a close each): spread over the CPUs.
     */
    private static void writeIrqFiles(Host host, String dir, Plan plan, List<Placement> placements, long generation) {
        String usable = plan.usable().toList();
        boolean inPlace = !dir.equals(directory(generation));
        Parallel.map(placements.size(), i -> {
            Placement p = placements.get(i);
            String file = dir + "/" + PlanFile.IRQ_PREFIX + p.irq();
            byte[] line = PlanFile.irq(generation, usable, p);
            if (inPlace) {
                host.replaceFile(file, line, MODE);
            } else {
                host.createFile(file, line, MODE);
            }
            return p;
        });
    }

    /**
     * Removes the plan, so that the hook falls back rather than trusting one that is out of date.
     * The directory of the highest generation stays, holding its header alone and linked by
     * nothing (the hook never sees it), so that the next save takes the generation after it:
     * generations only grow, which the hook's read-again test relies on (a hook call that read a
     * file of the removed plan and then the header of a new one must not find the file's
     * generation within the new header's). The next save removes it.
     */
    public static void remove(Host host) {
        host.delete(Locations.PLAN);
        // A link named like a plan's directory is not one of ours: removed as a link, never followed.
        List<String> directories = directories(host).stream()
                .filter(name -> host.linkTarget(Locations.RUN_DIR + "/" + name).isEmpty())
                .toList();
        String highest = directories.stream()
                .max(Comparator.comparingLong(name -> generationIn(host, name)))
                .orElse("");
        for (String name : directories(host)) {
            String dir = Locations.RUN_DIR + "/" + name;
            if (name.equals(highest) && host.isDirectory(dir)) {
                for (String entry : host.list(dir)) {
                    if (!entry.equals(PlanFile.HEADER)) {
                        host.deleteTree(dir + "/" + entry);
                    }
                }
            } else {
                host.deleteTree(dir);
            }
        }
    }

    /**
     * The generation after every one written in the run directory: after the names of the
     * plans' directories and the generations in their headers (a save in place raises the
     * header's). A header that cannot be read counts for its directory's name alone: the hook
     * trusts none of that directory's files for an IRQ that needs the header either.
     */
    private static long nextGeneration(Host host, List<String> directories) {
        long highest = 0;
        for (String name : directories) {
            highest = Math.max(highest, generationIn(host, name));
        }
        return highest + 1;
    }

    /**
     * The highest generation a plan's directory holds: its name's, or its header's if higher. A
     * link named like a directory of ours is not one: its name counts, never what it leads to.
     */
    private static long generationIn(Host host, String directoryName) {
        long generation = generationOf(directoryName);
        if (host.linkTarget(Locations.RUN_DIR + "/" + directoryName).isPresent()) {
            return generation;
        }
        Optional<String> header = host.read(Locations.RUN_DIR + "/" + directoryName + "/" + PlanFile.HEADER);
        Matcher m = HEADER_GENERATION.matcher(header.orElse(""));
        return m.matches() ? Math.max(generation, Long.parseLong(m.group(1))) : generation;
    }

    /** The names of the plans' directories in the run directory, in force or not. */
    private static List<String> directories(Host host) {
        return host.list(Locations.RUN_DIR).stream().filter(name -> DIR_NAME.matcher(name).matches()).toList();
    }

    /** The generation a plan's directory is named after ({@code plan.7}: 7), from its listed name. */
    private static long generationOf(String directoryName) {
        return Long.parseLong(directoryName.substring(DIR_PREFIX.length()));
    }

    /** The base generation of the plan the link names (its directory's name), if it names one of ours. */
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
