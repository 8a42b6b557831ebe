package io.cyberun.testing;

import io.cyberun.contracts.Topic;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One test run's private slice of the shared servers: Kafka topics under a prefix, its own PostgreSQL databases,
 * its own buckets and a Redis key prefix. Named {@code cyt<time><random>}; removed when the JVM exits, and swept
 * after a few hours if a run was killed before it could clean up.
 */
public final class Namespace {
    static final Pattern NAME = Pattern.compile("^cyt([0-9a-z]{7})([0-9a-z]{4})");
    static final Duration STALE_AFTER = Duration.ofHours(3);
    /** Test topics need no more partitions than this: fewer partitions warm up faster. */
    static final int MAX_TEST_PARTITIONS = 3;
    public static final List<String> BUCKET_KINDS = List.of("inputs", "outputs", "models");

    private final String name;
    private final Endpoints endpoints;
    private final List<String> databases = new CopyOnWriteArrayList<>();

    private Namespace(String name, Endpoints endpoints) {
        this.name = name;
        this.endpoints = endpoints;
    }

    static Namespace create(Endpoints endpoints) {
        String time = Long.toString(Instant.now().getEpochSecond(), 36);
        String random = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
        Namespace ns = new Namespace("cyt" + pad(time, 7) + pad(random, 4), endpoints);
        ns.createTopics();
        ns.createBuckets();
        Runtime.getRuntime().addShutdownHook(new Thread(ns::remove, "cleanup-" + ns.name));
        return ns;
    }

    /** A namespace of its own (topics, buckets; databases on demand), removed when the JVM exits. */
    public static Namespace fresh(Endpoints endpoints) {
        return create(endpoints);
    }

