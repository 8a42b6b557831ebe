package io.cyberun.agent.containers;

import io.cyberun.agent.AgentLog;
import io.cyberun.agent.tunnel.StreamTarget;
import io.cyberun.contracts.container.ReplicaReport;
import io.cyberun.contracts.container.ReplicaSpec;
import io.cyberun.contracts.container.ReplicaState;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.HubMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The container replicas this agent runs: started and stopped as the hub asks, probed on their {@code health_path}
 * every couple of seconds, and reported (every replica, on each change and every ten seconds). Only a healthy replica
 * gets calls (the hub routes only to those). A replica whose process exits is {@code failed} with the reason; one that
 * stops answering its health path is {@code unhealthy} until it answers again; one that never answers within
 * {@link #START_LIMIT} is failed. An external service is a replica without a process: calls go to its URL with the
 * credential this agent holds for it.
 */
public final class Replicas {
    static final Duration START_LIMIT = Duration.ofMinutes(5);
    /** Ended replicas are still reported for this long, so a report lost to a reconnect is made again. */
    static final Duration KEEP_ENDED = Duration.ofMinutes(1);

    private final ContainerRuntime runtime;
    private final Map<String, String> credentials;
    private final Consumer<AgentMessage> send;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Replica> replicas = new ConcurrentHashMap<>();

    static final class Replica {
        final ReplicaSpec spec;
        final StreamTarget target;
        volatile ContainerRuntime.Running running;
        volatile ReplicaState state = ReplicaState.STARTING;
        volatile String reason;
        volatile Instant since;
        volatile int misses;

        Replica(ReplicaSpec spec, StreamTarget target, Instant now) {
            this.spec = spec;
            this.target = target;
            this.since = now;
        }
    }

    public Replicas(ContainerRuntime runtime, Map<String, String> credentials, Consumer<AgentMessage> send, Clock clock) {
        this.runtime = runtime;
        this.credentials = Map.copyOf(credentials);
        this.send = send;
        this.clock = clock;
    }

    /** At the agent's start, before any replica: stops those an earlier run of the agent left running. */
    public void recover() {
        runtime.recover();
    }

    public String runtimeName() {
        return runtime.name();
    }

    /** Starts a replica (a start for one it already has changes nothing), off the caller's thread. */
    public void start(HubMessage.ReplicaStart start) {
        ReplicaSpec spec = start.replica();
        if (spec == null || spec.replicaId() == null || replicas.containsKey(spec.replicaId())) {
            report();
            return;
        }
        Instant now = clock.instant();
        if (spec.external()) {
            String auth = spec.externalAuthCredentialId() == null ? null : credentials.get(spec.externalAuthCredentialId());
            Replica r = new Replica(spec, new StreamTarget(spec.externalUrl().replaceAll("/$", ""), auth, spec.externalUrl()), now);
            replicas.put(spec.replicaId(), r);
            if (spec.externalAuthCredentialId() != null && auth == null) {
                end(r, ReplicaState.FAILED, "this agent holds no credential " + spec.externalAuthCredentialId()
                        + " (add it under containers.external_credentials in the agent's config)");
            } else {
                AgentLog.info("replica %s of %s: fronting %s", spec.replicaId(), spec.serviceSlug(), spec.externalUrl());
                report();
            }
            return;
        }
        int port;
        try {
            port = freePort();
        } catch (IOException e) {
            Replica r = new Replica(spec, null, now);
            replicas.put(spec.replicaId(), r);
            end(r, ReplicaState.FAILED, "no free port: " + e.getMessage());
            return;
        }
        Replica r = new Replica(spec, StreamTarget.port(port), now);
        replicas.put(spec.replicaId(), r);
        report();
        work.submit(() -> {
            try {
                AgentLog.info("replica %s of %s: starting %s with the %s runtime on port %d", spec.replicaId(), spec.serviceSlug(),
                        spec.dockerImage(), runtime.name(), port);
                r.running = runtime.start(spec, port);
                if (r.state == ReplicaState.STOPPED) {
                    r.running.stop(); // stopped while it started
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                end(r, ReplicaState.FAILED, e.getMessage());
            }
        });
    }

    /** Stops a replica; reports it stopped (also one this agent does not know, so the platform can forget it). */
    public void stop(HubMessage.ReplicaStop stop) {
        Replica r = replicas.get(stop.replicaId());
        if (r == null) {
            send.accept(new AgentMessage.ReplicaStates(List.of(new ReplicaReport(stop.serviceId(), null, stop.replicaId(), 0,
                    ReplicaState.STOPPED, "not on this agent", clock.instant()))));
            return;
        }
        if (r.state.live()) {
            AgentLog.info("replica %s of %s: stopping", r.spec.replicaId(), r.spec.serviceSlug());
            end(r, ReplicaState.STOPPED, "stopped on request");
        }
    }

    /** Stops every replica and waits for them to go (the agent shuts down: nothing it started may outlive it). */
    public void stopAll() {
        List<Thread> stopping = new java.util.ArrayList<>();
        replicas.values().forEach(r -> {
            if (r.state.live()) {
                ContainerRuntime.Running running = r.running;
                r.running = null; // stopped here, not by end()
                end(r, ReplicaState.STOPPED, "the agent shut down");
                if (running != null) {
                    stopping.add(Thread.ofVirtual().start(running::stop));
                }
            }
        });
        for (Thread t : stopping) {
            try {
                t.join(Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Where a replica's calls go, while it runs. */
    public StreamTarget target(String replicaId) {
        Replica r = replicas.get(replicaId);
        return r == null || !r.state.live() ? null : r.target;
    }

    /** Probes every live replica once and reports the changes; forgets ended ones after a while. */
    public void probe() {
        boolean changed = false;
        Instant now = clock.instant();
        for (Replica r : List.copyOf(replicas.values())) {
            if (!r.state.live()) {
                if (Duration.between(r.since, now).compareTo(KEEP_ENDED) > 0) {
                    replicas.remove(r.spec.replicaId(), r);
                }
                continue;
            }
            if (!r.spec.external() && r.running == null) {
                continue; // still starting
            }
            if (!r.spec.external() && !r.running.alive()) {
                AgentLog.warn("replica %s of %s failed: %s", r.spec.replicaId(), r.spec.serviceSlug(), r.running.exitReason());
                r.state = ReplicaState.FAILED;
                r.reason = r.running.exitReason();
                r.since = now;
                changed = true;
                continue;
            }
            String problem = health(r);
            ReplicaState next;
            if (problem == null) {
                r.misses = 0;
                next = ReplicaState.HEALTHY;
            } else if (r.state == ReplicaState.STARTING) {
                next = Duration.between(r.since, now).compareTo(START_LIMIT) > 0 ? ReplicaState.FAILED : ReplicaState.STARTING;
                problem = next == ReplicaState.FAILED ? "its health path never answered within " + START_LIMIT.toMinutes() + " min: " + problem : problem;
            } else {
                // One miss is forgiven (a busy server); two in a row take it out of the route.
                next = ++r.misses >= 2 ? ReplicaState.UNHEALTHY : r.state;
            }
            if (next != r.state) {
                AgentLog.info("replica %s of %s: %s%s", r.spec.replicaId(), r.spec.serviceSlug(), next.wireName(), problem == null ? "" : " (" + problem + ")");
                r.state = next;
                r.reason = problem;
                r.since = now;
                changed = true;
                if (next == ReplicaState.FAILED && r.running != null) {
                    ContainerRuntime.Running running = r.running;
                    work.submit(running::stop);
                }
            }
        }
        if (changed) {
            report();
        }
    }

    /** Sends every replica's state. */
    public void report() {
        List<ReplicaReport> all = replicas.values().stream().map(r -> new ReplicaReport(r.spec.serviceId(), r.spec.serviceSlug(),
                r.spec.replicaId(), r.spec.generation(), r.state, r.reason, r.since)).toList();
        if (!all.isEmpty()) {
            send.accept(new AgentMessage.ReplicaStates(all));
        }
    }

    private void end(Replica r, ReplicaState state, String reason) {
        r.state = state;
        r.reason = reason;
        r.since = clock.instant();
        ContainerRuntime.Running running = r.running;
        if (running != null) {
            work.submit(running::stop);
        }
        if (state == ReplicaState.FAILED) {
            AgentLog.warn("replica %s of %s failed: %s", r.spec.replicaId(), r.spec.serviceSlug(), reason);
        }
        report();
    }

    /** Null when the health path answers 2xx or 3xx; otherwise what went wrong. */
    private String health(Replica r) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(r.target.base() + r.spec.healthPath())).timeout(Duration.ofSeconds(2)).GET();
            if (r.target.authorization() != null) {
                request.header("Authorization", r.target.authorization());
            }
            int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 400 ? null : r.spec.healthPath() + " answered HTTP " + status;
        } catch (IOException e) {
            return r.spec.healthPath() + " did not answer: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
