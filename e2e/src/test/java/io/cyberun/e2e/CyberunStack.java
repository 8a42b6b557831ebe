package io.cyberun.e2e;

import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.Namespace;
import io.cyberun.testing.TestInfrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Every Cyberun service as a real process of its packaged app, on free ports, pointed at one test namespace of the
 * real servers; plus agents started on demand. One stack serves every test class of the run: JUnit closes it when
 * the run ends (see {@link SharedStack}). Every process's pid is also written to {@code e2e/target/e2e-pids}, which
 * {@code bin/test} sweeps, so a killed test JVM leaves nothing running.
 */
final class CyberunStack implements AutoCloseable {
    static final Duration READY = Duration.ofSeconds(180);
    private static CyberunStack shared;

    final Path root = TestInfrastructure.repositoryRoot();
    final Path logs = root.resolve("e2e/target/e2e-logs");
    final CyberunTestContext ctx = CyberunTestContext.get();
    final Namespace ns = ctx.namespace();
    final List<ServiceProcess> processes = new ArrayList<>();
    private final Map<String, Integer> replicas = new java.util.concurrent.ConcurrentHashMap<>();
    ServiceProcess file;
    ServiceProcess task;
    ServiceProcess scheduler;
    ServiceProcess hub;
    ServiceProcess gateway;
    ServiceProcess mcp;
    /** The second mcp-service replica: the gateway routes each MCP session to the replica that holds it. */
    ServiceProcess mcp2;
    private Map<String, String> gatewayConfig;

    /** The run's stack, started on first use. */
    static synchronized CyberunStack shared() throws Exception {
        if (shared == null) {
            CyberunStack stack = new CyberunStack();
            try {
                stack.startServices();
            } catch (Exception e) {
                stack.close();
                throw e;
            }
            shared = stack;
        }
        return shared;
    }

    static synchronized void closeShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    private void startServices() throws Exception {
        // file-service and task-service ask each other (presign checks a parameter; a run checks its inputs).
        int taskPort = ServiceProcess.freePort();
        Map<String, String> fileConfig = new LinkedHashMap<>(ns.storageConfig());
        fileConfig.put("quarkus.rest-client.task-service.url", "http://127.0.0.1:" + taskPort);
        file = quarkus("file-service", "file", fileConfig, false);
        // Webhook tests receive on this machine: loopback is allowed for them (it is refused by default).
        task = quarkus("task-service", "task", Map.of("quarkus.rest-client.file-service.url", file.url(),
                "quarkus.http.port", Integer.toString(taskPort), "cyberun.webhooks.allowed-hosts", "127.0.0.1"), false);
        scheduler = quarkus("scheduler-service", null, Map.of("quarkus.rest-client.task-service.url", task.url()), true);
        hub = quarkus("agent-hub", null, Map.of("quarkus.rest-client.file-service.url", file.url()), true);
        int gatewayPort = ServiceProcess.freePort();
        int mcpPort = ServiceProcess.freePort();
        int mcp2Port = ServiceProcess.freePort();
        Map<String, String> gatewayConfig = new LinkedHashMap<>(ns.oidcConfig());
        gatewayConfig.put("quarkus.http.port", Integer.toString(gatewayPort));
        gatewayConfig.put("cyberun.gateway.admin-token", ctx.adminToken());
        gatewayConfig.put("cyberun.gateway.services.task-service", task.url());
        gatewayConfig.put("cyberun.gateway.services.file-service", file.url());
        gatewayConfig.put("cyberun.gateway.services.agent-hub", hub.url());
        gatewayConfig.put("cyberun.gateway.services.scheduler-service", scheduler.url());
        gatewayConfig.put("cyberun.gateway.services.mcp-service", "http://127.0.0.1:" + mcpPort);
        gatewayConfig.put("cyberun.gateway.mcp-replicas", "http://127.0.0.1:" + mcpPort + ",http://127.0.0.1:" + mcp2Port);
        gatewayConfig.put("quarkus.rest-client.task-service.url", task.url());
        // The load tests submit a thousand runs with one key in seconds: far above the per-key limits a deployment
        // wants. IdentityIT checks the limits on a replica of its own.
        gatewayConfig.put("cyberun.gateway.rate-limits.requests-per-second", "5000");
        gatewayConfig.put("cyberun.gateway.rate-limits.request-burst", "10000");
        gatewayConfig.put("cyberun.gateway.rate-limits.runs-per-second", "5000");
        gatewayConfig.put("cyberun.gateway.rate-limits.run-burst", "10000");
        this.gatewayConfig = Map.copyOf(gatewayConfig);
        gateway = quarkus("gateway-service", "gateway", gatewayConfig, true);
        String gatewayHealth = gateway.managementUrl() + "/q/health/live";
        mcp = quarkus("mcp-service", null, Map.of("quarkus.http.port", Integer.toString(mcpPort), "cyberun.mcp.gateway-url",
                "http://127.0.0.1:" + gatewayPort, "cyberun.mcp.gateway-health-url", gatewayHealth), false);
        mcp2 = quarkus("mcp-service", null, Map.of("quarkus.http.port", Integer.toString(mcp2Port), "cyberun.mcp.gateway-url",
                "http://127.0.0.1:" + gatewayPort, "cyberun.mcp.gateway-health-url", gatewayHealth), false);
        // Started together, they are ready in about the time of the slowest.
        awaitReady(List.copyOf(processes));
    }

