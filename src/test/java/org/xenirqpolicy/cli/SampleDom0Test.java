package org.xenirqpolicy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;
import org.xenirqpolicy.testing.HostTree;
import org.xenirqpolicy.testing.SeedScript;

/** The README's sample: the seed's Fedora 26 dom0, vif26 IRQs 241-248 on 4 CPUs. */
class SampleDom0Test {
    @TempDir
    Path tmp;

    /** IRQ -> planned CPU, from the PLANNED column of plan's table. */
    private static Map<Integer, Integer> planned(String table) {
        Map<Integer, Integer> cpus = new LinkedHashMap<>();
        for (String line : table.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 6 && f[0].matches("[0-9]+")) {
                cpus.put(Integer.parseInt(f[0]), Integer.parseInt(f[5]));
            }
        }
        return cpus;
    }

    @Test
    void theSampleIsTheSeedCaptureLaidOutAsATree() {
        Path sample = Fixtures.repo().resolve("src/sample/fedora26-dom0");
        String capture = Fixtures.read(Fixtures.required("fixtures/interrupts/fedora26-dom0-vif-excerpt.txt"));
        assertEquals(capture, Fixtures.read(sample.resolve("proc/interrupts")));
        HostTree fresh = HostTree.at(tmp).fromInterrupts(capture, true);
        assertEquals(fresh.files(), HostTree.at(sample).files());
    }

    @Test
    void spreadPutsTheFourTxQueuesOnFourCpusWithTheirRx() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Cli.Result r = Cli.run("plan", "--root", root.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        Map<Integer, Integer> cpu = planned(r.out());
        assertEquals(List.of(241, 242, 243, 244, 245, 246, 247, 248), List.copyOf(cpu.keySet()));
        Set<Integer> txCpus = new HashSet<>();
        for (int tx = 241; tx <= 247; tx += 2) {
            txCpus.add(cpu.get(tx));
            assertEquals(cpu.get(tx), cpu.get(tx + 1), "tx " + tx + " and its rx share a CPU");
        }
        assertEquals(Set.of(0, 1, 2, 3), txCpus);
        assertTrue(r.out().startsWith("strategy spread on CPUs 0-3 (online 0-3, banned for irqbalance none, isolated none); 8 event-channel IRQs\n"), r.out());
        assertTrue(r.out().contains("\n241  vif26.0-q0-tx  net   xen-dyn  0-3      0\n"), r.out());
    }

    @Test
    void moduloReproducesTheSeedScriptsCpus() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Cli.Result r = Cli.run("plan", "--root", root.toString(), "--strategy", "modulo");
        assertEquals(0, r.status(), r.err());
        Map<Integer, Integer> ours = planned(r.out());
        assertEquals(List.of(1, 2, 3, 0, 1, 2, 3, 0), List.copyOf(ours.values()));

        // The seed script itself, run per IRQ as irqbalance runs it, on a copy of the same dom0.
        Path seedRoot = Cli.sampleDom0(tmp.resolve("seed-root"));
        Path seed = SeedScript.write(tmp);
        HostTree tree = HostTree.at(seedRoot);
        for (int irq : ours.keySet()) {
            assertEquals("ban=true\n", SeedScript.run(seed, seedRoot, irq));
            assertEquals(ours.get(irq) + "\n", tree.read("/proc/irq/" + irq + "/smp_affinity_list"), "IRQ " + irq);
        }
    }

    @Test
    void jsonCarriesTheSamePlan() {
        Path root = Cli.sampleDom0(tmp.resolve("root"));
        Cli.Result r = Cli.run("plan", "--root", root.toString(), "--format", "json", "241");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("{\"version\":1,\"strategy\":\"spread\",\"usable\":\"0-3\",\"online\":\"0-3\""), r.out());
        assertTrue(r.out().contains("\"irqs\":[{\"irq\":241,\"name\":\"vif26.0-q0-tx\",\"kind\":\"net\",\"chip\":\"xen-dyn\",\"affinity\":\"0-3\",\"effective\":\"\",\"interrupts\":158775,\"planned\":0,\"excludedBy\":null}]"), r.out());
        assertTrue(r.out().endsWith("}\n"));
    }
}
