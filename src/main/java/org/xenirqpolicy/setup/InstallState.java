package org.xenirqpolicy.setup;

import java.util.Optional;

/**
 * What install changed, so that uninstall undoes exactly that: /var/lib/xen-irq-policy/installed.
 * <pre>
 * xen-irq-policy-installed 1
 * sysconfig-created no             whether /etc/sysconfig/irqbalance was created by install
 * sysconfig-before TEXT            the edited text before and after, escaped: \\ \n \r \t
 * sysconfig-after TEXT
 * policy-link /etc/x/xen-irq-policy   a link install added to a policy directory, escaped the same way
 * </pre>
 *
 * @param edit the edit of /etc/sysconfig/irqbalance, if any
 * @param policyLink the link added to a policy directory, if any
 */
public record InstallState(Optional<IrqbalanceArgs.Edit> edit, Optional<String> policyLink) {
    public static final String PATH = "/var/lib/xen-irq-policy/installed";
    private static final String MAGIC = "xen-irq-policy-installed 1";

    public String format() {
        StringBuilder out = new StringBuilder(MAGIC).append('\n');
        edit.ifPresent(e -> out.append("sysconfig-created ").append(e.createdFile() ? "yes" : "no").append('\n')
                .append("sysconfig-before ").append(escape(e.before())).append('\n')
                .append("sysconfig-after ").append(escape(e.after())).append('\n'));
        policyLink.ifPresent(l -> out.append("policy-link ").append(escape(l)).append('\n'));
        return out.toString();
    }

    /** The state in {@code text}, or empty if it is not a state file of this version. */
    public static Optional<InstallState> parse(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length < 2 || !lines[0].equals(MAGIC)) {
            return Optional.empty();
        }
        Boolean created = null;
        String before = null;
        String after = null;
        String link = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1);
            switch (key) {
                case "" -> {
                    if (i != lines.length - 1) {
                        return Optional.empty();
                    }
                }
                case "sysconfig-created" -> created = value.equals("yes");
                case "sysconfig-before" -> before = unescape(value);
                case "sysconfig-after" -> after = unescape(value);
                case "policy-link" -> link = unescape(value);
                default -> {
                    return Optional.empty();
                }
            }
        }
        if ((created == null) != (after == null) || (before == null) != (after == null)) {
            return Optional.empty();
        }
        Optional<IrqbalanceArgs.Edit> edit = after == null ? Optional.empty()
                : Optional.of(new IrqbalanceArgs.Edit(before, after, created));
        return Optional.of(new InstallState(edit, Optional.ofNullable(link)));
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }

    static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                out.append(switch (n) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
