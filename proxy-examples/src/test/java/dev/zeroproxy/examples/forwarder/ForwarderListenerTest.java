package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The failure lines keep the operating system's reason and drop Netty's call and address decorations. */
class ForwarderListenerTest {

    @Test
    void nativeErrorsAreCutToTheirReason() {
        assertEquals("Connection refused", ForwarderListener.describe(new ConnectException(
                "finishConnect(..) failed with error(-111): Connection refused: 127.0.0.1/127.0.0.1:9")));
        assertEquals("Connection reset by peer", ForwarderListener.describe(new IOException(
                "recvAddress(..) failed with error(-104): Connection reset by peer")));
    }

    @Test
    void aWrappedNativeErrorIsFoundThroughItsCause() {
        // What a socket that cannot be made at the upstream connect reaches the listener as (EMFILE).
        IOException emfile = new IOException("newSocketStream(..) failed with error(-24): Too many open files");
        assertEquals("Too many open files", ForwarderListener.describe(new io.netty.channel.ChannelException(emfile)));
    }

    @Test
    void aCycleOfCausesEndsTheSearch() {
        IOException a = new IOException("x");
        RuntimeException b = new RuntimeException("y", a);
        a.initCause(b); // legal: initCause refuses only the exception itself
        assertEquals("x", assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ForwarderListener.describe(a)));
    }

    @Test
    void otherMessagesStayAndAMissingOneGivesTheType() {
        assertEquals("connection timed out after 5000 ms: 10.0.0.1:5432",
                ForwarderListener.describe(new IOException("connection timed out after 5000 ms: 10.0.0.1:5432")));
        assertEquals("IOException", ForwarderListener.describe(new IOException()));
    }
}
