/**
 * The proxy's two edges: the PROXY protocol accepted from trusted proxies and sent to upstreams,
 * access rules and per-source limits at accept, and source-address pools for upstream
 * connections. See {@code docs/edge.md}.
 */
package dev.zeroproxy.edge;
