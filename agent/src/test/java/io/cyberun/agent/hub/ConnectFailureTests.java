package io.cyberun.agent.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** How the agent reads a failed connection attempt: a refused key ends it, anything else is tried again. */
class ConnectFailureTests {

    @Test
    void aRefusedKeyEndsTheAgentWhereverTheJdkPutsTheRefusal() {
        // As the JDK raises it: a CompletionException around the refusal, which has a cause of its own.
        WebSocketHandshakeException refused = refusal(401, "unknown agent key");
        refused.initCause(new IOException("Unexpected HTTP response status code 401"));
        ConnectFailure failure = ConnectFailure.of(new CompletionException(refused));
        assertThat(failure.keyRefused()).isTrue();
        assertThat(failure.message()).contains("HTTP 401", "CYBERUN_AGENT_KEY", "ak-");

        assertThat(ConnectFailure.of(new CompletionException(refusal(403, null))).keyRefused()).isTrue();
    }

    @Test
    void otherRefusalsAndUnreachableHubsAreTriedAgain() {
        ConnectFailure unavailable = ConnectFailure.of(new CompletionException(refusal(503, "agent keys cannot be read right now")));
        assertThat(unavailable.keyRefused()).isFalse();
        assertThat(unavailable.message()).contains("HTTP 503", "agent keys cannot be read right now", "trying again");

        ConnectFailure unreachable = ConnectFailure.of(new CompletionException(new IOException("wrapped", new ConnectException("Connection refused"))));
        assertThat(unreachable.keyRefused()).isFalse();
        assertThat(unreachable.message()).isEqualTo("cannot reach the hub: Connection refused");
    }

    @Test
    void theWaitDoublesUpToItsLimitAndStartsOverAfterAConnection() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4));
        assertThat(backoff.next()).isBetween(500L, 1500L);
        assertThat(backoff.next()).isBetween(1000L, 3000L);
        assertThat(backoff.next()).isBetween(2000L, 6000L);
        assertThat(backoff.next()).isBetween(2000L, 6000L);
        backoff.reset();
        assertThat(backoff.next()).isBetween(500L, 1500L);
    }

    private static WebSocketHandshakeException refusal(int status, String body) {
        return new WebSocketHandshakeException(new Response(status, body));
    }

    private record Response(int statusCode, String body) implements HttpResponse<String> {
        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(URI.create("ws://hub.invalid/agent")).build();
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request().uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
