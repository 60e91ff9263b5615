package org.xenirqpolicy.setup;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.read.EnvironmentFile;
import org.xenirqpolicy.read.ShellVars;

/**
 * Edits IRQBALANCE_ARGS in the text of /etc/sysconfig/irqbalance so that irqbalance runs our
 * hook, and undoes that edit. Pure: text in, text out. The edit changes one logical line (or
 * appends one), keeps every other byte, the line's quoting and its line ending, and is recorded
 * as the exact text before and after, so that undoing it restores the original bytes.
 */
public final class IrqbalanceArgs {
    public static final String VARIABLE = "IRQBALANCE_ARGS";
    public static final String HOOK = "/usr/libexec/irqbalance/xen-irq-policy";
    /** Where the seed report told administrators to put its script. */
    public static final String SEED_SCRIPT = "/usr/local/bin/irqbalance-policyscript";
    public static final String OUR_ARG = "--policyscript=" + HOOK;

    private static final Pattern ASSIGNMENT = Pattern.compile("^([ \\t]*(?:export[ \\t]+)?" + VARIABLE + "=)(.*)$", Pattern.DOTALL);

    private IrqbalanceArgs() {
    }

    /**
     * One replacement in the file: {@code before} became {@code after}. An appended line has an
     * empty {@code before}; a file that did not exist has {@code createdFile}.
     */
    public record Edit(String before, String after, boolean createdFile) {
    }

    /** What install should do with the file as it is. */
    public sealed interface Decision {
        /** IRQBALANCE_ARGS already names the hook. */
        record AlreadySet() implements Decision {
        }

        /** Write {@code text}: the hook added, or put in place of the seed's script. */
        record Write(String text, Edit edit, boolean replacedSeed) implements Decision {
        }

        /** IRQBALANCE_ARGS names another policy script or directory, {@code path}. */
        record OtherPolicy(String path) implements Decision {
        }
    }

    /** A logical line: physical lines joined by trailing backslashes, and its terminator. */
    private record Line(int start, int end, String text, String terminator) {
    }

    /** Decides the edit for {@code text}, the file's contents, or null if the file does not exist. */
    public static Decision install(String text) {
        if (text == null) {
            String line = VARIABLE + "=\"" + OUR_ARG + "\"\n";
            String created = "# Added by xen-irq-policy(8), which removes it again when it is erased.\n" + line;
            return new Decision.Write(created, new Edit("", created, true), false);
        }
        Line last = lastAssignment(text);
        if (last == null) {
            String eol = text.contains("\r\n") ? "\r\n" : "\n";
            String lineBreak = text.isEmpty() || text.endsWith("\n") ? "" : eol;
            // A last line ending in a backslash would continue onto ours: an empty line ends it.
            if (lastLineContent(text).endsWith("\\")) {
                lineBreak += eol;
            }
            String appended = lineBreak + VARIABLE + "=\"" + OUR_ARG + "\"" + eol;
            return new Decision.Write(text + appended, new Edit("", appended, false), false);
        }
        String policy = policyScript(valueOf(last.text()));
        if (HOOK.equals(policy)) {
            return new Decision.AlreadySet();
        }
        String after;
        boolean seed = false;
        if (SEED_SCRIPT.equals(policy)) {
            after = last.text().replace(SEED_SCRIPT, HOOK);
            if (!HOOK.equals(policyScript(valueOf(after)))) {
                // The path is written with quotes or escapes (or also in a comment): ours goes last.
                after = withArgument(last.text());
            }
            seed = true;
        } else if (policy != null) {
            return new Decision.OtherPolicy(policy);
        } else {
            after = withArgument(last.text());
        }
        String eol = !last.terminator().isEmpty() ? last.terminator() : text.contains("\r\n") ? "\r\n" : "\n";
        String normalised = readTheSameBySystemd(after, eol);
        if (namesTheHook(text.substring(0, last.start()) + normalised + text.substring(last.end()))) {
            after = normalised;
        }
        String newText = text.substring(0, last.start()) + after + text.substring(last.end());
        return new Decision.Write(newText, new Edit(last.text(), after, false), seed);
    }

