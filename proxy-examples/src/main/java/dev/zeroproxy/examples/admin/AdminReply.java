package dev.zeroproxy.examples.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * One answer of the admin endpoint, before it is encoded: a status, a content type and a text.
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type}
 * @param body the text (sent as UTF-8)
 */
record AdminReply(HttpResponseStatus status, String contentType, String body) {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";
    static final String JSON = "application/json";
    /** Prometheus' text exposition format, version 0.0.4, as its scrapers ask for it. */
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    static AdminReply ok(String contentType, String body) {
        return new AdminReply(HttpResponseStatus.OK, contentType, body);
    }

    /** A short text ending with a newline, for errors: curl shows it as it is. */
    static AdminReply text(HttpResponseStatus status, String line) {
        return new AdminReply(status, TEXT, line + "\n");
    }
}
