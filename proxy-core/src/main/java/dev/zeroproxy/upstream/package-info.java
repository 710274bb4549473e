/**
 * Upstream groups: several servers behind one {@link dev.zeroproxy.Upstream}, with balancing,
 * health checks, passive ejection, retries on another server, per-server limits and runtime
 * changes. See {@code docs/upstreams.md} for the model and the defaults beside HAProxy's,
 * nginx's and Envoy's.
 */
package dev.zeroproxy.upstream;
