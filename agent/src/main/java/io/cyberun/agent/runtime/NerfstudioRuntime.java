package io.cyberun.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.agent.config.AgentConfig;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import io.cyberun.contracts.task.ProgressInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The {@code nerfstudio} runtime: a capture in, a trained scene exported out, in Nerfstudio's three steps, each its own
 * process: {@code ns-process-data}, {@code ns-train}, {@code ns-export}. The workflow's spec ({@code workflow_json}):
 *
 * <pre>
 * {"process_data": {"type": "images", "data": null, "args": {"matching-method": "sequential"}},
 *  "train": {"method": "nerfacto", "max_num_iterations": 30000, "args": {"pipeline.model.predict-normals": true}},
 *  "export": {"type": "pointcloud", "args": {"num-points": 1000000}}}
 * </pre>
 *
 * Parameters are written into the spec at their {@code target_path} before it runs (a file parameter as the local path
 * of its download; a {@code .zip} of images is unpacked). {@code args} become {@code --key value} flags ({@code true}
 * as {@code True}, as Nerfstudio's command line takes them). Progress carries the {@code stage} (download,
 * process_data, train, export, upload) and a message; training progress is read from the trainer's
 * {@code Step (% Done)} table. The commands are the operator's to choose ({@code runtimes.nerfstudio} in the agent's
 * config), so a site can wrap them; cancelling stops the running step's whole process tree.
 */
public final class NerfstudioRuntime implements TaskRuntime {
    /** {@code 1200 (4.00%)} at the start of a line of the trainer's table. */
    static final Pattern TRAIN_STEP = Pattern.compile("^\\s*(\\d+)\\s+\\((\\d+(?:\\.\\d+)?)%\\)");
    /** The share of the whole run each stage ends at. */
    static final double PROCESSED = 0.15;
    static final double TRAINED = 0.9;
    static final double EXPORTED = 0.97;

    private final AgentConfig.Nerfstudio config;
    private final Path baseDir;

    public NerfstudioRuntime(AgentConfig.Nerfstudio config, Path baseDir) {
        this.config = config;
        this.baseDir = baseDir;
    }

    @Override
    public String toolType() {
        return "nerfstudio";
    }

    @Override
    public String healthProblem() {
        for (List<String> command : List.of(config.processData, config.train, config.export)) {
            if (command.isEmpty() || resolve(command.get(0)).isEmpty()) {
                return "nerfstudio: " + (command.isEmpty() ? "a command is not configured" : command.get(0) + " is not installed (not on PATH)");
            }
        }
        return null;
    }

    @Override
    public RunOutcome run(TaskContext ctx) throws Exception {
        JsonNode spec;
        try {
            spec = spec(ctx);
        } catch (IllegalArgumentException e) {
            return RunOutcome.failed(e.getMessage());
        }
        // Beside the outputs, in the task's folder, which the agent deletes when the task ends (checkpoints are large).
        Path work = Files.createDirectories(ctx.outputDir().resolveSibling("nerfstudio"));
        Instant deadline = config.timeoutSeconds > 0 ? Instant.now().plusSeconds(config.timeoutSeconds)
                : ctx.spec().taskTimeout() > 0 ? Instant.now().plusSeconds(ctx.spec().taskTimeout()) : Instant.MAX;

        JsonNode process = spec.path("process_data");
        String data = process.path("data").asText("");
        if (data.isBlank()) {
            return RunOutcome.failed("process_data.data names no input: give the capture as a file parameter with target_path process_data.data");
        }
        Path input = unpacked(Path.of(data), work);
        report(ctx, "download", 0.02, "inputs ready: " + ctx.inputs().size() + " file(s)");

        Path processed = work.resolve("processed");
        List<String> processArgv = new ArrayList<>(config.processData);
        processArgv.addAll(List.of(process.path("type").asText("images"), "--data", input.toString(), "--output-dir", processed.toString()));
        processArgv.addAll(flags(process.path("args")));
        report(ctx, "process_data", 0.03, "processing the capture (" + process.path("type").asText("images") + ")");
        RunOutcome step = step(ctx, "ns-process-data", processArgv, deadline, line -> { });
        if (step != null) {
            return step;
        }

        JsonNode train = spec.path("train");
        String method = train.path("method").asText("nerfacto");
        int iterations = train.path("max_num_iterations").asInt(30000);
        List<String> trainArgv = new ArrayList<>(config.train);
        trainArgv.addAll(List.of(method, "--data", processed.toString(), "--output-dir", work.resolve("runs").toString(),
                "--experiment-name", "task-" + ctx.taskId(), "--max-num-iterations", Integer.toString(iterations),
                "--viewer.quit-on-train-completion", "True"));
        trainArgv.addAll(flags(train.path("args")));
        report(ctx, "train", PROCESSED, "training " + method + " for " + iterations + " steps");
        step = step(ctx, "ns-train", trainArgv, deadline, line -> {
            Matcher m = TRAIN_STEP.matcher(line);
            if (m.find()) {
                double done = Double.parseDouble(m.group(2)) / 100;
                int at = Integer.parseInt(m.group(1));
                ctx.progress(new ProgressInfo(PROCESSED + done * (TRAINED - PROCESSED), null, at, iterations, "train",
                        "step " + at + " of " + iterations));
            }
        });
        if (step != null) {
            return step;
        }

        Optional<Path> trained;
        try (Stream<Path> files = Files.walk(work.resolve("runs"))) {
            trained = files.filter(f -> f.getFileName().toString().equals("config.yml")).findFirst();
        }
        if (trained.isEmpty()) {
            return RunOutcome.failed("ns-train finished without writing a config.yml under its output folder");
        }
        JsonNode export = spec.path("export");
        String kind = export.path("type").asText("pointcloud");
        List<String> exportArgv = new ArrayList<>(config.export);
        exportArgv.addAll(List.of(kind, "--load-config", trained.get().toString(), "--output-dir", ctx.outputDir().toString()));
        exportArgv.addAll(flags(export.path("args")));
        report(ctx, "export", TRAINED, "exporting a " + kind);
        step = step(ctx, "ns-export", exportArgv, deadline, line -> { });
        if (step != null) {
            return step;
        }
        try (Stream<Path> outputs = Files.list(ctx.outputDir())) {
            long count = outputs.count();
            if (count == 0) {
                return RunOutcome.failed("ns-export wrote nothing to the output folder");
            }
            report(ctx, "upload", EXPORTED, "uploading " + count + " output file(s)");
        }
        return RunOutcome.ok();
    }

