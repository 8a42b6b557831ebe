package io.cyberun.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cyberun.contracts.Topic;
import io.cyberun.contracts.events.TaskEvent;
import io.cyberun.contracts.task.ProgressInfo;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.testing.CyberunTestContext;
import io.cyberun.testing.CyberunTestResource;
import io.cyberun.testing.KafkaProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that stops reading must not hold up anyone else: live events come from the real Kafka topic, one
 * client reads them all promptly while another never reads until the end; the stalled one then finds its progress
 * coalesced but every status and the terminal event, in order.
 */
@QuarkusTest
@QuarkusTestResource(value = CyberunTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "gateway"), @ResourceArg(name = "gateway", value = "true")})
@QuarkusTestResource(UpstreamStub.class)
class SseBackpressureTests {
    static final int PROGRESS = 2000;

    @Test
    void aStalledSubscriberGetsProgressCoalescedAndNeverDelaysAnother() throws Exception {
        UUID team = UUID.randomUUID();
        UUID task = UUID.fromString(UpstreamStub.LIVE_TASK_PREFIX + UUID.randomUUID().toString().substring(9));
        String path = "/api/v1/r/tasks/" + task + "/events";
        String sk = GatewayTests.sk();

        Socket stalled = new Socket();
        stalled.setReceiveBufferSize(4096);
        stalled.connect(new InetSocketAddress("127.0.0.1", RestAssured.port));
        OutputStream out = stalled.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + sk + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();

        List<Long> fastIds = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Void>> fast = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + path)).header("Authorization", "Bearer " + sk)
                        .header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.fromLineSubscriber(new java.util.concurrent.Flow.Subscriber<String>() {
                    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    public void onNext(String line) {
                        if (line.startsWith("id: ")) {
                            fastIds.add(Long.parseLong(line.substring(4)));
                        }
                    }

                    public void onError(Throwable t) {
                    }

                    public void onComplete() {
                    }
                }));

        try (KafkaProbe kafka = new KafkaProbe(CyberunTestContext.get().namespace())) {
            // The gateway reads task-events from the latest offset: repeat event 1 until its consumer has the partition.
            TaskEvent running = new TaskEvent.StatusChanged(task, team, 1, TaskStatus.RUNNING, Instant.now(), TaskStatus.QUEUED, "gpu-1", 1, 0, null);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, running);
                return !fastIds.isEmpty();
            });
            assertThat(fastIds).as("the live feed reached the reading subscriber").containsExactly(1L);
            String padding = "x".repeat(8 * 1024);
            long started = System.nanoTime();
            for (int seq = 2; seq <= PROGRESS + 1; seq++) {
                kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Progressed(task, team, seq, TaskStatus.RUNNING, Instant.now(),
                        new ProgressInfo((double) seq / (PROGRESS + 2), null, seq, PROGRESS + 1, null, padding)));
            }
            kafka.publish(Topic.TASK_EVENTS, TaskEvent.FAMILY, new TaskEvent.Completed(task, team, PROGRESS + 2, TaskStatus.COMPLETED, Instant.now(),
                    "gpu-1", 1, List.of()));
            fast.get(90, TimeUnit.SECONDS);
            long fastMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(fastIds).as("the reading subscriber got every event, in order, and its stream ended")
                    .hasSize(PROGRESS + 2).isSorted().doesNotHaveDuplicates().endsWith((long) PROGRESS + 2);
            System.out.printf("[sse] %d events of 8 KB to the reading subscriber in %d ms while another stalled%n", PROGRESS + 2, fastMillis);
        }

        // Now the stalled client reads what the gateway kept for it.
        List<Long> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        stalled.setSoTimeout(30_000);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stalled.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("id: ")) {
                    ids.add(Long.parseLong(line.substring(4)));
                } else if (line.startsWith("event: ")) {
                    names.add(line.substring(7));
                    if (line.equals("event: completed")) {
                        break;
                    }
                }
            }
        }
        stalled.close();
        assertThat(ids).as("in order, once each").isSorted().doesNotHaveDuplicates();
        assertThat(ids).as("the status and the terminal event are never dropped").startsWith(1L).endsWith((long) PROGRESS + 2);
        assertThat(names).first().isEqualTo("status");
        assertThat(names).last().isEqualTo("completed");
        assertThat(ids.size()).as("progress was coalesced while it did not read").isLessThan(PROGRESS + 2);
        System.out.printf("[sse] the stalled subscriber received %d of %d events%n", ids.size(), PROGRESS + 2);
    }
}
