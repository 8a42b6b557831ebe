package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the CLI prints: results on stdout (tables for people, the API's JSON with {@code --json}), and what it is doing
 * (progress, waiting, hints) on stderr, so a script's pipe only ever sees results.
 */
final class Out {
    static boolean json;
    static PrintStream out = System.out;
    static PrintStream err = System.err;

    private Out() {
    }

    static void json(JsonNode node) {
        try {
            out.println(Config.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line of what the command is doing, on stderr. */
    static void say(String line) {
        Progress.clearLine();
        err.println(line);
    }

    static void line(String text) {
        out.println(text);
    }

    /** A table with a header row; columns as wide as their widest cell. */
    static void table(List<String> header, List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], cell(row, i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                String c = cell(row, i);
                b.append(c);
                if (i < width.length - 1) {
                    b.append(" ".repeat(width[i] - c.length() + 2));
                }
            }
            out.println(b.toString().stripTrailing());
        }
    }

    private static String cell(List<String> row, int i) {
        return i < row.size() && row.get(i) != null ? row.get(i) : "";
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString();
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Whether stderr is a terminal a progress bar can redraw (Console.isTerminal() from Java 22, else a console at all). */
    static boolean interactive() {
        java.io.Console console = System.console();
        if (console == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /**
     * A progress bar on stderr: redrawn in place on a terminal; otherwise one line per quarter, so logs of scripts
     * and CI still show that something moves.
     */
    static final class Progress {
        private static Progress shown;
        private final String label;
        private final boolean redraw;
        private double fraction = -1;
        private String detail = "";
        private int lastQuarter = -1;

        Progress(String label) {
            this.label = label;
            this.redraw = interactive() && !json;
        }

        /** Shows the fraction (0..1) with a detail after it. */
        synchronized void update(double value, String detail) {
            double f = Math.max(0, Math.min(1, value));
            String d = detail == null ? "" : detail;
            if (redraw) {
                if (f == fraction && d.equals(this.detail)) {
                    return;
                }
                fraction = f;
                this.detail = d;
                draw();
            } else {
                int quarter = (int) Math.floor(f * 4);
                if (quarter != lastQuarter) {
                    lastQuarter = quarter;
                    err.printf(Locale.ROOT, "%s %3d%% %s%n", label, Math.round(f * 100), d);
                }
            }
        }

        private void draw() {
            int filled = (int) Math.round(fraction * 30);
            err.printf(Locale.ROOT, "\r\033[2K%s [%s%s] %3d%% %s", label, "#".repeat(filled), ".".repeat(30 - filled), Math.round(fraction * 100), detail);
            err.flush();
            shown = this;
        }

        /** Ends the bar: the line stays as it was last drawn. */
        synchronized void done() {
            if (redraw && shown == this) {
                err.println();
                shown = null;
            }
        }

        /** Clears a bar in progress so a line can be printed, and redraws it after the next update. */
        static void clearLine() {
            Progress p = shown;
            if (p != null) {
                err.print("\r\033[2K");
                err.flush();
                p.fraction = -1;
            }
        }
    }
}
