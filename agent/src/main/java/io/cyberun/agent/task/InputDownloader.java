package io.cyberun.agent.task;

import io.cyberun.contracts.protocol.HubMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fetches a task's input files (the files given for its {@code file} parameters) from the presigned URLs that came
 * with the dispatch, into {@code inputs/<parameter>/<file name>} next to its output folder. Bytes come straight from
 * object storage.
 */
public final class InputDownloader {
    static final Duration GET_TIMEOUT = Duration.ofMinutes(30);

    private final HttpClient http;

    public InputDownloader(HttpClient http) {
        this.http = http;
    }

    /** Downloads every input; returns the local file of each, by parameter key. Fails naming the input that failed. */
    public Map<String, Path> download(TaskExecution task) throws InputException {
        Map<String, Path> local = new LinkedHashMap<>();
        Path root = task.outputDir().resolveSibling("inputs");
        for (HubMessage.InputFile input : task.inputFiles()) {
            if (task.cancelled()) {
                throw new InputException("cancelled");
            }
            String name = safeName(input.fileName());
            Path target = root.resolve(input.parameterKey()).resolve(name).normalize();
            if (!target.startsWith(root) || input.url() == null) {
                throw new InputException("input " + input.parameterKey() + " has no usable download address");
            }
            task.log("agent", "downloading input " + input.parameterKey() + " (" + name + ")");
            try {
                Files.createDirectories(target.getParent());
                Path partial = target.resolveSibling(name + ".part");
                HttpResponse<Path> response = http.send(HttpRequest.newBuilder(URI.create(input.url())).timeout(GET_TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofFile(partial));
                if (response.statusCode() != 200) {
                    Files.deleteIfExists(partial);
                    throw new InputException("downloading input " + input.parameterKey() + " failed: object storage answered HTTP "
                            + response.statusCode() + (response.statusCode() == 403 ? " (the link expired or was refused)" : ""));
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (InputException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InputException("downloading input " + input.parameterKey() + " was interrupted");
            } catch (Exception e) {
                throw new InputException("downloading input " + input.parameterKey() + " failed: " + e.getMessage());
            }
            local.put(input.parameterKey(), target);
        }
        return local;
    }

    private static String safeName(String name) {
        String n = name == null ? "" : name.replaceAll("[^A-Za-z0-9._ -]", "_");
        return n.isBlank() || n.startsWith(".") ? "input" + n : n;
    }

    /** An input could not be fetched; the message says which and why. */
    public static final class InputException extends Exception {
        public InputException(String message) {
            super(message);
        }
    }
}