    /**
     * {@code decision} for {@code text}, unless the file names the hook only through an edit of
     * ours that systemd misreads ({@code previous}, as recorded by an earlier version, which left
     * {@code IRQBALANCE_ARGS="... --policyscript=..." # comment}): then that edit is undone and
     * made again as it is made now, so that an upgrade repairs it.
     */
    public static Decision redoingAMisreadEdit(String text, Decision decision, Optional<Edit> previous) {
        if (!(decision instanceof Decision.AlreadySet) || previous.isEmpty() || previous.get().createdFile()
                || previous.get().after().isEmpty() || !text.contains(previous.get().after())
                || problemAsSystemdReads(text).isEmpty()) {
            return decision;
        }
        String original = uninstall(text, previous.get());
        return install(original) instanceof Decision.Write w && uninstall(w.text(), w.edit()).equals(original)
                ? w : decision;
    }

    /**
     * Undoes {@code edit} in {@code text}. Where the edited line is still as we left it, the
     * original comes back byte for byte; where the administrator changed it since, only our
     * argument is taken out of it. Returns null if the file should be removed (we created it and
     * nobody changed it).
     */
    public static String uninstall(String text, Edit edit) {
        if (edit.createdFile() && text.equals(edit.after())) {
            return null;
        }
        int at = text.lastIndexOf(edit.after());
        if (!edit.after().isEmpty() && at >= 0) {
            return text.substring(0, at) + edit.before() + text.substring(at + edit.after().length());
        }
        return withoutOurArgument(text);
    }

