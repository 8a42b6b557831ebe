package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cyberun workflows}: the team's workflow catalog. */
@Command(name = "workflows", description = "Lists, shows, imports and exports the team's workflows.",
        subcommands = {WorkflowCommands.ListWorkflows.class, WorkflowCommands.Get.class, WorkflowCommands.Import.class, WorkflowCommands.Export.class})
final class WorkflowCommands extends CommandGroup {
    static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The runtime view of a workflow by id, slug or slug@version. */
    static JsonNode find(Api api, String ref) {
        return UUID.matcher(ref).matches() ? api.get("/api/v1/r/workflows/" + ref) : api.get("/api/v1/r/workflows/slug/" + Api.segment(ref));
    }

    @Command(name = "list", description = "Lists the team's workflows.")
    static final class ListWorkflows implements Runnable {
        @Option(names = "--page", defaultValue = "1", description = "Page (from 1)")
        int page;
        @Option(names = "--per-page", defaultValue = "50", description = "Workflows per page (1-100)")
        int perPage;

        @Override
        public void run() {
            JsonNode list = Cyberun.api().get("/api/v1/r/workflows" + Api.query(java.util.Map.of("current_page", page, "per_page", perPage)));
            if (Out.json) {
                Out.json(list);
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode w : list.path("workflow_list")) {
                rows.add(List.of(Out.text(w, "workflow_slug"), Out.text(w, "display_name"), Out.text(w, "version"), Out.text(w, "tool_type"),
                        Out.text(w, "workflow_status"), Out.text(w, "id")));
            }
            Out.table(List.of("SLUG", "NAME", "VERSION", "TOOL", "STATUS", "ID"), rows);
            if (rows.isEmpty()) {
                Out.say("no workflows yet: import one with cyberun workflows import FILE");
            }
        }
    }

    @Command(name = "get", description = "Shows a workflow's parameters and how to run it.")
    static final class Get implements Runnable {
        @Parameters(paramLabel = "SLUG|ID", description = "A slug, slug@version or id")
        String ref;

        @Override
        public void run() {
            JsonNode w = find(Cyberun.api(), ref);
            if (Out.json) {
                Out.json(w);
                return;
            }
            Out.line(Out.text(w, "display_name") + " (" + Out.text(w, "workflow_slug") + ", version " + Out.text(w, "version") + ", "
                    + Out.text(w, "tool_type") + ", " + Out.text(w, "workflow_status") + ")");
            if (!Out.text(w, "description").isBlank()) {
                Out.line(Out.text(w, "description"));
            }
            List<List<String>> rows = new ArrayList<>();
            StringBuilder usage = new StringBuilder("cyberun run " + Out.text(w, "workflow_slug"));
            for (JsonNode p : w.path("parameters")) {
                boolean required = p.path("required").asBoolean(false);
                boolean file = "file".equals(p.path("type").asText());
                rows.add(List.of(Out.text(p, "key"), Out.text(p, "type"), required ? "yes" : "", Out.text(p, "default"),
                        p.has("options") ? Out.text(p, "options") : "", Out.text(p, "description")));
                if (required) {
                    usage.append(file ? " -f " : " -p ").append(p.path("key").asText()).append(file ? "=PATH" : "=...");
                }
            }
            Out.line("");
            Out.table(List.of("PARAMETER", "TYPE", "REQUIRED", "DEFAULT", "OPTIONS", "DESCRIPTION"), rows);
            if (w.path("required_labels").size() > 0) {
                Out.line("");
                Out.line("runs on agents labelled " + Out.text(w, "required_labels"));
            }
            Out.line("");
            Out.line("run it: " + usage + " --watch");
        }
    }

    @Command(name = "import", description = "Creates a workflow from a JSON definition, or saves a new version of the one with its slug.")
    static final class Import implements Runnable {
        @Parameters(paramLabel = "FILE", description = "The definition (as workflows export writes it)")
        Path file;

        @Override
        public void run() {
            JsonNode definition;
            try {
                definition = Config.JSON.readTree(Files.readString(file));
            } catch (IOException e) {
                throw CliException.usage("cannot read " + file + " as JSON: " + e.getMessage(), "give the path of a workflow definition in JSON");
            }
            Api api = Cyberun.api();
            JsonNode id = api.post("/api/v1/workflows/import", definition);
            JsonNode saved = api.get("/api/v1/workflows/" + id.path("id").asText());
            if (Out.json) {
                Out.json(saved);
                return;
            }
            Out.line("imported " + Out.text(saved, "workflow_slug") + " as version " + Out.text(saved, "version") + " (workflow " + Out.text(saved, "id") + ")");
        }
    }

    @Command(name = "export", description = "Writes a workflow's full definition as JSON that workflows import takes back.")
    static final class Export implements Runnable {
        @Parameters(paramLabel = "SLUG|ID")
        String ref;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to this file instead of standard output")
        Path output;

        @Override
        public void run() {
            Api api = Cyberun.api();
            String id = UUID.matcher(ref).matches() ? ref : find(api, ref).path("id").asText();
            JsonNode full = api.get("/api/v1/workflows/" + id);
            String text;
            try {
                text = Config.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(full) + "\n";
                if (output == null) {
                    Out.out.print(text);
                    Out.out.flush();
                } else {
                    Files.writeString(output, text);
                    Out.say("wrote " + Out.text(full, "workflow_slug") + " version " + Out.text(full, "version") + " to " + output);
                }
            } catch (IOException e) {
                throw CliException.usage("cannot write " + output + ": " + e.getMessage(), "choose a file in a folder you can write");
            }
        }
    }
}
