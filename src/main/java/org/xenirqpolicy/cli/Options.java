package org.xenirqpolicy.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Selector;
import org.xenirqpolicy.model.Strategy;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

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

        /**
         * The host, for a command that changes it: on the machine itself only as root, said in one
         * line before anything is read or written, instead of the first write's "permission
         * denied". Under --root DIR the tree may well be the user's own: it is not checked.
         */
        Host hostToChange(String command, String writes) {
            Host host = host();
            rootNeeded(command, writes, host.isRealRoot(), Host.effectiveUid()).ifPresent(message -> {
                throw new InputException(message);
            });
            return host;
        }
    }

    /**
     * Why a command that writes {@code writes} cannot run: on the real root with an effective
     * uid other than 0. An unknown uid (-1) refuses nothing.
     */
    static Optional<String> rootNeeded(String command, String writes, boolean realRoot, int effectiveUid) {
        return realRoot && effectiveUid > 0
                ? Optional.of(command + " must run as root (it writes " + writes + ")")
                : Optional.empty();
    }

    static final class Planning {
        @Option(names = "--strategy", paramLabel = "NAME", converter = StrategyConverter.class,
                description = "spread (queues of an interface on distinct CPUs, guests dealt evenly), modulo (the seed script's IRQ mod CPU-count rule) or load (by observed rate). Default: STRATEGY in /etc/sysconfig/xen-irq-policy, else spread.")
        Strategy strategy;

        @Option(names = "--rebalance",
                description = "Place every IRQ anew instead of keeping the placements of the applied plan that are still valid.")
        boolean rebalance;

        @Mixin
        Sample sample;

        Engine.Options engineOptions() {
            return new Engine.Options(strategy, rebalance, sample.checked());
        }
    }

    /**
     * --sample, for the commands that count interrupts. What its absence means differs: plan and
     * apply take SAMPLE_SECONDS for the load strategy, status counts since boot. So the help's
     * last sentence is the command's: a command whose resource bundle has sample.default (status)
     * gives it there.
     */
    static final class Sample {
        @Option(names = "--sample", paramLabel = "SECONDS",
                description = "Count interrupts over SECONDS (0 to 600) instead of since boot. "
                        + "Default: ${bundle:sample.default:-SAMPLE_SECONDS for the load strategy, else 0}.")
        Integer seconds;

        /** The seconds given, from 0 to 600; null if --sample was not given. */
        Integer checked() {
            if (seconds != null && (seconds < 0 || seconds > 600)) {
                throw new InputException("--sample: " + seconds + " is not from 0 to 600 seconds");
            }
            return seconds;
        }
    }

    static final class Output {
        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
                description = "text or json. Default: ${DEFAULT-VALUE}.")
        Format format;
    }

    enum Format { text, json }

    /**
     * IRQ arguments: numbers, dom:N or globs on names, as in EXCLUDE=; a bad one is an input
     * error naming it, before anything is read.
     */
    static List<Selector> irqSelectors(List<String> args) {
        List<Selector> selectors = new ArrayList<>();
        for (String a : args) {
            selectors.add(Selector.parse(a));
        }
        return selectors;
    }

    static final class StrategyConverter implements ITypeConverter<Strategy> {
        @Override
        public Strategy convert(String value) {
            try {
                return Strategy.parse(value);
            } catch (InputException e) {
                // picocli shows a TypeConversionException's message as it is, and wraps anything else.
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
