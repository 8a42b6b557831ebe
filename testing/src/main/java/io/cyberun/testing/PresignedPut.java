package io.cyberun.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * Uploads to a presigned URL the way a client should: the body with every header the presign returned, verbatim.
 * Uses the JDK's HTTP client, which shares nothing with the AWS SDK that signed the URL. (The client computes
 * {@code Content-Length} from the body itself, so a wrong-length body is how a test sends a wrong length.)
 */
public final class PresignedPut {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private PresignedPut() {
    }

    public static HttpResponse<String> send(String url, Map<String, ?> headers, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Host")) {
                put.header(name, String.valueOf(value));
            }
        });
        return HTTP.send(put.build(), HttpResponse.BodyHandlers.ofString());
    }
}
