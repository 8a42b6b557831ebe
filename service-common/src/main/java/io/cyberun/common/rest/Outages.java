package io.cyberun.common.rest;

import io.cyberun.contracts.error.ErrorBody;
import io.cyberun.contracts.error.ErrorCode;
import java.lang.reflect.Method;
import java.util.Set;

/**
 * Tells a store outage (the database refuses or drops connections) from a bug, so a request that needs the database
 * while it is down answers 503 with {@code Retry-After} instead of 500: the caller retries, nothing was written.
 * Classified by the failure's chain, by class name and SQLSTATE, so services without a PostgreSQL client use it too.
 */
public final class Outages {
    /** What a client is told to wait before it retries. */
    public static final int RETRY_AFTER_SECONDS = 5;
    /** Connection failures (08), shutdowns and terminated backends (57P01-57P03), too many connections (53300). */
    static final Set<String> SQL_STATES = Set.of("57P01", "57P02", "57P03", "53300");

    private Outages() {
    }

    public static boolean isOutage(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            String type = e.getClass().getName();
            // A connection the database dropped under a query: refused, reset, a broken pipe, closed with requests pending
            // (pg_terminate_backend races the next query on a pooled connection; all of these were seen in one outage).
            if (e instanceof java.net.SocketException || e instanceof java.nio.channels.ClosedChannelException
                    || type.endsWith("ClosedConnectionException") || type.endsWith("ClosedChannelException")
                    || type.equals("io.netty.channel.ConnectTimeoutException") || type.endsWith("ConnectionPoolTooBusyException")) {
                return true;
            }
            if (type.equals("io.vertx.pgclient.PgException")) {
                String state = sqlState(e);
                // 55000 is also "the database is not currently accepting connections".
                return state != null && (state.startsWith("08") || SQL_STATES.contains(state)
                        || ("55000".equals(state) && String.valueOf(e.getMessage()).contains("accepting connections")));
            }
            String message = e.getMessage();
            if (message != null && (message.contains("Connection refused") || message.contains("Connection is closed")
                    || message.contains("connection has been closed") || message.contains("Connection was closed")
                    || message.contains("Pool closed"))) {
                return true;
            }
        }
        return false;
    }

    public static ErrorBody body() {
        return ErrorBody.of(ErrorCode.STORE_UNAVAILABLE,
                "the database is unavailable right now; nothing was changed: retry after " + RETRY_AFTER_SECONDS + " s");
    }

    private static String sqlState(Throwable e) {
        try {
            Method m = e.getClass().getMethod("getSqlState");
            return (String) m.invoke(e);
        } catch (ReflectiveOperationException | ClassCastException ignored) {
            return null;
        }
    }
}
