package io.cyberun.task.webhook;

import io.cyberun.common.rest.ApiException;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.task.config.WebhookConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which URLs a webhook may call: {@code https://} only, and never a host that resolves to a private, loopback,
 * link-local, multicast or otherwise internal address (server-side request forgery), except the hosts of
 * {@code cyberun.webhooks.allowed-hosts}. Checked when a webhook is saved and again before every attempt (DNS may
 * have changed). Resolving blocks: call it off the event loop.
 */
@ApplicationScoped
public class WebhookUrls {
    static final int MAX_LENGTH = 2048;
    private final Set<String> allowed;

    public WebhookUrls(WebhookConfig config) {
        this.allowed = config.allowedHosts().orElse(List.of()).stream().map(h -> h.strip().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** The URL if a webhook may use it, or a 400 naming {@code webhook_url} and why not. */
    public URI require(String raw) {
        if (raw == null || raw.isBlank()) {
            throw invalid("is required: the https:// URL that receives the events");
        }
        if (raw.length() > MAX_LENGTH) {
            throw invalid("must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(raw.strip());
        } catch (URISyntaxException e) {
            throw invalid("is not a valid URL");
        }
        String refusal = refusal(uri);
        if (refusal != null) {
            throw invalid(refusal);
        }
        return uri;
    }

    /** Why the URL may not be called now, or null when it may. */
    public String refusal(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!uri.isAbsolute() || host == null || host.isBlank() || !(scheme.equals("https") || scheme.equals("http"))) {
            return "must be an absolute https:// URL with a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry credentials (user:password@)";
        }
        if (uri.getRawFragment() != null) {
            return "must not have a #fragment";
        }
        if (isAllowListed(uri)) {
            return null;
        }
        if (!scheme.equals("https")) {
            return "must use https:// (plain http:// is refused)";
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return "names a host that does not resolve: " + host;
        }
        for (InetAddress a : addresses) {
            if (internal(a)) {
                return "resolves to an internal address (" + a.getHostAddress() + "); webhooks only call public endpoints";
            }
        }
        return null;
    }

    private boolean isAllowListed(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
        return allowed.contains(host) || allowed.contains(host + ":" + port);
    }

    /** Loopback, private, link-local, unique-local, carrier-grade NAT, multicast, unspecified and the like. */
    static boolean internal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || first >= 240 // "this network", reserved and broadcast
                    || (first == 100 && second >= 64 && second <= 127) // carrier-grade NAT
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (first == 198 && (second == 18 || second == 19)); // benchmarking
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) { // fc00::/7 unique local
                return true;
            }
            boolean mapped = true; // ::ffff:a.b.c.d carries an IPv4 address
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return internal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ApiException invalid(String why) {
        return ApiException.invalid("webhook_url " + why, List.of(new FieldError("webhook_url", why)));
    }
}
