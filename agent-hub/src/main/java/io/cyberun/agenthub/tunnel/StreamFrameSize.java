package io.cyberun.agenthub.tunnel;

import io.cyberun.contracts.protocol.TunnelProtocol;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Lets streams carry frames up to {@link TunnelProtocol#MAX_FRAME_BYTES} (Vert.x refuses frames over 64 KB by default):
 * a large download through a tunnel or the container proxy is relayed in fewer, larger frames.
 */
@ApplicationScoped
public class StreamFrameSize implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setMaxWebSocketFrameSize(Math.max(options.getMaxWebSocketFrameSize(), TunnelProtocol.MAX_FRAME_BYTES));
        options.setMaxWebSocketMessageSize(Math.max(options.getMaxWebSocketMessageSize(), 4 * TunnelProtocol.MAX_FRAME_BYTES));
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        customizeHttpServer(options);
    }
}
