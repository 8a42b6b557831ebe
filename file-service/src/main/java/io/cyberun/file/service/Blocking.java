package io.cyberun.file.service;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs a blocking object-store call on a worker thread and comes back to the caller's Vert.x context, where
 * Hibernate Reactive sessions must run. Call it on the event loop.
 */
final class Blocking {
    private Blocking() {
    }

    static <T> Uni<T> call(Supplier<T> work) {
        Context context = Vertx.currentContext();
        Uni<T> onWorker = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return context == null ? onWorker : onWorker.emitOn(task -> context.runOnContext(v -> task.run()));
    }
}
