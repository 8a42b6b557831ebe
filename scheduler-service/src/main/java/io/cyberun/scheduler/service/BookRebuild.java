package io.cyberun.scheduler.service;

import io.cyberun.common.config.CyberunConfig;
import io.cyberun.common.config.InstanceIdentity;
import io.cyberun.common.security.PrincipalTokens;
import io.cyberun.contracts.auth.Principal;
import io.cyberun.scheduler.client.TaskServiceClient;
import io.cyberun.scheduler.registry.TaskBook;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Rebuilds the task book when Redis lost it (Redis restarted empty, or was flushed): a marker key the book was built
 * under is gone. The book is restored from task-service's record of every open task (waiting ones queue again,
 * held back for {@link #HOLD}, dispatched ones are timed again); agents' slots come back as their hubs announce them
 * again with what they run, and an agent's report of an attempt newer than the record wins.
 * While it rebuilds, task and agent events wait, so none is applied to a half-built book. Checked every second, and
 * before every agent event (a hub may announce its agents again before this replica's next check).
 */
@ApplicationScoped
public class BookRebuild {
    private static final Logger LOG = Logger.getLogger(BookRebuild.class);
    static final int PAGE = 500;
    /**
     * How long a restored waiting task is held back from placement: task-service's record may lag behind a placement
     * the scheduler made just before Redis lost the book, and within this time the placement's record arrives or the
     * agent running the task announces it again (hubs check for the loss every second). Placing it sooner could run it
     * twice.
     */
    static final Duration HOLD = Duration.ofSeconds(3);

    private final ReactiveValueCommands<String, String> values;
    private final TaskBook book;
    private final TaskServiceClient tasks;
    private final PrincipalTokens tokens;
    private final InstanceIdentity identity;
    private final Clock clock;
    private final String marker;
    private volatile Uni<Void> running;

    public BookRebuild(ReactiveRedisDataSource redis, TaskBook book, @RestClient TaskServiceClient tasks, PrincipalTokens tokens,
                       InstanceIdentity identity, Clock clock, CyberunConfig config) {
        this.values = redis.value(String.class);
        this.book = book;
        this.tasks = tasks;
        this.tokens = tokens;
        this.identity = identity;
        this.clock = clock;
        this.marker = config.redis().keyPrefix() + "scheduler-book";
    }

    /** Completes at once, or when a rebuild in progress has finished. */
    public Uni<Void> ready() {
        Uni<Void> current = running;
        return current == null ? Uni.createFrom().voidItem() : current;
    }

    /** Checks the marker now and rebuilds if it is gone; completes when the book is whole. */
    public Uni<Void> checked() {
        Uni<Void> current = running;
        if (current != null) {
            return current;
        }
        return values.get(marker).flatMap(m -> m != null ? Uni.createFrom().voidItem() : rebuild());
    }

    @Scheduled(every = "1s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        return checked().onFailure().invoke(e -> LOG.warnf("checking the task book failed, retrying in a second: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private synchronized Uni<Void> rebuild() {
        if (running != null) {
            return running;
        }
        AtomicInteger restored = new AtomicInteger();
        LOG.warn("the task book is not in Redis (a first start, or Redis lost it): rebuilding it from task-service");
        String token = tokens.sign(Principal.service(identity.serviceName()));
        Uni<Void> work = page(token, null, restored)
                .call(() -> values.set(marker, clock.instant().toString()))
                .invoke(() -> LOG.infof("task book rebuilt: %d open task(s) restored", restored.get()))
                .eventually(() -> {
                    running = null;
                })
                .memoize().indefinitely();
        running = work;
        return work;
    }

    private Uni<Void> page(String token, UUID after, AtomicInteger restored) {
        return tasks.open(token, after, PAGE).flatMap(open -> Multi.createFrom().iterable(open.tasks())
                .onItem().transformToUni(t -> book.restore(t, clock.millis(), clock.millis() + HOLD.toMillis()).invoke(yes -> {
                    if (yes) {
                        restored.incrementAndGet();
                    }
                }))
                .merge(16)
                .collect().last()
                .flatMap(x -> open.next() == null ? Uni.createFrom().voidItem() : page(token, open.next(), restored)));
    }
}
