package org.xenirqpolicy.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        expected.put("plan.1/irq.241", "3 1 0 0,2-3 vif26.0-q0-tx\n");
        expected.put("plan.1/irq.243", "3 1 2 0,2-3 blkif-backend  x\n");
        expected.put("plan.1/header", "3 1 0,2-3 63 vif12.*\n");
        expected.put("plan.1/all", """
                # Written by 'xen-irq-policy apply', beside the files the irqbalance hook reads. See xen-irq-policy(8).
                xen-irq-policy-plan 3
                generation 1
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
    void theSamePlanIsNotWrittenAgainAndAnotherReplacesItUnderTheNextGeneration() throws Exception {
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        Map<String, String> before = run();
        FileTime written = Files.getLastModifiedTime(tmp.resolve("run/xen-irq-policy/plan.1/all"));
        Thread.sleep(20);
        assertFalse(PlanStore.save(host, PLAN));
        assertEquals(before, run());
        assertEquals(written, Files.getLastModifiedTime(tmp.resolve("run/xen-irq-policy/plan.1/all")));

        Plan moved = new Plan(Strategy.MODULO, PLAN.usable(), List.of(new Placement(241, 3, "vif26.0-q0-tx")), PLAN.excluded());
        assertTrue(PlanStore.save(host, moved));
        Map<String, String> after = run();
        assertEquals("-> plan.2", after.get("plan"));
        assertEquals("3 2 3 0,2-3 vif26.0-q0-tx\n", after.get("plan.2/irq.241"));
        assertFalse(after.containsKey("plan.2/irq.243"), "an IRQ the new plan does not place has no file");
        assertFalse(after.containsKey("plan.1/"), "the old plan's directory is removed");
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
        t.write("/run/xen-irq-policy/plan.7/irq.241", "3 7 3 0-3 vif26.0-q0-tx\n");
        t.write("/run/xen-irq-policy/plan.8/irq.241", "3 8");
        assertEquals(Optional.of(PLAN), PlanStore.load(host), "the link still names the plan in force");
        Plan moved = new Plan(Strategy.SPREAD, PLAN.usable(), List.of(new Placement(241, 2, "vif26.0-q0-tx")));
        assertTrue(PlanStore.save(host, moved));
        try (Stream<Path> entries = Files.list(t.path("/run/xen-irq-policy"))) {
            assertEquals(List.of("plan", "plan.9"), entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(Optional.of(moved), PlanStore.load(host));
    }

    /**
     * After a remove (an apply whose save failed), the next save does not start again at
     * generation 1: a hook call that read a file of the removed plan and then the header of the
     * new one must not find them of one generation. The empty directory that keeps the count is
     * linked by nothing and goes with the next save.
     */
    @Test
    void generationsGrowAcrossARemove() throws IOException {
        HostTree t = HostTree.at(tmp);
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        Plan moved = new Plan(Strategy.SPREAD, PLAN.usable(), List.of(new Placement(241, 2, "vif26.0-q0-tx")));
        PlanStore.save(host, moved);
        t.write("/run/xen-irq-policy/plan.1/irq.241", "3 1 0 0-3 vif26.0-q0-tx\n");
        PlanStore.remove(host);
        assertFalse(PlanStore.exists(host));
        assertEquals(Optional.empty(), PlanStore.load(host));
        assertEquals(Map.of("/", "", "plan.2/", ""), run());
        assertTrue(PlanStore.save(host, PLAN));
        assertEquals("plan.3", Files.readSymbolicLink(t.path("/run/xen-irq-policy/plan")).toString());
        try (Stream<Path> entries = Files.list(t.path("/run/xen-irq-policy"))) {
            assertEquals(List.of("plan", "plan.3"), entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("3 3 0 0,2-3 vif26.0-q0-tx\n", run().get("plan.3/irq.241"));

        // A link named like the highest plan's directory is removed as a link: what it names stays whole.
        t.write("/srv/elsewhere/keep", "mine\n");
        Files.createSymbolicLink(t.path("/run/xen-irq-policy/plan.9"), t.path("/srv/elsewhere"));
        PlanStore.remove(host);
        assertEquals(Map.of("/", "", "plan.3/", ""), run());
        assertEquals("mine\n", t.read("/srv/elsewhere/keep"));
    }

    @Test
    void aLinkToADirectoryOfAnotherGenerationOrNotOursIsNoPlan() throws IOException {
        HostTree t = HostTree.at(tmp);
        Host host = Host.at(tmp);
        PlanStore.save(host, PLAN);
        // The whole-plan file must be of the generation its directory is named after.
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
