package org.xenirqpolicy.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Event channels that are never moved: EXCLUDE= of /etc/sysconfig/xen-irq-policy, and the IRQs
 * irqbalance is told to leave alone (--banirq). The plan file carries them, so that the hook
 * leaves alone a channel that appears after the plan was made and matches a glob or a guest.
 */
public record Exclusions(List<Selector> selectors) {
    public static final Exclusions NONE = new Exclusions(List.of());

    public Exclusions {
        selectors = List.copyOf(selectors);
    }

    /**
     * A list as irqbalance writes its lists: words separated by blanks, commas or both
     * ({@code 17, vif12.* dom:3}). An empty entry between two commas, or before or after one, is
     * an error, as is any word {@link Selector#parse} refuses.
     */
    public static Exclusions parse(String value) {
        List<Selector> selectors = new ArrayList<>();
        if (value.chars().allMatch(c -> isBlank((char) c))) {
            return NONE;
        }
        for (String entry : value.split(",", -1)) {
            int before = selectors.size();
            StringBuilder word = new StringBuilder();
            for (int i = 0; i <= entry.length(); i++) {
                if (i == entry.length() || isBlank(entry.charAt(i))) {
                    if (!word.isEmpty()) {
                        selectors.add(Selector.parse(word.toString()));
                        word.setLength(0);
                    }
                } else {
                    word.append(entry.charAt(i));
                }
            }
            if (selectors.size() == before) {
                throw new InputException("empty selector before or after a comma in " + Quote.of(value));
            }
        }
        return new Exclusions(selectors);
    }

    /** The blanks of sh's field splitting; other white space is part of a glob, as of a name. */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n';
    }

    public Exclusions plus(Exclusions more) {
        List<Selector> all = new ArrayList<>(selectors);
        all.addAll(more.selectors);
        return new Exclusions(all);
    }

    /** The first selector that matches, or empty. */
    public Optional<Selector> match(int irq, String name) {
        for (Selector s : selectors) {
            if (s.matches(irq, name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