    /** The workflow's spec with every parameter written at its target_path (file parameters as their local path). */
    static JsonNode spec(TaskContext ctx) {
        JsonNode graph = ctx.spec().workflowJson();
        if (graph == null || !graph.isObject()) {
            throw new IllegalArgumentException("workflow_json must be a Nerfstudio spec: {\"process_data\": ..., \"train\": ..., \"export\": ...}");
        }
        ObjectNode spec = ((ObjectNode) graph).deepCopy();
        JsonNode values = ctx.spec().parameters();
        for (ParameterDef def : ctx.spec().parameterDefs() == null ? List.<ParameterDef>of() : ctx.spec().parameterDefs()) {
            if (def.targetPath() == null || def.targetPath().isBlank()) {
                continue;
            }
            JsonNode value = values == null ? null : values.get(def.key());
            if (value == null || value.isNull()) {
                value = def.defaultValue();
            }
            if (def.type() == ParameterType.FILE) {
                Path local = ctx.inputs().get(def.key());
                value = local == null ? null : spec.textNode(local.toString());
            }
            if (value != null && !value.isNull()) {
                put(spec, def.targetPath(), value);
            }
        }
        return spec;
    }

    private static void put(ObjectNode spec, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode at = spec;
        for (int i = 0; i < parts.length - 1; i++) {
            at = at.path(parts[i]) instanceof ObjectNode o ? o : at.putObject(parts[i]);
        }
        at.set(parts[parts.length - 1], value);
    }

    /** {@code {"num-points": 1000, "use-bbox": true}} as {@code --num-points 1000 --use-bbox True}. */
    static List<String> flags(JsonNode args) {
        List<String> flags = new ArrayList<>();
        args.properties().forEach(a -> {
            flags.add("--" + a.getKey());
            JsonNode v = a.getValue();
            flags.add(v.isBoolean() ? (v.asBoolean() ? "True" : "False") : v.isTextual() ? v.asText() : v.toString());
        });
        return flags;
    }

    /** A zip of images is unpacked into a folder (ns-process-data takes a folder of images or a video file). */
    static Path unpacked(Path input, Path work) throws IOException {
        if (!input.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) {
            return input;
        }
        Path dir = Files.createDirectories(work.resolve("capture"));
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(input))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = dir.resolve(Path.of(e.getName()).getFileName().toString()).normalize();
                if (!e.isDirectory() && target.startsWith(dir) && !e.getName().contains("__MACOSX")) {
                    Files.copy(zip, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dir;
    }

    /** Runs one step to its end; null when it succeeded, else how the task ends. */
    private RunOutcome step(TaskContext ctx, String name, List<String> argv, Instant deadline, Consumer<String> onStdout) throws Exception {
        ctx.log("agent", "running " + String.join(" ", argv));
        ProcessBuilder builder = new ProcessBuilder(ExecRuntime.supervised(argv)).directory(baseDir.toFile());
        builder.environment().putAll(config.env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return RunOutcome.failed(name + " could not start: " + e.getMessage() + " (set runtimes.nerfstudio in the agent's config)");
        }
        Thread out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), "stdout", ctx, onStdout));
        Thread err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), "stderr", ctx, line -> { }));
        while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
            if (ctx.cancelled()) {
                ExecRuntime.kill(process);
                return RunOutcome.failed("cancelled");
            }
            if (Instant.now().isAfter(deadline)) {
                ExecRuntime.kill(process);
                return RunOutcome.failed(name + " was still running at the task's time limit and was stopped");
            }
        }
        out.join(java.time.Duration.ofSeconds(5));
        err.join(java.time.Duration.ofSeconds(5));
        int code = process.exitValue();
        return code == 0 ? null : RunOutcome.failed(name + " exited with code " + code + " (its last lines are in the task's log)");
    }

    private static void report(TaskContext ctx, String stage, double progress, String message) {
        ctx.log("agent", stage + ": " + message);
        ctx.progress(new ProgressInfo(progress, null, null, null, stage, message));
    }

    private static void pump(InputStream stream, String name, TaskContext ctx, Consumer<String> onLine) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                ctx.log(name, line);
                onLine.accept(line);
            }
        } catch (IOException e) {
            // the process ended; nothing more to read
        }
    }

    private Optional<Path> resolve(String program) {
        if (Path.of(program).isAbsolute() || program.contains("/")) {
            Path full = baseDir.resolve(program);
            return Files.isExecutable(full) ? Optional.of(full) : Optional.empty();
        }
        return Optional.ofNullable(ExecRuntime.onPath(program)).map(Path::of);
    }
}
