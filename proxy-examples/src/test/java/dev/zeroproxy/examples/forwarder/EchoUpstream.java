package dev.zeroproxy.examples.forwarder;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * An upstream for the real-process tests: echoes each connection accepted on a server socket
 * until it ends, one daemon thread per connection. Resets are an expected end (the tests cause
 * them), not an error. It stops when the server socket closes.
 */
final class EchoUpstream {
    private EchoUpstream() { }

    /** Starts echoing on {@code upstream}; returns the accepting thread. */
    static Thread serve(ServerSocket upstream) {
        Thread echo = new Thread(() -> {
            while (!upstream.isClosed()) {
                Socket peer;
                try {
                    peer = upstream.accept();
                } catch (IOException closed) {
                    return;
                }
                Thread t = new Thread(() -> {
                    try (peer) {
                        peer.getInputStream().transferTo(peer.getOutputStream());
                    } catch (IOException cut) {
                        // A cut connection ends with a reset: that is what these tests cause.
                    }
                });
                t.setDaemon(true);
                t.start();
            }
        }, "echo-upstream");
        echo.setDaemon(true);
        echo.start();
        return echo;
    }
}
