package org.xenirqpolicy.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xenirqpolicy.check.Check;

/** Renders the verdicts of check: one line each, then a summary; or one JSON object. */
final class CheckReports {
    private CheckReports() {
    }

    static String text(List<Check> checks) {
        StringBuilder out = new StringBuilder();
        List<String> failed = new ArrayList<>();
        for (Check c : checks) {
            out.append(c.ok() ? "ok   " : "FAIL ").append(c.name()).append(": ").append(c.detail()).append('\n');
            if (!c.ok()) {
                failed.add(c.name());
            }
        }
        out.append(failed.isEmpty() ? "all " + checks.size() + " checks passed"
                : failed.size() + " of " + checks.size() + " checks failed: " + String.join(", ", failed)).append('\n');
        return out.toString();
    }

    static Map<String, Object> json(List<Check> checks) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", Json.VERSION);
        json.put("ok", checks.stream().allMatch(Check::ok));
        List<Object> rows = new ArrayList<>();
        for (Check c : checks) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", c.name());
            row.put("ok", c.ok());
            row.put("detail", c.detail());
            rows.add(row);
        }
        json.put("checks", rows);
        return json;
    }
}
