/**
 * Micrometer meters for ZeroProxy: {@link dev.zeroproxy.micrometer.ProxyMetrics}.
 */
package dev.zeroproxy.micrometer;
