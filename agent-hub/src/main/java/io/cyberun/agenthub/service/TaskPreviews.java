package io.cyberun.agenthub.service;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.contracts.task.PreviewInfo;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Keeps each running task's latest preview image in Redis for {@link PreviewInfo#KEPT} (one per task, replaced by the
 * next), where any gateway replica reads it; Redis is not the place for more than that, and nothing else keeps them.
 */
@ApplicationScoped
public class TaskPreviews {
    private final ReactiveHashCommands<String, String, byte[]> hashes;
    private final ReactiveKeyCommands<String> keys;
    private final String prefix;

    public TaskPreviews(ReactiveRedisDataSource redis, CyberunConfig config) {
        this.hashes = redis.hash(String.class, String.class, byte[].class);
        this.keys = redis.key(String.class);
        this.prefix = config.redis().keyPrefix();
    }

    public Uni<Void> store(UUID team, UUID task, PreviewInfo info, byte[] image) {
        String key = PreviewInfo.key(prefix, team, task);
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put("id", bytes(info.previewId()));
        fields.put("content_type", bytes(info.contentType()));
        fields.put("node_id", bytes(info.nodeId() == null ? "" : info.nodeId()));
        fields.put("image", image);
        return hashes.hset(key, fields).chain(() -> keys.expire(key, PreviewInfo.KEPT)).replaceWithVoid();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
