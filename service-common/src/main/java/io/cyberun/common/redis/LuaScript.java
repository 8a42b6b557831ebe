package io.cyberun.common.redis;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), so each call sends its keys and arguments only. Redis forgets its
 * scripts when it restarts: a {@code NOSCRIPT} answer is followed by one {@code EVAL} with the text, which also loads
 * it again.
 */
public final class LuaScript {
    private final String text;
    private final String sha;

    public LuaScript(String text) {
        this.text = text;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, List<String> args) {
        return redis.execute("EVALSHA", command(sha, keys, args))
                .onFailure(LuaScript::notLoaded).recoverWithUni(() -> redis.execute("EVAL", command(text, keys, args)));
    }

    private static boolean notLoaded(Throwable e) {
        return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
    }

    private static String[] command(String script, List<String> keys, List<String> args) {
        List<String> c = new ArrayList<>(2 + keys.size() + args.size());
        c.add(script);
        c.add(Integer.toString(keys.size()));
        c.addAll(keys);
        c.addAll(args);
        return c.toArray(new String[0]);
    }
}