    /** Every IRQBALANCE_ARGS line with our argument taken out, nothing else changed. */
    static String withoutOurArgument(String text) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (Line line : lines(text)) {
            out.append(text, pos, line.start());
            String t = line.text();
            if (ASSIGNMENT.matcher(t).matches()) {
                t = t.replace(" " + OUR_ARG, "").replace(OUR_ARG + " ", "").replace(OUR_ARG, "");
            }
            out.append(t);
            pos = line.end();
        }
        return out.append(text.substring(pos)).toString();
    }

    /** Whether the last IRQBALANCE_ARGS of {@code text} names the hook as we read it: what a second install finds. */
    private static boolean namesTheHook(String text) {
        Line last = lastAssignment(text);
        return last != null && HOOK.equals(policyScript(valueOf(last.text())));
    }

    /** The last physical line without its \n or \r\n (or a lone \r, which a line break would complete). */
    private static String lastLineContent(String text) {
        String s = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static Line lastAssignment(String text) {
        Line found = null;
        for (Line line : lines(text)) {
            if (ASSIGNMENT.matcher(line.text()).matches()) {
                found = line;
            }
        }
        return found;
    }

    /** The logical lines of {@code text}, each with its offsets and its terminator (\n, \r\n or none). */
    private static List<Line> lines(String text) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        int n = text.length();
        while (start < n) {
            int end = start;
            while (true) {
                int nl = text.indexOf('\n', end);
                int lineEnd = nl < 0 ? n : nl;
                int contentEnd = lineEnd > start && text.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
                if (nl >= 0 && contentEnd > end && text.charAt(contentEnd - 1) == '\\') {
                    end = nl + 1;
                    continue;
                }
                lines.add(new Line(start, contentEnd, text.substring(start, contentEnd), text.substring(contentEnd, nl < 0 ? n : nl + 1)));
                start = nl < 0 ? n : nl + 1;
                break;
            }
        }
        return lines;
    }

    /** The raw value of an assignment line, after the '='. */
    private static String valueOf(String line) {
        Matcher m = ASSIGNMENT.matcher(line);
        return m.matches() ? m.group(2) : "";
    }

    /** The line with our argument added inside the value's quotes, or the value quoted anew. */
    private static String withArgument(String line) {
        Matcher m = ASSIGNMENT.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException(line);
        }
        String head = m.group(1);
        String value = m.group(2);
        // Ours goes after the last word that policyScript reads, before a comment, so that it is the
        // last --policyscript there (irqbalance takes the last one).
        Scan args = scan(value);
        String words = value.substring(0, args.end());
        String rest = value.substring(args.end());
        if (!rest.isEmpty() && !isBlank(rest.charAt(0))) {
            // A comment right after '=' or a continued line: joined to ours it would no longer be one.
            rest = " " + rest;
        }
        char quote = words.isEmpty() ? 0 : words.charAt(0);
        if ((quote == '"' || quote == '\'') && closingQuote(words, quote) == words.length() - 1) {
            // One quoted string: ours goes inside its quotes.
            String inside = words.substring(1, words.length() - 1);
            String sep = inside.chars().allMatch(IrqbalanceArgs::isBlank) ? "" : " ";
            return head + quote + inside + sep + OUR_ARG + quote + rest;
        }
        if (words.chars().noneMatch(c -> "\"'\\$`".indexOf(c) >= 0)) {
            // Nothing there changes meaning between double quotes: quote it with ours.
            return head + "\"" + words + (words.isEmpty() ? "" : " ") + OUR_ARG + "\"" + rest;
        }
        // Quotes or escapes: the value as sh reads it, quoted anew with ours, where double quotes
        // keep it as it is; sh splits it into the same words, and so does systemd.
        ShellVars.Assignment read = ShellVars.last(ShellVars.parse(line), VARIABLE);
        if (args.openQuote() == 0 && read != null && read.value().chars().noneMatch(c -> "\"\\$`".indexOf(c) >= 0)) {
            String sep = read.value().chars().allMatch(IrqbalanceArgs::isBlank) ? "" : " ";
            String quoted = head + "\"" + read.value() + sep + OUR_ARG + "\"" + rest;
            if (HOOK.equals(policyScript(valueOf(quoted)))) {
                return quoted;
            }
        }
        // Otherwise leave them as they are and let the shell join ours to the last word,
        // after closing a quote left open (the shell would reject the line as it is).
        String close = args.openQuote() == 0 ? "" : String.valueOf(args.openQuote());
        return head + words + close + "\" " + OUR_ARG + "\"" + rest;
    }

    /**
     * The edited assignment rewritten where systemd's EnvironmentFile= would read it otherwise
     * than sh: a comment after the value (to systemd, part of the value) goes on a line of its
     * own just above, and {@code export} (to systemd, no assignment at all) on a line of its own
     * just below. Both are kept, so uninstall can give back the line as it was.
     */
    private static String readTheSameBySystemd(String line, String eol) {
        Matcher m = ASSIGNMENT.matcher(line);
        if (!m.matches()) {
            return line;
        }
        String head = m.group(1);
        String value = m.group(2);
        String indent = head.substring(0, head.length() - head.stripLeading().length());
        int end = scan(value).end();
        String comment = value.substring(end).strip();
        if (comment.endsWith("\\") || comment.contains("\n") || comment.contains("\r")) {
            // On a line of its own, such a comment would take the assignment with it (a trailing
            // backslash continues a comment line for systemd 252, and for our own reading): it
            // stays where it is, and the check of the result refuses the line.
            comment = "";
            end = value.length();
        }
        String above = comment.isEmpty() ? "" : indent + comment + eol;
        String below = "";
        if (head.stripLeading().startsWith("export")) {
            head = indent + VARIABLE + "=";
            below = eol + indent + "export " + VARIABLE;
        }
        return above + head + value.substring(0, end) + below;
    }

    /**
     * Why irqbalance, started by systemd with {@code text} as its EnvironmentFile=, would not run
     * the hook, or would get other arguments than sh reads in the file; empty if neither. The
     * reason starts with ":LINE: " (or ": ") to follow the file's name. This is
     * the check install makes of the file it is about to write, and of one it finds already set.
     */
    public static Optional<String> problemAsSystemdReads(String text) {
        EnvironmentFile.Reading systemd = EnvironmentFile.read(text);
        if (systemd.refused()) {
            return Optional.of(":" + systemd.refusedLine() + ": " + systemd.refusedBecause() + ", so systemd ignores the whole file"
                    + " and irqbalance would not run " + HOOK);
        }
        ShellVars.Assignment bySystemd = ShellVars.last(systemd.assignments(), VARIABLE);
        ShellVars.Assignment bySh = ShellVars.last(ShellVars.parse(text), VARIABLE);
        List<String> systemdWords = EnvironmentFile.execWords(bySystemd == null ? "" : bySystemd.value());
        List<String> shWords = bySh == null ? List.of() : shellWords(bySh.value());
        int line = bySystemd != null ? bySystemd.line() : bySh != null ? bySh.line() : 0;
        String where = line > 0 ? ":" + line + ": " : ": ";
        String policy = policyScript(systemdWords);
        if (bySystemd == null) {
            return Optional.of(where + "systemd sets no " + VARIABLE + " from this file, so irqbalance would not run " + HOOK);
        }
        if (policy == null) {
            return Optional.of(where + "systemd passes irqbalance no policy script from " + VARIABLE + " "
                    + Quote.of(bySystemd.value()) + ", so it would not run " + HOOK);
        }
        if (!HOOK.equals(policy)) {
            return Optional.of(where + "systemd passes irqbalance the policy script " + Quote.of(policy) + ", not " + HOOK);
        }
        if (!systemdWords.equals(shWords)) {
            int i = 0;
            while (i < systemdWords.size() && i < shWords.size() && systemdWords.get(i).equals(shWords.get(i))) {
                i++;
            }
            return Optional.of(where + "systemd passes irqbalance "
                    + (i < systemdWords.size() ? Quote.of(systemdWords.get(i)) : "no argument") + " where sh reads "
                    + (i < shWords.size() ? Quote.of(shWords.get(i)) : "none") + " in " + VARIABLE);
        }
        return Optional.empty();
    }

    /**
     * The policy script or directory systemd would pass irqbalance from {@code text}, the file
     * read as EnvironmentFile= reads it; empty if systemd ignores the file or passes none.
     */
    public static Optional<String> policyAsSystemdReads(String text) {
        EnvironmentFile.Reading systemd = EnvironmentFile.read(text);
        ShellVars.Assignment bySystemd = systemd.refused() ? null : ShellVars.last(systemd.assignments(), VARIABLE);
        return bySystemd == null ? Optional.empty()
                : Optional.ofNullable(policyScript(EnvironmentFile.execWords(bySystemd.value())));
    }

    /** What sh makes of unquoted {@code $VAR}: fields split on blanks and newlines, nothing unquoted. */
    static List<String> shellWords(String value) {
        List<String> words = new ArrayList<>();
        for (String w : value.split("[ \t\n]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    /** sh's blanks, which separate words: not form feeds and the like, which Java counts as white space. */
    private static boolean isBlank(int c) {
        return c == ' ' || c == '\t';
    }

    private static int closingQuote(String value, char quote) {
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && quote == '"') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether the link at {@code link} (a policy directory's {@link Installer#LINK_NAME}) runs our
     * hook: it names the hook's path, or it resolves to the hook's file (a relative link, {@code
     * ln -sr}). install and check's hook-configured judge the same link by this one rule.
     */
    public static boolean linksToHook(Host host, String link) {
        Optional<String> target = host.linkTarget(link);
        return target.isPresent() && (HOOK.equals(target.get()) || host.sameFile(link, HOOK));
    }

    /** The policy script IRQBALANCE_ARGS names (--policyscript=X, --policyscript X, -l X, -lX), or null. */
    static String policyScript(String rawValue) {
        // The value is one shell word (quotes removed), which is split again on blanks when
        // $IRQBALANCE_ARGS is expanded on irqbalance's command line: these are irqbalance's arguments.
        List<String> words = new ArrayList<>();
        for (String word : scan(rawValue).words()) {
            words.addAll(shellWords(word));
        }
        return policyScript(words);
    }

    /** The policy script irqbalance takes from its arguments {@code words}: the last one given, or null. */
    public static String policyScript(List<String> words) {
        String found = null;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String next = i + 1 < words.size() ? words.get(i + 1) : null;
            if (w.startsWith("--policyscript=")) {
                found = w.substring("--policyscript=".length());
            } else if (w.equals("--policyscript") || w.equals("-l")) {
                // Without a path irqbalance refuses to start: not ours to complete, so "".
                found = next == null ? "" : next;
                i++;
            } else if (w.startsWith("-l") && !w.startsWith("--")) {
                found = w.substring(2);
            }
        }
        return found;
    }

    /**
     * A value read as the shell reads it.
     *
     * @param words     its words: quotes removed, split on unquoted blanks, stopped by an unquoted '#'
     * @param end       where the last word ends in the raw value, before a comment or trailing blanks
     * @param openQuote the quote left open at the end, or 0
     */
    private record Scan(List<String> words, int end, char openQuote) {
    }

    private static Scan scan(String raw) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        int end = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < raw.length()) {
                    w.append(raw.charAt(++i));
                } else {
                    w.append(c);
                }
                end = i + 1;
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
                end = i + 1;
            } else if (c == '\\' && i + 1 < raw.length()) {
                char next = raw.charAt(++i);
                if (next != '\n' && next != '\r') {
                    w.append(next);
                    inWord = true;
                    end = i + 1;
                }
            } else if (isBlank(c) || c == '\n' || c == '\r') {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else if (c == '#' && !inWord) {
                break;
            } else {
                w.append(c);
                inWord = true;
                end = i + 1;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return new Scan(words, end, quote);
    }
}
