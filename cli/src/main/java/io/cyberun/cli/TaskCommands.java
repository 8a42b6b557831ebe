package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cyberun tasks}: the team's tasks. */
@Command(name = "tasks", description = "Lists, shows, follows, cancels and re-runs tasks.",
        subcommands = {TaskCommands.ListTasks.class, TaskCommands.Get.class, TaskCommands.Watch.class, TaskCommands.Cancel.class,
                TaskCommands.Rerun.class, TaskCommands.Result.class})
final class TaskCommands extends CommandGroup {
    static String taskPath(String id) {
        return "/api/v1/r/tasks/" + Api.segment(id);
    }

    @Command(name = "list", description = "Lists tasks, newest first.")
    static final class ListTasks implements Runnable {
        @Option(names = "--status", description = "Only tasks in this state (pending, queued, provisioning, running, completed, failed, cancelled)")
        String status;
        @Option(names = "--page", defaultValue = "1")
        int page;
        @Option(names = "--per-page", defaultValue = "20", description = "1-100")
        int perPage;

        @Override
        public void run() {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("current_page", page);
            q.put("per_page", perPage);
            q.put("status", status);
            JsonNode list = Cyberun.api().get("/api/v1/r/tasks" + Api.query(q));
            if (Out.json) {
                Out.json(list);
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode t : list.path("task_list")) {
                rows.add(List.of(Out.text(t, "id"), Out.text(t, "workflow_slug"), Out.text(t, "status"), progress(t), Out.text(t, "created_at")));
            }
            Out.table(List.of("TASK", "WORKFLOW", "STATUS", "PROGRESS", "CREATED"), rows);
            JsonNode meta = list.path("page_meta");
            Out.say("page " + meta.path("current_page").asInt(page) + ", " + rows.size() + " of " + meta.path("total_count").asLong() + " tasks");
        }
    }

    static String progress(JsonNode t) {
        JsonNode p = t.path("progress");
        if (p.isObject()) {
            p = p.path("progress");
        }
        return p.isNumber() ? Math.round(p.asDouble() * 100) + "%" : "";
    }

    @Command(name = "get", description = "Shows a task.")
    static final class Get implements Runnable {
        @Parameters(paramLabel = "TASK")
        String id;

        @Override
        public void run() {
            JsonNode t = Cyberun.api().get(taskPath(id));
            if (Out.json) {
                Out.json(t);
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (String field : List.of("id", "workflow_slug", "workflow_version", "status", "agent_id", "retry_count", "priority",
                    "task_error", "created_at", "updated_at", "completed_at")) {
                if (!Out.text(t, field).isBlank()) {
                    rows.add(List.of(field, Out.text(t, field)));
                }
            }
            if (!progress(t).isBlank()) {
                rows.add(List.of("progress", progress(t)));
            }
            Out.table(List.of("FIELD", "VALUE"), rows);
        }
    }

    @Command(name = "watch", description = "Follows a task live to its end; exits 1 if it fails or is cancelled.")
    static final class Watch implements Callable<Integer> {
        @Parameters(paramLabel = "TASK")
        String id;
        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up (exit 6) after this long; the task goes on")
        Long timeout;

        @Override
        public Integer call() {
            return TaskWatch.follow(Cyberun.api(), id, timeout == null ? null : Duration.ofSeconds(timeout));
        }
    }

    @Command(name = "cancel", description = "Cancels a task (a task that already ended stays as it is).")
    static final class Cancel implements Runnable {
        @Parameters(paramLabel = "TASK")
        String id;

        @Override
        public void run() {
            Api api = Cyberun.api();
            api.post(taskPath(id) + "/cancel", null);
            JsonNode t = api.get(taskPath(id));
            if (Out.json) {
                Out.json(t);
                return;
            }
            Out.line("task " + id + ": " + Out.text(t, "status"));
        }
    }

    @Command(name = "rerun", description = "Runs a task again with the same workflow version and parameters; prints the new task's id.")
    static final class Rerun implements Callable<Integer> {
        @Parameters(paramLabel = "TASK")
        String id;
        @Option(names = {"-w", "--watch"}, description = "Follow the new task to its end")
        boolean watch;

