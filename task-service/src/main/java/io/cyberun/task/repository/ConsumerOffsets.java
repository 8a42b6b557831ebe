package io.cyberun.task.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each consumer group is in each partition, kept in PostgreSQL with the changes it applied: a batch claims
 * its partitions' offsets, applies only records past them and stores the new ones in the same transaction, so a
 * redelivered record is applied once.
 */
@ApplicationScoped
public class ConsumerOffsets {

    /** A partition's next offset to apply, for one consumer group. */
    public record PartitionOffset(String topic, int partition, long nextOffset) {
    }

    /**
     * Locks the group's offset rows of these partitions (creating them at 0) and reads them: the caller applies only
     * records at or after each next offset, and writes the new ones in the same transaction.
     */
    public Uni<Map<String, Long>> claim(SqlConnection conn, String group, Collection<PartitionOffset> partitions) {
        int n = partitions.size();
        String[] topic = new String[n];
        Integer[] partition = new Integer[n];
        int i = 0;
        for (PartitionOffset p : partitions) {
            topic[i] = p.topic();
            partition[i] = p.partition();
            i++;
        }
        return conn.preparedQuery("insert into consumer_offset (consumer_group, topic, kafka_partition, next_offset)"
                        + " select $1, t, p, 0 from unnest($2::text[], $3::int[]) as x(t, p) order by t, p"
                        + " on conflict (consumer_group, topic, kafka_partition) do update set next_offset = consumer_offset.next_offset"
                        + " returning topic, kafka_partition, next_offset")
                .execute(Tuple.tuple().addValue(group).addValue(topic).addValue(partition))
                .map(rows -> {
                    Map<String, Long> next = new HashMap<>();
                    for (Row r : rows) {
                        next.put(r.getString(0) + "/" + r.getInteger(1), r.getLong(2));
                    }
                    return next;
                });
    }

    public Uni<Void> store(SqlConnection conn, String group, Collection<PartitionOffset> partitions) {
        int n = partitions.size();
        String[] topic = new String[n];
        Integer[] partition = new Integer[n];
        Long[] next = new Long[n];
        int i = 0;
        for (PartitionOffset p : partitions) {
            topic[i] = p.topic();
            partition[i] = p.partition();
            next[i] = p.nextOffset();
            i++;
        }
        return conn.preparedQuery("update consumer_offset o set next_offset = greatest(o.next_offset, x.n)"
                        + " from unnest($2::text[], $3::int[], $4::bigint[]) as x(t, p, n)"
                        + " where o.consumer_group = $1 and o.topic = x.t and o.kafka_partition = x.p")
                .execute(Tuple.tuple().addValue(group).addValue(topic).addValue(partition).addValue(next))
                .replaceWithVoid();
    }
}
