/**
 * The engine behind {@link dev.zeroproxy.Proxy}. No compatibility promise: anything here may
 * change in any release.
 *
 * <pre>
 *  client ──► server channel ──► {@link dev.zeroproxy.internal.RelayInitializer} ──► {@link dev.zeroproxy.internal.Relay}
 *                                                                                     │ connects the upstream
 *                                                                                     │ on the same event loop
 *  client channel  ── Pump(client→upstream) ──►  upstream channel
 *  client channel  ◄── Pump(upstream→client) ──  upstream channel
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.zeroproxy.internal.ProxyServer}: binds, tracks connections, drains on close.
 *   <li>{@link dev.zeroproxy.internal.Relay}: one connection pair; listener events exactly once;
 *       close, reset and idle-timeout decisions.
 *   <li>{@link dev.zeroproxy.internal.Pump}: one direction; the handler on its source channel.
 *       Forwards the very {@code ByteBuf} it read, pauses its source on the sink's
 *       writability, and turns the source's EOF into the sink's {@code shutdownOutput()} after
 *       everything before it is flushed.
 *   <li>{@link dev.zeroproxy.internal.CountingRecvByteBufAllocator}: each channel's receive
 *       allocator and read handle in one object; counts every byte a channel reads, through a
 *       buffer or by splice, for statistics and idle detection.
 *   <li>{@link dev.zeroproxy.internal.IdleWheel}: the idle checks of one event loop's relays,
 *       a timer wheel instead of a scheduled task per relay.
 * </ul>
 *
 * <p>Threading: both channels of a pair live on one event loop, so a relay's state is touched
 * by one thread only and needs no locks; only the proxy-wide counters are shared.
 */
package dev.zeroproxy.internal;
