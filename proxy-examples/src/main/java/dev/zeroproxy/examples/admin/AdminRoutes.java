package dev.zeroproxy.examples.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the admin endpoint answers to each path: {@code /}, {@code /metrics}, {@code /stats},
 * {@code /stats.json}, {@code /connections}. Anything that reads the proxies runs on the
 * worker, never on the event loop that received the request: a configuration file's deployment
 * holds its lock through a reload, which waits on those loops. Thread-safe.
 */
final class AdminRoutes {
    private static final Logger LOGGER = LoggerFactory.getLogger(AdminRoutes.class);
    /** The paths served, for the index page and a 404's message. */
    static final List<String> PATHS = List.of("/", "/metrics", "/stats", "/stats.json", "/connections");

    private final StatsSource source;
    private final StatsCollector collector;
    private final Supplier<String> metrics;
    private final Duration refresh;
    private final Executor worker;
    /** Another path for the stats page (a configuration file's {@code stats uri}), or null. */
    private final String statsAlias;

    AdminRoutes(StatsSource source, StatsCollector collector, Supplier<String> metrics, Duration refresh,
            Executor worker, String statsAlias) {
        this.statsAlias = statsAlias;
        this.source = Objects.requireNonNull(source, "source");
        this.collector = Objects.requireNonNull(collector, "collector");
        this.metrics = metrics;
        this.refresh = Objects.requireNonNull(refresh, "refresh");
        this.worker = Objects.requireNonNull(worker, "worker");
    }

    /** The answer to {@code method uri}; completes on the worker (or at once for the cheap ones). */
    CompletableFuture<AdminReply> answer(HttpMethod method, String uri) {
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            return done(AdminReply.text(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " " + uri
                    + ": method not allowed (expected: GET or HEAD; this endpoint is read-only)"));
        }
        QueryStringDecoder query = new QueryStringDecoder(uri);
        String path;
        try {
            path = query.path().equals(statsAlias) ? "/stats" : query.path();
            query.parameters(); // Decoded now, so that a malformed escape is this request's 400, not a 500 later.
        } catch (IllegalArgumentException malformed) {
            return done(AdminReply.text(HttpResponseStatus.BAD_REQUEST, "bad request: " + malformed.getMessage()
                    + " (expected: a path and query with valid %-escapes)"));
        }
        return switch (path) {
            case "/" -> done(AdminReply.ok(AdminReply.HTML, IndexPage.HTML));
            case "/metrics" -> metrics == null
                    ? done(AdminReply.text(HttpResponseStatus.NOT_FOUND, "/metrics: metrics are off (this"
                            + " forwarder was started without a metrics registry)"))
                    : onWorker(() -> AdminReply.ok(AdminReply.PROMETHEUS, metrics.get()));
            case "/stats" -> onWorker(() -> AdminReply.ok(AdminReply.HTML,
                    StatsPage.render(collector.collect(), refresh)));
            case "/stats.json" -> onWorker(() -> AdminReply.ok(AdminReply.JSON,
                    StatsJson.render(collector.collect())));
            case "/connections" -> connections(query);
            default -> done(AdminReply.text(HttpResponseStatus.NOT_FOUND, query.path()
                    + ": no such page (expected one of " + String.join(", ", PATHS) + ")"));
        };
    }

    /** A failed answer as a 500, its cause logged: a bug or a supplier that threw. */
    AdminReply failure(String uri, Throwable cause) {
        Throwable root = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof RejectedExecutionException) {
            // The worker stopped: the endpoint is closing, its channels next.
            return AdminReply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, uri + ": the admin endpoint is closing");
        }
        LOGGER.warn("admin endpoint: {} failed", uri, root);
        return AdminReply.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, uri + ": failed: " + root);
    }

    private CompletableFuture<AdminReply> connections(QueryStringDecoder query) {
        List<String> given = query.parameters().get("limit");
        int limit = ConnectionList.DEFAULT_LIMIT;
        if (given != null && !given.isEmpty()) {
            String text = given.get(given.size() - 1);
            try {
                limit = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 0 || limit > ConnectionList.MAX_LIMIT) {
                return done(AdminReply.text(HttpResponseStatus.BAD_REQUEST, "limit: '" + text
                        + "' (expected: a whole number 0.." + ConnectionList.MAX_LIMIT + ", default "
                        + ConnectionList.DEFAULT_LIMIT + ")"));
            }
        }
        int chosen = limit;
        return CompletableFuture.supplyAsync(() -> ConnectionList.render(source, chosen, worker), worker)
                .thenCompose(json -> json)
                .thenApply(json -> AdminReply.ok(AdminReply.JSON, json));
    }

    private CompletableFuture<AdminReply> onWorker(Supplier<AdminReply> answer) {
        return CompletableFuture.supplyAsync(answer, worker);
    }

    private static CompletableFuture<AdminReply> done(AdminReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