        @Override
        public Integer call() {
            Api api = Cyberun.api();
            JsonNode accepted = api.post(taskPath(id) + "/rerun", null);
            String task = accepted.path("task_id").asText();
            if (watch) {
                Out.say("task " + task + " accepted (a re-run of " + id + ")");
                return TaskWatch.follow(api, task, null);
            }
            if (Out.json) {
                Out.json(accepted);
            } else {
                Out.line(task);
            }
            return 0;
        }
    }

    @Command(name = "result", description = "Shows a task's result: its outputs and their download links (short-lived).")
    static final class Result implements Runnable {
        @Parameters(paramLabel = "TASK")
        String id;

        @Override
        public void run() {
            JsonNode r = Cyberun.api().get(taskPath(id) + "/result");
            if (Out.json) {
                Out.json(r);
                return;
            }
            Out.line("task " + id + ": " + Out.text(r, "status") + (Out.text(r, "task_error").isBlank() ? "" : ": " + Out.text(r, "task_error")));
            List<List<String>> rows = new ArrayList<>();
            for (Output o : outputs(r)) {
                rows.add(List.of(o.name(), Out.bytes(o.size()), o.url()));
            }
            Out.table(List.of("OUTPUT", "SIZE", "DOWNLOAD (until " + Out.text(r, "expires_at") + ")"), rows);
        }
    }

    record Output(String name, String url, String sha256, long size) {
    }

    /** The result's files with their links; each named by its file name, made unique when two share one. */
    static List<Output> outputs(JsonNode result) {
        JsonNode urls = result.path("download_urls");
        List<Output> outputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode f : result.path("task_output").path("files")) {
            String key = f.hasNonNull("output_id") ? f.path("output_id").asText() : f.path("name").asText();
            String url = urls.path(key).asText(null);
            if (url == null) {
                url = urls.path(f.path("name").asText()).asText(null);
            }
            if (url == null) {
                continue;
            }
            // Only the last part of the name, never a path: a file lands in the folder asked for, nowhere else.
            Path last = Path.of(f.path("name").asText(key).replace('\\', '/')).getFileName();
            String name = last == null || last.toString().isBlank() || last.toString().matches("\\.+") ? "output-" + (outputs.size() + 1) : last.toString();
            if (!names.add(name)) {
                name = key.replace('/', '_') + "-" + name;
                names.add(name);
            }
            outputs.add(new Output(name, url, f.path("sha256").asText(null), f.path("size").asLong(-1)));
        }
        return outputs;
    }

    @Command(name = "download", description = "Downloads every output of a completed task into DIR (default: ./TASK), checking each file's SHA-256.")
    static final class Download implements Runnable {
        @Parameters(index = "0", paramLabel = "TASK")
        String id;
        @Parameters(index = "1", arity = "0..1", paramLabel = "DIR")
        Path dir;

        @Override
        public void run() {
            JsonNode r = Cyberun.api().get(taskPath(id) + "/result");
            String status = Out.text(r, "status");
            if (!"completed".equals(status)) {
                throw new CliException(CliException.REFUSED, "task " + id + " is " + status + ": there is nothing to download",
                        "failed".equals(status) ? "see why with cyberun tasks get " + id : "wait for it with cyberun tasks watch " + id);
            }
            List<Output> outputs = outputs(r);
            Path target = dir != null ? dir : Path.of(id);
            try {
                Files.createDirectories(target);
            } catch (IOException e) {
                throw CliException.usage("cannot create " + target + ": " + e.getMessage(), "choose a folder you can write");
            }
            var written = Config.JSON.createArrayNode();
            for (Output o : outputs) {
                Path file = target.resolve(o.name());
                Transfers.download(o.url(), file, o.sha256(), o.size());
                written.addObject().put("name", o.name()).put("path", file.toString()).put("size", o.size()).put("sha256", o.sha256());
                if (!Out.json) {
                    Out.line(file + "  " + Out.bytes(o.size()));
                }
            }
            if (Out.json) {
                Out.json(Config.JSON.createObjectNode().put("task_id", id).set("files", written));
            } else {
                Out.say(outputs.size() + " file(s) in " + target + (outputs.isEmpty() ? " (the task left no outputs)" : ""));
            }
        }
    }
}
