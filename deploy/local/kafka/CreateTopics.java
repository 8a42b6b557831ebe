import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Creates the topics listed in topics.conf that do not exist yet, in one JVM launch (the console tools take
 * two seconds each). Run with the broker's jars on the class path:
 * {@code java -cp "lib/*" CreateTopics.java <bootstrap> <topics.conf> [prefix]}.
 * An existing topic with fewer partitions than configured is reported and fails the run.
 */
public class CreateTopics {
    record TopicSpec(String name, int partitions, long retentionMs) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CreateTopics <bootstrap-servers> <topics.conf> [prefix]");
            System.exit(2);
        }
        String prefix = args.length > 2 ? args[2] : "";
        List<TopicSpec> specs = read(Path.of(args[1]));
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec spec : specs) {
                String name = prefix + spec.name();
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, spec.partitions(), (short) 1)
                            .configs(Map.of("retention.ms", Long.toString(spec.retentionMs()))));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            }
            Map<String, TopicDescription> described = admin.describeTopics(
                    specs.stream().map(s -> prefix + s.name()).toList()).allTopicNames().get(30, TimeUnit.SECONDS);
            boolean ok = true;
            for (TopicSpec spec : specs) {
                int actual = described.get(prefix + spec.name()).partitions().size();
                if (actual < spec.partitions()) {
                    System.err.printf("topic %s has %d partitions, %d wanted: delete it or raise it with kafka-topics --alter%n",
                            prefix + spec.name(), actual, spec.partitions());
                    ok = false;
                }
            }
            System.out.printf("topics: %d present, %d created%n", specs.size(), missing.size());
            if (!ok) {
                System.exit(1);
            }
        }
    }

    static List<TopicSpec> read(Path conf) throws Exception {
        List<TopicSpec> specs = new ArrayList<>();
        for (String line : Files.readAllLines(conf)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] f = trimmed.split("\\s+");
            specs.add(new TopicSpec(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2])));
        }
        return specs;
    }
}
