package org.xenirqpolicy.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;
import org.xenirqpolicy.plan.Placement;
import org.xenirqpolicy.plan.Plan;
import org.xenirqpolicy.testing.HostTree;

/**
 * The saved plan on disk: the link, the directory it names and its files, and what a save does
 * with what it finds there (an older release's plan file, directories a killed apply left, the
 * very plan it is asked to save).
 */
class PlanStoreTest {
    private static final Plan PLAN = new Plan(Strategy.SPREAD, CpuSet.parseList("0,2-3"),
            List.of(new Placement(241, 0, "vif26.0-q0-tx"), new Placement(243, 2, "blkif-backend  x")),
            new Exclusions(List.of(Selector.parse("63"), Selector.parse("vif12.*"))));

    @TempDir
    Path tmp;

    /** Every entry under /run/xen-irq-policy: a file's contents, a link's target (after "-> "), a directory's "/". */
    private Map<String, String> run() throws IOException {
        Path run = tmp.resolve("run/xen-irq-policy");
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(run)) {
            for (Path p : walk.toList()) {
                String name = run.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    entries.put(name, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(name + "/", "");
                } else {
                    entries.put(name, Files.readString(p, StandardCharsets.ISO_8859_1));
                }
            }
        }
        return entries;
    }

    @Test
    void aSaveWritesTheHooksFilesAndTheWholePlanInANewDirectoryAndLinksIt() throws IOException {
        Host host = Host.at(tmp);
        assertTrue(PlanStore.save(host, PLAN));
        Map<String, String> expected = new TreeMap<>();
        expected.put("/", "");
        expected.put("plan", "-> plan.1");
        expected.put("plan.1/", "");
        expected.put("plan.1/irq.241", "4 1 0 0,2-3 vif26.0-q0-tx\n");
        expected.put("plan.1/irq.243", "4 1 2 0,2-3 blkif-backend  x\n");
        expected.put("plan.1/header", "4 1 1 0,2-3 63 vif12.*\n");
        expected.put("plan.1/all", """
                # Written by 'xen-irq-policy apply', beside the files the irqbalance hook reads. See xen-irq-policy(8).
                xen-irq-policy-plan 4
                generation 1
                base 1
                strategy spread
                usable 0,2-3
                exclude 63
                exclude vif12.*
                irq 241 0 vif26.0-q0-tx
                irq 243 2 blkif-backend  x
                end 2
                """);
        assertEquals(expected, run());
        assertEquals(Optional.of(PLAN), PlanStore.load(host));
    }

    @Test
    void theSamePlanIsNotWrittenAgainAndAnotherWithOtherCpusOrSelectorsReplacesItUnderTheNextGeneration() throws Exception {
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        Map<String, String> before = run();
        FileTime written = Files.getLastModifiedTime(tmp.resolve("run/xen-irq-policy/plan.1/all"));
        Thread.sleep(20);
        assertFalse(PlanStore.save(host, PLAN));
        assertEquals(before, run());
        assertEquals(written, Files.getLastModifiedTime(tmp.resolve("run/xen-irq-policy/plan.1/all")));

        for (Plan other : List.of(new Plan(Strategy.SPREAD, CpuSet.parseList("0-3"), PLAN.placements(), PLAN.excluded()),
                new Plan(Strategy.SPREAD, PLAN.usable(), PLAN.placements(), Exclusions.parse("63")))) {
            Map<String, String> before2 = run();
            String old = before2.get("plan").substring(3);
            assertTrue(PlanStore.save(host, other));
            Map<String, String> after = run();
            String now = after.get("plan").substring(3);
            assertEquals(Integer.parseInt(old.substring(5)) + 1, Integer.parseInt(now.substring(5)), after.toString());
            assertTrue(after.get(now + "/header").startsWith("4 " + now.substring(5) + " " + now.substring(5) + " "), after.toString());
            assertFalse(after.containsKey(old + "/"), "the old plan's directory is removed");
            assertEquals(Optional.of(other), PlanStore.load(host));
        }
    }

    /**
     * A plan with the same usable CPUs and selectors as the one in force (moves, IRQs new or
     * gone, another strategy) changes its directory in place: the header and the files that
     * change, at the next generation; the others stay as they were written, files and times.
     */
    @Test
    void aPlanThatOnlyMovesOrAddsOrDropsPlacementsChangesTheDirectoryInForceInPlace() throws Exception {
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        Path dir = tmp.resolve("run/xen-irq-policy/plan.1");
        FileTime unchanged = Files.getLastModifiedTime(dir.resolve("irq.243"));
        Thread.sleep(20);
        Plan moved = new Plan(Strategy.MODULO, PLAN.usable(), List.of(new Placement(241, 3, "vif26.0-q0-tx"),
                new Placement(243, 2, "blkif-backend  x"), new Placement(250, 0, "vif27.0-q0-tx")), PLAN.excluded());
        assertTrue(PlanStore.save(host, moved));
        Map<String, String> expected = new TreeMap<>();
        expected.put("/", "");
        expected.put("plan", "-> plan.1");
        expected.put("plan.1/", "");
        expected.put("plan.1/irq.241", "4 2 3 0,2-3 vif26.0-q0-tx\n");
        expected.put("plan.1/irq.243", "4 1 2 0,2-3 blkif-backend  x\n");
        expected.put("plan.1/irq.250", "4 2 0 0,2-3 vif27.0-q0-tx\n");
        expected.put("plan.1/header", "4 2 1 0,2-3 63 vif12.*\n");
        expected.put("plan.1/all", """
                # Written by 'xen-irq-policy apply', beside the files the irqbalance hook reads. See xen-irq-policy(8).
                xen-irq-policy-plan 4
                generation 2
                base 1
                strategy modulo
                usable 0,2-3
                exclude 63
                exclude vif12.*
                irq 241 3 vif26.0-q0-tx
                irq 243 2 blkif-backend  x
                irq 250 0 vif27.0-q0-tx
                end 3
                """);
        assertEquals(expected, run());
        assertEquals(unchanged, Files.getLastModifiedTime(dir.resolve("irq.243")), "a file that does not change is not written");
        assertEquals(Optional.of(moved), PlanStore.load(host));

        Plan dropped = new Plan(Strategy.MODULO, PLAN.usable(), List.of(new Placement(250, 2, "vif27.0-q0-tx")), PLAN.excluded());
        assertTrue(PlanStore.save(host, dropped));
        Map<String, String> after = run();
        assertEquals(Set.of("/", "plan", "plan.1/", "plan.1/all", "plan.1/header", "plan.1/irq.250"), after.keySet());
        assertEquals("4 3 1 0,2-3 63 vif12.*\n", after.get("plan.1/header"));
        assertEquals("4 3 2 0,2-3 vif27.0-q0-tx\n", after.get("plan.1/irq.250"));
        assertEquals(Optional.of(dropped), PlanStore.load(host));
    }

    /**
     * A save in place cut short (killed between its files) leaves its mark and files the whole
     * plan does not describe: the next save writes a new directory, even of the very plan the
     * whole-plan file holds, and after the generation the header reached.
     */
    @Test
    void aSaveInPlaceCutShortIsFollowedByANewDirectory() throws IOException {
        HostTree t = HostTree.at(tmp);
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        t.write("/run/xen-irq-policy/plan.1/saving", "");
        t.write("/run/xen-irq-policy/plan.1/header", "4 2 1 0,2-3 63 vif12.*\n");
        t.write("/run/xen-irq-policy/plan.1/irq.241", "4 2 3 0,2-3 vif26.0-q0-tx\n");
        t.write("/run/xen-irq-policy/plan.1/.irq.243.xen-irq-policy.99999999.tmp", "4 2 3");
        assertEquals(Optional.of(PLAN), PlanStore.load(host), "readers trust the whole plan meanwhile");
        assertTrue(PlanStore.save(host, PLAN));
        Map<String, String> after = run();
        assertEquals("-> plan.3", after.get("plan"));
        assertEquals(Set.of("/", "plan", "plan.3/", "plan.3/all", "plan.3/header", "plan.3/irq.241", "plan.3/irq.243"),
                after.keySet());
        assertEquals("4 3 0 0,2-3 vif26.0-q0-tx\n", after.get("plan.3/irq.241"));
        assertEquals(Optional.of(PLAN), PlanStore.load(host));
    }

    /**
     * A save in place that fails midway (here its temporary file cannot be made) leaves its mark,
     * so that the plan reads as cut short and the next save writes a new directory.
     */
    @Test
    void aSaveInPlaceThatFailsLeavesItsMark() throws IOException {
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        assertFalse(PlanStore.cutShort(host));
        Path dir = tmp.resolve("run/xen-irq-policy/plan.1");
        Files.createDirectory(dir.resolve(".irq.241.xen-irq-policy." + ProcessHandle.current().pid() + ".tmp"));
        Plan moved = new Plan(Strategy.SPREAD, PLAN.usable(), List.of(new Placement(241, 3, "vif26.0-q0-tx"),
                new Placement(243, 2, "blkif-backend  x")), PLAN.excluded());
        assertThrows(UncheckedIOException.class, () -> PlanStore.save(host, moved));
        assertTrue(Files.exists(dir.resolve("saving")));
        assertTrue(PlanStore.cutShort(host));
        assertTrue(PlanStore.save(host, moved));
        assertEquals("plan.3", Files.readSymbolicLink(tmp.resolve("run/xen-irq-policy/plan")).toString());
        assertFalse(PlanStore.cutShort(host));
        assertFalse(Files.exists(dir), "the directory cut short is removed");
        assertEquals(Optional.of(moved), PlanStore.load(host));
    }

    @Test
    void anOlderReleasesPlanFileIsNotTrustedAndTheFirstSaveReplacesIt() throws IOException {
        HostTree t = HostTree.at(tmp).write("/run/xen-irq-policy/plan", """
                xen-irq-policy-plan 2
                strategy spread
                usable 0,2-3
                irq 241 0 vif26.0-q0-tx
                end 1
                """);
        Host host = Host.at(tmp);
        assertTrue(PlanStore.exists(host));
        assertEquals(Optional.empty(), PlanStore.load(host));
        assertTrue(PlanStore.save(host, PLAN));
        assertEquals("plan.1", Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan")).toString());
        assertEquals(Optional.of(PLAN), PlanStore.load(host));
    }

    @Test
    void directoriesAKilledApplyLeftAreRemovedAndNeverReused() throws IOException {
        HostTree t = HostTree.at(tmp);
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        // A killed apply: a plan written whole but never linked, and one cut short.
        t.write("/run/xen-irq-policy/plan.7/irq.241", "4 7 3 0-3 vif26.0-q0-tx\n");
        t.write("/run/xen-irq-policy/plan.8/irq.241", "4 8");
        assertEquals(Optional.of(PLAN), PlanStore.load(host), "the link still names the plan in force");
        // Saved in place, or as a new directory: either way after both.
        for (Plan moved : List.of(new Plan(Strategy.SPREAD, PLAN.usable(), List.of(new Placement(241, 2, "vif26.0-q0-tx")), PLAN.excluded()),
                new Plan(Strategy.SPREAD, PLAN.usable(), List.of(new Placement(241, 2, "vif26.0-q0-tx"))))) {
            t.write("/run/xen-irq-policy/plan.8/irq.241", "4 8");
            assertTrue(PlanStore.save(host, moved));
            assertEquals(Optional.of(moved), PlanStore.load(host));
        }
        try (Stream<Path> entries = Files.list(t.path("/run/xen-irq-policy"))) {
            assertEquals(List.of("plan", "plan.10"), entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(t.read("/run/xen-irq-policy/plan.10/header").startsWith("4 10 10 "));
    }

    /**
     * After a remove (an apply whose save failed), the next save does not start again at
     * generation 1, nor at the generation after the directory's name when saves in place raised
     * its header's: a hook call that read a file of the removed plan and then the header of the
     * new one must not find the file's generation within the header's. The directory that keeps
     * the count, its header alone, is linked by nothing and goes with the next save.
     */
    @Test
    void generationsGrowAcrossARemove() throws IOException {
        HostTree t = HostTree.at(tmp);
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        Plan moved = new Plan(Strategy.SPREAD, PLAN.usable(), List.of(new Placement(241, 2, "vif26.0-q0-tx")));
        PlanStore.save(host, moved);
        PlanStore.save(host, new Plan(Strategy.SPREAD, PLAN.usable(), List.of(new Placement(241, 3, "vif26.0-q0-tx"))));
        assertEquals("4 3 2 0,2-3\n", t.read("/run/xen-irq-policy/plan.2/header"));
        t.write("/run/xen-irq-policy/plan.1/irq.241", "4 1 0 0-3 vif26.0-q0-tx\n");
        PlanStore.remove(host);
        assertFalse(PlanStore.exists(host));
        assertEquals(Optional.empty(), PlanStore.load(host));
        assertEquals(Map.of("/", "", "plan.2/", "", "plan.2/header", "4 3 2 0,2-3\n"), run());
        assertTrue(PlanStore.save(host, PLAN));
        assertEquals("plan.4", Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan")).toString());
        try (Stream<Path> entries = Files.list(t.path("/run/xen-irq-policy"))) {
            assertEquals(List.of("plan", "plan.4"), entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("4 4 0 0,2-3 vif26.0-q0-tx\n", run().get("plan.4/irq.241"));

        // A link named like the highest plan's directory is removed as a link: what it names stays whole.
        t.write("/srv/elsewhere/keep", "mine\n");
        t.write("/srv/elsewhere/header", "4 99 9 0\n");
        Files.createSymbolicLink(t.path("/run/xen-irq-policy/plan.9"), t.path("/srv/elsewhere"));
        PlanStore.remove(host);
        assertEquals(Map.of("/", "", "plan.4/", "", "plan.4/header", "4 4 4 0,2-3 63 vif12.*\n"), run());
        assertEquals("mine\n", t.read("/srv/elsewhere/keep"));
    }

    @Test
    void aLinkToADirectoryOfAnotherGenerationOrNotOursIsNoPlan() throws IOException {
        HostTree t = HostTree.at(tmp);
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        // The whole-plan file must be of the base its directory is named after.
        Path run = t.path("/run/xen-irq-policy");
        Files.move(run.resolve("plan.1"), run.resolve("plan.5"));
        Files.delete(run.resolve("plan"));
        Files.createSymbolicLink(run.resolve("plan"), Path.of("plan.5"));
        assertEquals(Optional.empty(), PlanStore.load(host));
        // A link elsewhere, even to a whole plan, is not ours.
        Files.move(run.resolve("plan.5"), tmp.resolve("elsewhere"));
        Files.delete(run.resolve("plan"));
        Files.createSymbolicLink(run.resolve("plan"), tmp.resolve("elsewhere"));
        assertEquals(Optional.empty(), PlanStore.load(host));
        PlanStore.remove(host);
        assertFalse(PlanStore.exists(host));
        assertTrue(Files.exists(tmp.resolve("elsewhere/all")), "remove takes the link, never what it points to");
    }
}
