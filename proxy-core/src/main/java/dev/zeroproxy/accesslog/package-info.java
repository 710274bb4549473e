/**
 * An access log for a proxy: one line per connection in a format close to HAProxy's
 * {@code tcplog}, written through the SLF4J logger {@code zeroproxy.access}, so that the
 * application's logging binding decides where it goes. See {@link dev.zeroproxy.accesslog.AccessLog}
 * and {@code docs/observability.md}.
 */
package dev.zeroproxy.accesslog;
