package io.cyberun.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.apache.kafka.clients.admin.Admin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;

/** Removes what killed test runs left behind (their topics, databases and buckets), a few hours after they started. */
final class StaleNamespaces {
    private StaleNamespaces() {
    }

    static void sweep(Endpoints endpoints) {
        long cutoff = Instant.now().minus(Namespace.STALE_AFTER).getEpochSecond();
        try (Admin admin = ServerClients.kafkaAdmin(endpoints)) {
            List<String> stale = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> isStale(t, cutoff)).toList();
            if (!stale.isEmpty()) {
                admin.deleteTopics(stale).all().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            System.err.println("[testing] sweeping stale test topics failed: " + e.getMessage());
        }
        try (Connection c = DriverManager.getConnection(endpoints.pgJdbcUrl("postgres"), endpoints.pgAdminUser(), endpoints.pgAdminPassword());
             ResultSet rs = c.createStatement().executeQuery("select datname from pg_database where datname like 'cyt%'")) {
            List<String> stale = new ArrayList<>();
            while (rs.next()) {
                if (isStale(rs.getString(1), cutoff)) {
                    stale.add(rs.getString(1));
                }
            }
            for (String db : stale) {
                c.createStatement().execute("drop database if exists \"" + db + "\" with (force)");
            }
        } catch (Exception e) {
            System.err.println("[testing] sweeping stale test databases failed: " + e.getMessage());
        }
        try (S3Client s3 = ServerClients.s3(endpoints)) {
            for (Bucket b : s3.listBuckets().buckets()) {
                if (isStale(b.name(), cutoff)) {
                    ServerClients.emptyAndDelete(s3, b.name());
                }
            }
        } catch (Exception e) {
            System.err.println("[testing] sweeping stale test buckets failed: " + e.getMessage());
        }
    }

    static boolean isStale(String resource, long cutoffEpochSecond) {
        Matcher m = Namespace.NAME.matcher(resource);
        return m.find() && Long.parseLong(m.group(1), 36) < cutoffEpochSecond;
    }
}
