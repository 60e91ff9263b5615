package org.xenirqpolicy.cli;

import java.nio.file.Path;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.Strategy;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Option groups shared by the commands, as picocli mixins. */
final class Options {
    private Options() {
    }

    static final class Root {
        @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
                description = "Read and change the host under DIR instead of / (a test tree, a copied sosreport). Default: ${DEFAULT-VALUE}.")
        Path root;

        Host host() {
            return Host.at(root);
        }
    }

    static final class Planning {
        @Option(names = "--strategy", paramLabel = "NAME", converter = StrategyConverter.class,
                description = "spread (queues of an interface on distinct CPUs, guests dealt evenly), modulo (the seed script's IRQ mod CPU-count rule) or load (by observed rate). Default: STRATEGY in /etc/sysconfig/xen-irq-policy, else spread.")
        Strategy strategy;

        @Option(names = "--rebalance",
                description = "Place every IRQ anew instead of keeping the placements of the applied plan that are still valid.")
        boolean rebalance;

        @Option(names = "--sample", paramLabel = "SECONDS",
                description = "Count interrupts over SECONDS (0 to 600) instead of since boot. Default: SAMPLE_SECONDS for the load strategy, else 0.")
        Integer sampleSeconds;

        Engine.Options engineOptions() {
            return new Engine.Options(strategy, rebalance, sampleSeconds == null ? null : checkedSample(sampleSeconds));
        }
    }

    static final class Output {
        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
                description = "text or json. Default: ${DEFAULT-VALUE}.")
        Format format;
    }

    enum Format { text, json }

    /** A --sample value, from 0 to 600 seconds. */
    static int checkedSample(int seconds) {
        if (seconds < 0 || seconds > 600) {
            throw new org.xenirqpolicy.model.InputException("--sample: " + seconds + " is not from 0 to 600 seconds");
        }
        return seconds;
    }

    /** IRQ arguments as numbers; anything else is an input error naming the argument. */
    static java.util.List<Integer> irqNumbers(java.util.List<String> args) {
        java.util.List<Integer> irqs = new java.util.ArrayList<>();
        for (String a : args) {
            if (!a.matches("[0-9]{1,9}")) {
                throw new org.xenirqpolicy.model.InputException(org.xenirqpolicy.model.Quote.of(a) + " is not an IRQ number");
            }
            irqs.add(Integer.parseInt(a));
        }
        return irqs;
    }

    static final class StrategyConverter implements ITypeConverter<Strategy> {
        @Override
        public Strategy convert(String value) {
            try {
                return Strategy.parse(value);
            } catch (org.xenirqpolicy.model.InputException e) {
                // picocli shows a TypeConversionException's message as it is, and wraps anything else.
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