    private static void awaitReady(List<ServiceProcess> starting) {
        List<CompletableFuture<ServiceProcess>> ready = starting.stream()
                .map(p -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return p.awaitReady(READY);
                    } catch (Exception e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                })).toList();
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
    }

    private ServiceProcess quarkus(String module, String database, Map<String, String> extra, boolean edge) throws Exception {
        Map<String, String> config = new LinkedHashMap<>(ns.serviceConfig(database));
        config.put("cyberun.principal.public-key", ctx.publicKey());
        if (edge) {
            config.put("cyberun.principal.private-key", ctx.privateKey());
        }
        // Each replica has its own identity (the hub's id names the replica holding an agent).
        config.put("cyberun.instance-id", "e2e" + replicas.merge(module, 1, Integer::sum));
        config.putAll(extra);
        int port = extra.containsKey("quarkus.http.port") ? Integer.parseInt(extra.get("quarkus.http.port")) : ServiceProcess.freePort();
        int management = ServiceProcess.freePort();
        List<String> command = new ArrayList<>(List.of(ServiceProcess.java(), "-Xmx256m", "-XX:+UseSerialGC", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + management));
        config.forEach((k, v) -> {
            if (!k.equals("quarkus.http.port")) {
                command.add("-D" + k + "=" + v);
            }
        });
        command.addAll(List.of("-jar", root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar").toString()));
        return track(ServiceProcess.start(module, port, management, command, Map.of(), logs));
    }

    /**
     * Replaces task-service: stopped gracefully, or killed ({@code kill -9}) when {@code kill}, then started again on
     * the same port with the given settings replaced.
     */
    ServiceProcess restartTaskService(boolean kill, Map<String, String> overrides) throws Exception {
        ServiceProcess old = task;
        if (kill) {
            old.kill();
        } else {
            old.close();
        }
        processes.remove(old);
        task = track(old.restarted(overrides));
        return task.awaitReady(READY);
    }

    /** Starts the second mcp-service replica again (after a test killed it) on its port, and waits until it is ready. */
    ServiceProcess restartMcp2() throws Exception {
        processes.remove(mcp2);
        mcp2 = track(mcp2.restarted(Map.of()));
        return mcp2.awaitReady(READY);
    }

    /** Starts one more agent-hub replica, on the run's Redis and Kafka, and waits until it is ready. */
    ServiceProcess extraHub() throws Exception {
        return quarkus("agent-hub", null, Map.of("quarkus.rest-client.file-service.url", file.url()), true).awaitReady(READY);
    }

    /**
     * Starts one more gateway replica (same database, Redis and services, its own port) with some settings replaced
     * (a {@code null} value restores the default), and waits until it is ready.
     */
    ServiceProcess extraGateway(Map<String, String> overrides) throws Exception {
        Map<String, String> config = new LinkedHashMap<>(gatewayConfig);
        config.remove("quarkus.http.port");
        overrides.forEach((k, v) -> {
            if (v == null) {
                config.remove(k);
            } else {
                config.put(k, v);
            }
        });
        return quarkus("gateway-service", "gateway", config, true).awaitReady(READY);
    }

    /** Starts one more scheduler-service replica (same consumer group: they share the partitions). */
    ServiceProcess extraScheduler() throws Exception {
        return quarkus("scheduler-service", null, Map.of("quarkus.rest-client.task-service.url", task.url()), true).awaitReady(READY);
    }

    /** Replaces the scheduler: killed ({@code kill -9}) or stopped, then started again on the same port. */
    ServiceProcess restartScheduler(boolean kill) throws Exception {
        ServiceProcess old = scheduler;
        if (kill) {
            old.kill();
        } else {
            old.close();
        }
        processes.remove(old);
        scheduler = track(old.restarted(Map.of()));
        return scheduler.awaitReady(READY);
    }

    /** How to start an agent: its id and key, labels, capacity, hubs to try in order, extra commands, env, ComfyUI, Nerfstudio (stand-ins). */
    record AgentOptions(String id, String key, String labels, int capacity, List<ServiceProcess> hubs, Map<String, Path> commands,
                        Map<String, String> env, String comfyuiUrl, boolean nerfstudio, List<Integer> tunnelPorts) {
        AgentOptions(String id, String key, String labels) {
            this(id, key, labels, 2, List.of(), Map.of(), Map.of(), null, false, List.of());
        }

        AgentOptions capacity(int n) {
            return new AgentOptions(id, key, labels, n, hubs, commands, env, comfyuiUrl, nerfstudio, tunnelPorts);
        }

        AgentOptions hubs(ServiceProcess... order) {
            return new AgentOptions(id, key, labels, capacity, List.of(order), commands, env, comfyuiUrl, nerfstudio, tunnelPorts);
        }

        AgentOptions command(String name, Path script) {
            Map<String, Path> all = new LinkedHashMap<>(commands);
            all.put(name, script);
            return new AgentOptions(id, key, labels, capacity, hubs, all, env, comfyuiUrl, nerfstudio, tunnelPorts);
        }

        AgentOptions env(String name, String value) {
            Map<String, String> all = new LinkedHashMap<>(env);
            all.put(name, value);
            return new AgentOptions(id, key, labels, capacity, hubs, commands, all, comfyuiUrl, nerfstudio, tunnelPorts);
        }

        AgentOptions comfyui(String url) {
            return new AgentOptions(id, key, labels, capacity, hubs, commands, env, url, nerfstudio, tunnelPorts);
        }

        /** The nerfstudio runtime, with the stand-in ns-* tools of deploy/local/nerfstudio. */
        AgentOptions withNerfstudio() {
            return new AgentOptions(id, key, labels, capacity, hubs, commands, env, comfyuiUrl, true, tunnelPorts);
        }

        /** The ports this agent lets interactive tunnels reach (its tunnel_ports; without it, the default 8188). */
        AgentOptions tunnelPorts(Integer... ports) {
            return new AgentOptions(id, key, labels, capacity, hubs, commands, env, comfyuiUrl, nerfstudio, List.of(ports));
        }
    }

    /**
     * Starts the reference agent, and waits until the hub welcomed it. {@code commands} are extra exec commands
     * (name → script path) besides the demo's; {@code env} reaches the agent and its commands.
     */
    ServiceProcess agent(String id, String key, String labels, Map<String, Path> commands, Map<String, String> env) throws Exception {
        AgentOptions options = new AgentOptions(id, key, labels);
        for (Map.Entry<String, Path> c : commands.entrySet()) {
            options = options.command(c.getKey(), c.getValue());
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            options = options.env(e.getKey(), e.getValue());
        }
        return agent(options);
    }

    ServiceProcess agent(AgentOptions o) throws Exception {
        return track(startAgent(o)).awaitLog("connected to", Duration.ofSeconds(60));
    }

    /** Starts an agent without waiting for its welcome. */
    ServiceProcess startAgent(AgentOptions o) throws Exception {
        Path jar = root.resolve("agent/target/cyberun-agent.jar");
        Path dir = Files.createDirectories(logs.resolve("agent-" + o.id()));
        StringBuilder yaml = new StringBuilder("""
                agent_labels: [%s]
                gpu_capacity: %d
                work_dir: %s
                health_check_seconds: 1
                containers:
                  runtime: process
                  commands:
                    cyberun/echo-service: ["%s", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "%s", "{port}"]
                runtimes:
                  exec:
                    commands:
                      demo-render:
                        command: ["bash", "%s"]
                        timeout_seconds: 120
                """.formatted(o.labels(), o.capacity(), dir.resolve("work"), ServiceProcess.java(),
                        root.resolve("deploy/local/echo-service/EchoService.java"), root.resolve("deploy/local/demo/render.sh")));
        o.commands().forEach((name, script) -> yaml.append("""
                      %s:
                        command: ["bash", "%s", "{{token}}"]
                        timeout_seconds: 300
                """.formatted(name, script)));
        if (!o.tunnelPorts().isEmpty()) {
            yaml.insert(0, "tunnel_ports: " + o.tunnelPorts() + "\n");
        }
        if (o.comfyuiUrl() != null) {
            yaml.append("""
                  comfyui:
                    url: %s
                """.formatted(o.comfyuiUrl()));
        }
        if (o.nerfstudio()) {
            Path standIns = root.resolve("deploy/local/nerfstudio");
            yaml.append("""
                  nerfstudio:
                    process_data: ["%s"]
                    train: ["%s"]
                    export: ["%s"]
                """.formatted(standIns.resolve("ns-process-data"), standIns.resolve("ns-train"), standIns.resolve("ns-export")));
        }
        Path config = dir.resolve("cyberun-agent.yaml");
        Files.writeString(config, yaml.toString());
        Map<String, String> agentEnv = new LinkedHashMap<>(Map.of("DEMO_STEP_SECONDS", "0.05", "CYBERUN_AGENT_NAME", o.id()));
        agentEnv.putAll(o.env());
        List<ServiceProcess> hubs = o.hubs().isEmpty() ? List.of(hub) : o.hubs();
        String servers = String.join(",", hubs.stream().map(h -> "ws://127.0.0.1:" + h.port).toList());
        return ServiceProcess.start("agent-" + o.id(), 0, List.of(ServiceProcess.java(), "-Xmx64m", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "--server", servers, "--key", o.key(), "--id", o.id(), "--config", config.toString()), agentEnv, logs);
    }

    ServiceProcess agent(String id, String key, String labels) throws Exception {
        return agent(id, key, labels, Map.of(), Map.of());
    }

    String workflowJson() throws Exception {
        return Files.readString(root.resolve("deploy/local/demo/workflow.json"));
    }

    ServiceProcess track(ServiceProcess p) throws java.io.IOException {
        processes.add(p);
        Files.createDirectories(logs.getParent());
        Files.writeString(logs.getParent().resolve("e2e-pids"), p.pid() + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        return p;
    }

    /** Stops the agents, then all services at once (each stop waits for a graceful exit, then kills). */
    @Override
    public synchronized void close() {
        List<ServiceProcess> agents = processes.stream().filter(p -> p.name.startsWith("agent-")).toList();
        List<ServiceProcess> services = processes.stream().filter(p -> !p.name.startsWith("agent-")).toList();
        stopAll(agents);
        stopAll(services);
        processes.clear();
    }

    private static void stopAll(List<ServiceProcess> group) {
        CompletableFuture.allOf(group.stream().map(p -> CompletableFuture.runAsync(p::close)).toArray(CompletableFuture[]::new)).join();
    }
}
