package dev.zeroproxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;

/**
 * The only handler of a health-check channel: collects the first {@code expect.length} bytes of
 * the reply into a small array (each buffer is released as soon as it is copied, so a server
 * that keeps talking costs nothing), compares them with the expected prefix and tells the
 * {@link HealthProbe}. Without an expected prefix it only releases what arrives and reports
 * errors. Everything after the verdict is released and ignored: the probe is closing the channel.
 */
final class ProbeReplyHandler extends ChannelInboundHandlerAdapter {
    private final HealthProbe probe;
    private final byte[] expect;
    private final byte[] got;
    private int received;
    private boolean decided;

    ProbeReplyHandler(HealthProbe probe, byte[] expect) {
        this.probe = probe;
        this.expect = expect;
        this.got = new byte[expect.length];
    }

    /** Reply bytes received so far, up to the prefix's length: for a timeout's detail. */
    int received() {
        return received;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf buf && received < got.length) {
                int n = Math.min(buf.readableBytes(), got.length - received);
                buf.readBytes(got, received, n);
                received += n;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (!decided && got.length > 0 && received == got.length) {
            decided = true;
            if (Arrays.equals(got, expect)) {
                probe.succeeded("got " + PrintableBytes.quoted(got));
            } else {
                probe.failed("expected " + PrintableBytes.quoted(expect) + " got " + PrintableBytes.quoted(got));
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Also fires when the probe closes the channel itself; the probe ignores a second verdict.
        if (!decided && got.length > 0) {
            decided = true;
            probe.failed("connection closed after " + received + " of " + got.length + " expected bytes"
                    + (received > 0 ? ": got " + PrintableBytes.quoted(got, received) : ""));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Handled here so that it never reaches the pipeline's tail, which would log a WARN per check.
        if (!decided) {
            decided = true;
            probe.failed(probe.describe(cause));
        }
    }
}