    public String name() {
        return name;
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    /** Prefix of every topic and consumer group (cyberun.kafka.topic-prefix). */
    public String topicPrefix() {
        return name + ".";
    }

    /** Prefix of every Redis key (cyberun.redis.key-prefix). */
    public String redisPrefix() {
        return name + ":";
    }

    /** The bucket of a kind: inputs, outputs or models. */
    public String bucket(String kind) {
        return name + "-" + kind;
    }

    /** Creates (once) and names this namespace's database for a service, e.g. {@code task}. */
    public synchronized String database(String service) {
        String db = name + "_" + service;
        if (!databases.contains(db)) {
            try (Connection c = admin()) {
                c.createStatement().execute("create database \"" + db + "\"");
            } catch (Exception e) {
                throw new IllegalStateException("cannot create test database " + db + ": " + e.getMessage(), e);
            }
            databases.add(db);
        }
        return db;
    }

    private void createTopics() {
        try (Admin admin = ServerClients.kafkaAdmin(endpoints)) {
            List<NewTopic> topics = new ArrayList<>();
            for (Topic t : Topic.values()) {
                topics.add(new NewTopic(topicPrefix() + t.topicName(), Math.min(t.partitions(), MAX_TEST_PARTITIONS), (short) 1));
                topics.add(new NewTopic(topicPrefix() + t.deadLetterTopicName(), 1, (short) 1));
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create test topics on Kafka at " + endpoints.kafkaBootstrap() + ": " + e.getMessage(), e);
        }
    }

    private void createBuckets() {
        try (S3Client s3 = ServerClients.s3(endpoints)) {
            for (String kind : BUCKET_KINDS) {
                s3.createBucket(b -> b.bucket(bucket(kind)));
            }
        }
    }

    /** Deletes everything of this namespace; failures are printed, not thrown (the sweep catches leftovers). */
    void remove() {
        try (Admin admin = ServerClients.kafkaAdmin(endpoints)) {
            Set<String> mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(topicPrefix())).collect(java.util.stream.Collectors.toSet());
            admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
            var groups = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(g -> g.groupId()).filter(g -> g.startsWith(topicPrefix())).toList();
            if (!groups.isEmpty()) {
                admin.deleteConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            System.err.println("[testing] could not delete the Kafka topics of " + name + ": " + e.getMessage());
        }
        try (Connection c = admin()) {
            for (String db : databases) {
                c.createStatement().execute("drop database if exists \"" + db + "\" with (force)");
            }
        } catch (Exception e) {
            System.err.println("[testing] could not drop the databases of " + name + ": " + e.getMessage());
        }
        try (S3Client s3 = ServerClients.s3(endpoints)) {
            for (String kind : BUCKET_KINDS) {
                ServerClients.emptyAndDelete(s3, bucket(kind));
            }
        } catch (Exception e) {
            System.err.println("[testing] could not delete the buckets of " + name + ": " + e.getMessage());
        }
        try {
            RedisPing.deletePrefix(endpoints.redisHost(), endpoints.redisPort(), redisPrefix());
        } catch (Exception e) {
            System.err.println("[testing] could not delete the Redis keys of " + name + ": " + e.getMessage());
        }
    }

    /**
     * Runs one Redis command (keys named with {@link #redisPrefix()}): for fixtures that write what another service
     * would have written. Answers the reply: a string, a list, or {@code null}.
     */
    public Object redis(String... command) {
        try {
            return RedisPing.run(endpoints.redisHost(), endpoints.redisPort(), command);
        } catch (IOException e) {
            throw new IllegalStateException("Redis at " + endpoints.redisUrl() + " did not run " + command[0] + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a Redis restart without persistence does to this namespace: every key under its prefix is gone, and Redis
     * forgets its loaded scripts. For tests that prove the platform rebuilds what it keeps in Redis.
     */
    public void loseRedisState() {
        try {
            RedisPing.deletePrefix(endpoints.redisHost(), endpoints.redisPort(), redisPrefix());
            RedisPing.flushScripts(endpoints.redisHost(), endpoints.redisPort());
        } catch (IOException e) {
            throw new IllegalStateException("cannot clear Redis at " + endpoints.redisUrl() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A database outage for this namespace's databases ({@code down}): new connections are refused and open ones are
     * ended, as when the server is down; {@code false} ends it. The server itself and other namespaces are untouched.
     */
    public void databaseOutage(boolean down) {
        try (Connection c = DriverManager.getConnection(endpoints.pgJdbcUrl("postgres"), endpoints.pgAdminUser(), endpoints.pgAdminPassword())) {
            for (String db : databases) {
                c.createStatement().execute("alter database \"" + db + "\" allow_connections " + !down);
                if (down) {
                    c.createStatement().execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + db + "'");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot " + (down ? "start" : "end") + " the database outage: " + e.getMessage(), e);
        }
    }

    /** Properties that point a Quarkus service at this namespace (its database, if it has one). */
    public Map<String, String> serviceConfig(String databaseService) {
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", endpoints.kafkaBootstrap());
        config.put("cyberun.kafka.topic-prefix", topicPrefix());
        config.put("quarkus.redis.hosts", endpoints.redisUrl());
        config.put("cyberun.redis.key-prefix", redisPrefix());
        if (databaseService != null) {
            String db = database(databaseService);
            config.put("quarkus.datasource.reactive.url", endpoints.pgReactiveUrl(db));
            config.put("quarkus.datasource.jdbc.url", endpoints.pgJdbcUrl(db));
            config.put("quarkus.datasource.username", endpoints.pgAdminUser());
            config.put("quarkus.datasource.password", endpoints.pgAdminPassword());
        }
        return config;
    }

    /** file-service's object storage settings for this namespace's buckets. */
    public Map<String, String> storageConfig() {
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("cyberun.storage.endpoint", endpoints.s3Endpoint());
        config.put("cyberun.storage.access-key-id", endpoints.s3AccessKey());
        config.put("cyberun.storage.secret-access-key", endpoints.s3SecretKey());
        config.put("cyberun.storage.buckets.inputs", bucket("inputs"));
        config.put("cyberun.storage.buckets.outputs", bucket("outputs"));
        config.put("cyberun.storage.buckets.models", bucket("models"));
        return config;
    }

    /** The gateway's OIDC settings for the test realm. */
    public Map<String, String> oidcConfig() {
        return Map.of("quarkus.oidc.auth-server-url", endpoints.oidcRealmUrl(),
                "quarkus.oidc.credentials.secret", endpoints.oidcClientSecret());
    }

    /**
     * Runs one SQL statement in a service's test database, as the database admin: for tests that must put a row in
     * a state no API reaches in test time (an expired credential). Returns the rows changed.
     */
    public int execute(String service, String sql, Object... parameters) {
        try (Connection c = DriverManager.getConnection(endpoints.pgJdbcUrl(database(service)), endpoints.pgAdminUser(), endpoints.pgAdminPassword());
             var statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException("cannot run SQL in the " + service + " test database: " + e.getMessage(), e);
        }
    }

    /** The first column of a query's rows in a service's test database, as text: for checks no API can make. */
    public List<String> query(String service, String sql, Object... parameters) {
        try (Connection c = DriverManager.getConnection(endpoints.pgJdbcUrl(database(service)), endpoints.pgAdminUser(), endpoints.pgAdminPassword());
             var statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return rows;
        } catch (Exception e) {
            throw new IllegalStateException("cannot query the " + service + " test database: " + e.getMessage(), e);
        }
    }

    private Connection admin() throws Exception {
        return DriverManager.getConnection(endpoints.pgJdbcUrl("postgres"), endpoints.pgAdminUser(), endpoints.pgAdminPassword());
    }

    private static String pad(String s, int length) {
        return s.length() >= length ? s.substring(s.length() - length) : "0".repeat(length - s.length()) + s;
    }
}
