package io.cyberun.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal RESP client: enough to check Redis answers and to delete a test run's keys. */
final class RedisPing {
    private RedisPing() {
    }

    static boolean ping(String host, int port) {
        try (Socket s = connect(host, port)) {
            return "PONG".equals(command(s, new BufferedInputStream(s.getInputStream()), "PING"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Deletes every key starting with {@code prefix} at once, as a restart of an empty Redis loses them: one script, so
     * no service writes between two deletions (a half-deleted state is not something a real Redis loss produces).
     */
    static void deletePrefix(String host, int port, String prefix) throws IOException {
        String script = """
                local cursor = '0'
                repeat
                  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[1] .. '*', 'COUNT', 1000)
                  cursor = r[1]
                  for _, k in ipairs(r[2]) do redis.call('DEL', k) end
                until cursor == '0'
                return 1
                """;
        try (Socket s = connect(host, port)) {
            command(s, new BufferedInputStream(s.getInputStream()), "EVAL", script, "0", prefix);
        }
    }

    /** Runs one command and answers its reply (a string, a list, or {@code null}). */
    static Object run(String host, int port, String... args) throws IOException {
        try (Socket s = connect(host, port)) {
            return command(s, new BufferedInputStream(s.getInputStream()), args);
        }
    }

    /** Makes Redis forget every script it loaded, as a restart does. */
    static void flushScripts(String host, int port) throws IOException {
        try (Socket s = connect(host, port)) {
            command(s, new BufferedInputStream(s.getInputStream()), "SCRIPT", "FLUSH");
        }
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static Object command(Socket s, InputStream in, String... args) throws IOException {
        StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
        }
        OutputStream os = s.getOutputStream();
        os.write(out.toString().getBytes(StandardCharsets.UTF_8));
        os.flush();
        return read(in);
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        return switch (type) {
            case '+', ':' -> line;
            case '-' -> throw new IOException("redis: " + line);
            case '$' -> {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    yield null;
                }
                byte[] b = in.readNBytes(n + 2);
                yield new String(b, 0, n, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(read(in));
                }
                yield items;
            }
            default -> throw new IOException("unexpected redis reply type " + (char) type);
        };
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
