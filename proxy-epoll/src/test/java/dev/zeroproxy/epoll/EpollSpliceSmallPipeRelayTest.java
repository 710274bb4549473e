package dev.zeroproxy.epoll;

import dev.zeroproxy.ProxyBuilder;

/**
 * The splice relay suite through one-page pipes: every stream takes thousands of splice passes,
 * each ending with a full pipe, which is where an off-by-one in the pipe handling or the
 * end-of-stream drain would lose or reorder bytes. The other splice suites run at the default
 * 1 MiB.
 */
class EpollSpliceSmallPipeRelayTest extends EpollSpliceRelayTest {
    @Override
    protected ProxyBuilder customize(ProxyBuilder builder) {
        return builder.splicePipeSize(ProxyBuilder.MIN_SPLICE_PIPE_SIZE);
    }
}
