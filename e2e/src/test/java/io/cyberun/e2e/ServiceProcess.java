package io.cyberun.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/** One packaged Cyberun program running as its own process, with its output in a log file. */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    /** The management port (health, metrics) of a Quarkus service; 0 for programs without one, like the agent. */
    final int managementPort;
    final Path log;
    final List<String> command;
    final Map<String, String> env;
    private final Process process;

    private ServiceProcess(String name, int port, int managementPort, Path log, List<String> command, Map<String, String> env, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.process = process;
    }

    /** Starts a program without a management port (the agent, a CLI). */
    static ServiceProcess start(String name, int port, List<String> command, Map<String, String> env, Path logDir) throws IOException {
        return start(name, port, 0, command, env, logDir);
    }

    static ServiceProcess start(String name, int port, int managementPort, List<String> command, Map<String, String> env, Path logDir)
            throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        startedLog(log);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return new ServiceProcess(name, port, managementPort, log, command, env, builder.start());
    }

    /** The same program again, on the same port, with some settings (-D properties) replaced. */
    ServiceProcess restarted(Map<String, String> overrides) throws IOException {
        List<String> next = new ArrayList<>();
        for (String arg : command) {
            String replaced = arg;
            for (Map.Entry<String, String> o : overrides.entrySet()) {
                if (arg.startsWith("-D" + o.getKey() + "=")) {
                    replaced = null;
                }
            }
            if (replaced != null) {
                next.add(replaced);
            }
        }
        int jar = next.indexOf("-jar");
        overrides.forEach((k, v) -> next.add(jar, "-D" + k + "=" + v));
        return start(name, port, managementPort, next, env, log.getParent());
    }

    /** kill -9: no shutdown hooks, no graceful stop. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Waits for {@code /q/health/ready} on the management port; fails at once if the process exits, with the end of its log. */
    ServiceProcess awaitReady(Duration timeout) throws Exception {
        if (managementPort == 0) {
            throw new IllegalStateException(name + " has no management port to ask for readiness: wait for a log line instead");
        }
        awaitUntil(timeout, Duration.ofMillis(250), "was not ready", this::ready);
        return this;
    }

    private boolean ready() throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** Waits until the log contains a line (for programs without a health endpoint, like the agent). */
    ServiceProcess awaitLog(String text, Duration timeout) {
        awaitUntil(timeout, Duration.ofMillis(200), "did not log '" + text + "'", () -> Files.exists(log) && Files.readString(log).contains(text));
        return this;
    }

    /** Until the condition holds; fails at once, with the end of the log, if the process exits first. */
    private void awaitUntil(Duration timeout, Duration poll, String failure, Callable<Boolean> condition) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(poll).failFast(() -> !process.isAlive()).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(name + " " + failure + " within " + timeout.toSeconds() + " s:\n" + tail(40));
        } catch (TerminalFailureException e) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(40));
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Where the service answers {@code /q/health/*} and {@code /q/metrics}. */
    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    long pid() {
        return process.pid();
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Logs a process of this JVM wrote to: restarts and replicas of the same name append to them. */
    private static final Set<Path> LOGS = new HashSet<>();

    /** A log starts empty for this run, so no line of an earlier run in the same checkout is read as this run's. */
    private static synchronized void startedLog(Path log) throws IOException {
        if (LOGS.add(log)) {
            Files.deleteIfExists(log);
        }
    }

    /** Ports this JVM handed out: a port chosen for one process is never chosen again for another. */
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    /**
     * A port nothing listens on, for a process about to start. Chosen below the kernel's ephemeral range
     * (net.ipv4.ip_local_port_range starts at 32768), so an outgoing connection can never take it between this choice
     * and the process binding it, and never one this JVM handed out before (two processes started together each
     * get their own, though neither listens yet).
     */
    static synchronized int freePort() throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(20000, 32000);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                HANDED_OUT.add(port);
                return port;
            } catch (IOException taken) {
                // someone listens there: try another
            }
        }
        throw new IOException("no free port between 20000 and 32000 after 1000 tries");
    }
}
