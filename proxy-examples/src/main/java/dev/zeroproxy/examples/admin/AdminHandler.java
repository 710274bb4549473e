package dev.zeroproxy.examples.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection: takes each aggregated request, asks {@link AdminRoutes} for the answer
 * and writes it back on the connection's event loop when it is ready. Requests are answered one
 * at a time, in order (HTTP/1.1 pipelining), since answers complete on another thread; keep-alive
 * as the client asks; a HEAD gets the GET's headers without the body. Not sharable: one per
 * channel, used on its event loop only.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOGGER = LoggerFactory.getLogger(AdminHandler.class);
    /** Requests a client may send ahead of their answers before it is cut off. */
    private static final int MAX_PIPELINED = 16;

    /** What is kept of a request: it has no body worth keeping, so its buffer is released at once. */
    private record Request(HttpMethod method, String uri, HttpVersion version, boolean keepAlive, boolean bad) { }

    private final AdminRoutes routes;
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private boolean answering;

    AdminHandler(AdminRoutes routes) {
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (waiting.size() >= MAX_PIPELINED) {
            LOGGER.debug("admin endpoint: {} sent more than {} requests ahead; closed", ctx.channel(), MAX_PIPELINED);
            ctx.close();
            return;
        }
        waiting.add(new Request(request.method(), request.uri(), request.protocolVersion(),
                HttpUtil.isKeepAlive(request), request.decoderResult().isFailure()));
        answerNext(ctx);
    }

    private void answerNext(ChannelHandlerContext ctx) {
        if (answering || waiting.isEmpty()) {
            return;
        }
        answering = true;
        Request request = waiting.poll();
        if (request.bad()) {
            write(ctx, request, AdminReply.text(HttpResponseStatus.BAD_REQUEST,
                    "bad request (expected: an HTTP/1.1 GET of one of " + AdminRoutes.PATHS + ")"), true);
            return;
        }
        CompletableFuture<AdminReply> answer;
        try {
            answer = routes.answer(request.method(), request.uri());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((reply, failure) -> {
            AdminReply done = failure == null ? reply : routes.failure(request.uri(), failure);
            if (ctx.executor().inEventLoop()) {
                write(ctx, request, done, false);
                return;
            }
            try {
                ctx.executor().execute(() -> write(ctx, request, done, false));
            } catch (RejectedExecutionException stopping) {
                // The loops are shutting down with the proxy: the channel closes with them.
                LOGGER.debug("admin endpoint: {} not answered: the event loops are stopping", request.uri());
            }
        });
    }

    private void write(ChannelHandlerContext ctx, Request request, AdminReply reply, boolean close) {
        if (!ctx.channel().isActive()) {
            return;
        }
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        // Wrapped, not copied; released by the encoder once written.
        ByteBuf content = HttpMethod.HEAD.equals(request.method()) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(request.version(), reply.status(), content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (reply.status().equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        boolean keepAlive = request.keepAlive() && !close;
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            // The next answer only once this one is written: a client that sends requests and does
            // not read the answers holds one answer in memory, not one per request.
            ctx.writeAndFlush(response).addListener(written -> {
                answering = false;
                if (written.isSuccess()) {
                    answerNext(ctx);
                } else {
                    ctx.close();
                }
            });
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        waiting.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException || cause instanceof IOException) {
            // An idle keep-alive connection timed out, or the client went away: nothing to report.
            LOGGER.debug("admin endpoint: {} closed: {}", ctx.channel(), cause.toString());
        } else {
            LOGGER.warn("admin endpoint: {} failed; closed", ctx.channel(), cause);
        }
        ctx.close();
    }
}
