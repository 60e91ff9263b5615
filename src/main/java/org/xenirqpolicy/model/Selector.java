package org.xenirqpolicy.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks event channels, in EXCLUDE= of /etc/sysconfig/xen-irq-policy, in the plan file (for the
 * hook) and as the IRQ arguments of plan and status. Three forms, told apart by their start:
 * <ul>
 * <li>an IRQ number, {@code 17}: digits only;</li>
 * <li>a guest, {@code dom:12}: the netback channels whose name carries that domain id;</li>
 * <li>anything else, a shell glob on the action name, {@code vif12.*}, matched byte for byte as
 *     the hook's {@code case} matches it under {@code LC_ALL=C}.</li>
 * </ul>
 * A word that starts with a digit or with {@code dom:} must be the first or second form, so that
 * a typo such as {@code 12a} or {@code dom:x} is an error, not a glob that silently matches
 * nothing. Globs are limited to what dash and bash match alike ({@code *}, {@code ?},
 * {@code [...]} and {@code [!...]} with ranges); the rest is refused rather than read two ways.
 */
public sealed interface Selector {
    /** The largest domain id Xen gives a guest is below 0x7ff0; a bound, not a check of it. */
    int MAX_DOMAIN = 32767;

    /** The selector as written in the plan file and shown: canonical, so equal selectors print alike. */
    String text();

    boolean matches(int irq, String name);

    record Irq(int irq) implements Selector {
        @Override
        public String text() {
            return String.valueOf(irq);
        }

        @Override
        public boolean matches(int number, String name) {
            return number == irq;
        }
    }

    /**
     * A guest's netback channels. Only netback names carry the domain id: {@code vif<dom>.<dev>},
     * with {@code -q<n>} per queue and {@code -tx}/{@code -rx} for split channels. blkback's
     * {@code blkif-backend}, interfaces renamed with {@code vifname=}, and the toolstack's
     * {@code evtchn:} channels do not, and are never matched.
     */
    record Domain(int domain) implements Selector {
        private static final Pattern NETBACK = Pattern.compile("vif(0|[1-9][0-9]*)\\.[0-9]+(?:-q[0-9]+)?(?:-tx|-rx)?");

        @Override
        public String text() {
            return "dom:" + domain;
        }

        @Override
        public boolean matches(int irq, String name) {
            Matcher m = NETBACK.matcher(name);
            return m.matches() && m.group(1).equals(String.valueOf(domain));
        }
    }

    record Glob(String pattern) implements Selector {
        @Override
        public String text() {
            return pattern;
        }

        @Override
        public boolean matches(int irq, String name) {
            return globMatches(pattern, 0, name, 0);
        }
    }

    /**
     * Reads one selector; an {@link InputException} says what is wrong with it. Blanks and
     * commas are the separators of the lists that hold selectors, so a word holds neither.
     */
    static Selector parse(String word) {
        if (word.isEmpty()) {
            throw new InputException("empty selector");
        }
        char first = word.charAt(0);
        if (first >= '0' && first <= '9') {
            if (!word.matches("[0-9]{1,9}")) {
                throw new InputException(Quote.of(word) + " is not an IRQ number; a glob that starts with a digit is written "
                        + Quote.of("[" + first + "]" + word.substring(1)));
            }
            return new Irq(Integer.parseInt(word));
        }
        if (word.startsWith("dom:")) {
            String id = word.substring(4);
            if (!id.matches("[0-9]{1,5}") || Integer.parseInt(id) > MAX_DOMAIN) {
                throw new InputException(Quote.of(word) + " is not dom: and a domain id from 0 to " + MAX_DOMAIN);
            }
            return new Domain(Integer.parseInt(id));
        }
        String problem = globProblem(word);
        if (problem != null) {
            throw new InputException(Quote.of(word) + " is not a glob of xen-irq-policy(8): " + problem);
        }
        return new Glob(word);
    }

    /** Why {@code glob} is refused, or null: what a shell's case would read otherwise, or what a plan line cannot hold. */
    private static String globProblem(String glob) {
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '\\') {
                return "a backslash is read differently by dash and bash";
            }
            if (c == '\0' || c == '\n' || c == ' ' || c == '\t' || c == ',') {
                return "it holds a NUL, newline, blank or comma";
            }
            if (c == '[') {
                int end = bracketEnd(glob, i);
                if (end < 0) {
                    return "'[' without its ']'";
                }
                String set = glob.substring(i + 1, end);
                if (set.startsWith("^")) {
                    return "write [!...], not [^...]";
                }
                if (set.contains("[")) {
                    return "no '[' inside [...] (character classes are not supported)";
                }
                String body = set.startsWith("!") ? set.substring(1) : set;
                for (int j = 1; j + 1 < body.length(); j++) {
                    if (body.charAt(j) == '-' && body.charAt(j - 1) > body.charAt(j + 1)) {
                        return "the range " + body.charAt(j - 1) + "-" + body.charAt(j + 1) + " is reversed";
                    }
                }
                i = end;
            }
        }
        return null;
    }

    /** Where the bracket expression opened at {@code open} closes; a ']' right after '[' or '[!' is a member. */
    private static int bracketEnd(String glob, int open) {
        int i = open + 1;
        if (i < glob.length() && glob.charAt(i) == '!') {
            i++;
        }
        if (i < glob.length() && glob.charAt(i) == ']') {
            i++;
        }
        int end = glob.indexOf(']', i);
        return end;
    }

    /** sh's case matching of a checked glob, one char per byte as the hook's LC_ALL=C does. */
    private static boolean globMatches(String glob, int g, String name, int n) {
        while (g < glob.length()) {
            char c = glob.charAt(g);
            if (c == '*') {
                for (int k = n; k <= name.length(); k++) {
                    if (globMatches(glob, g + 1, name, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (n >= name.length()) {
                return false;
            }
            if (c == '?') {
                g++;
                n++;
            } else if (c == '[') {
                int end = bracketEnd(glob, g);
                if (!inBracket(glob.substring(g + 1, end), name.charAt(n))) {
                    return false;
                }
                g = end + 1;
                n++;
            } else {
                if (c != name.charAt(n)) {
                    return false;
                }
                g++;
                n++;
            }
        }
        return n == name.length();
    }

    private static boolean inBracket(String set, char c) {
        boolean negate = set.startsWith("!");
        String body = negate ? set.substring(1) : set;
        boolean found = false;
        for (int i = 0; i < body.length(); i++) {
            if (i + 2 < body.length() && body.charAt(i + 1) == '-') {
                found |= c >= body.charAt(i) && c <= body.charAt(i + 2);
                i += 2;
            } else {
                found |= c == body.charAt(i);
            }
        }
        return found != negate;
    }
}
