import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.protocol.AgentMessage;
import io.cyberun.contracts.protocol.AgentProtocol;
import io.cyberun.contracts.protocol.HubMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An agent inside a benchmark's JVM: speaks the agent protocol over a real WebSocket to the hub and hands each
 * dispatch, with the nanoTime it arrived, to the benchmark.
 */
final class BenchAgent implements WebSocket.Listener {
    static final ObjectMapper JSON = CyberunJson.mapper();
    private static final ScheduledExecutorService HEARTBEATS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-agent-heartbeats");
        t.setDaemon(true);
        return t;
    });

    private final StringBuilder partial = new StringBuilder();
    private final OnDispatch onDispatch;
    private WebSocket socket;
    private boolean closed;

    /** What the benchmark does with a dispatch; {@code arrivedNanos} is when its frame arrived. */
    interface OnDispatch {
        void dispatched(BenchAgent agent, HubMessage.Dispatch dispatch, long arrivedNanos);
    }

    private BenchAgent(OnDispatch onDispatch) {
        this.onDispatch = onDispatch;
    }

    /** Connects and says hello with these labels and capacity; {@code onDispatch} runs on a virtual thread. */
    static BenchAgent connect(HttpClient http, String hub, String key, String id, List<String> labels, int capacity,
                              OnDispatch onDispatch) throws Exception {
        BenchAgent agent = new BenchAgent(onDispatch);
        agent.socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
                .buildAsync(URI.create(hub + AgentProtocol.PATH), agent).get(10, TimeUnit.SECONDS);
        agent.send(new AgentMessage.Hello(AgentProtocol.VERSION, id, labels, "bench", "exec", null, capacity, null, List.of()));
        // The hub drops an agent that says nothing for its silence limit; a benchmark's agents may idle between phases.
        HEARTBEATS.scheduleAtFixedRate(() -> agent.send(new AgentMessage.Heartbeat(List.of())), 2, 2, TimeUnit.SECONDS);
        return agent;
    }

    synchronized void send(AgentMessage m) {
        if (closed) {
            return;
        }
        try {
            socket.sendText(JSON.writeValueAsString(m), true).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            long at = System.nanoTime();
            try {
                if (JSON.readValue(partial.toString(), HubMessage.class) instanceof HubMessage.Dispatch d) {
                    Thread.ofVirtual().start(() -> onDispatch.dispatched(this, d, at));
                }
            } catch (Exception e) {
                System.err.println("bad message: " + e);
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    synchronized void close() {
        closed = true;
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bench done");
    }
}
