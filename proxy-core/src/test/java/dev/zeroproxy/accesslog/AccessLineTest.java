package dev.zeroproxy.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeroproxy.ConnectionInfo;
import dev.zeroproxy.ConnectionSummary;
import dev.zeroproxy.Termination;
import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.edge.ProxyHeader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of access-log line, field by field, with a fixed clock and zone. */
class AccessLineTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 51234);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.7", 5432);
    /** 01/Dec/2026:22:40:01.123 UTC, the accept time of the closed connections below (523 ms before closing). */
    private static final long ACCEPT = ZonedDateTime.of(2026, 12, 1, 22, 40, 1, 123_000_000, ZoneId.of("UTC"))
            .toInstant().toEpochMilli();
    private static final AccessLine WEB = new AccessLine("web", new AccessTime(ZoneId.of("UTC")));

    private static ConnectionSummary completed(long fromClient, long fromUpstream, long spliced) {
        return new ConnectionSummary(fromClient, fromUpstream, spliced, Duration.ofMillis(523), null,
                Termination.COMPLETED, Duration.ZERO, Duration.ofMillis(1), 0);
    }

    @Test
    void aCompletedConnectionReadsLikeHaproxysTcplog() {
        ConnectionInfo named = new ConnectionInfo(42, CLIENT, SERVER, null, "app", "s1");
        assertEquals("127.0.0.1:51234 [01/Dec/2026:22:40:01.123] web app/s1 0/1/523 1048576 2048 -- 97% 0 #42",
                WEB.closed(named, completed(2048, 1_048_576, 1_020_000), ACCEPT + 523));
    }

    @Test
    void anUnnamedUpstreamShowsItsAddressAndNoUpstreamShowsDashes() {
        ConnectionSummary summary = completed(5, 6, 0);
        assertEquals("127.0.0.1:51234 [01/Dec/2026:22:40:01.123] web -/10.0.0.7:5432 0/1/523 6 5 -- 0% 0 #3",
                WEB.closed(new ConnectionInfo(3, CLIENT, SERVER), summary, ACCEPT + 523));
        ConnectionSummary failed = new ConnectionSummary(0, 0, 0, Duration.ofMillis(523),
                new dev.zeroproxy.upstream.UpstreamUnavailableException(
                        dev.zeroproxy.upstream.UpstreamUnavailableException.Reason.NO_SERVER, "none up"),
                Termination.CONNECT_FAILED, Duration.ofMillis(523), null, 0);
        assertEquals("127.0.0.1:51234 [01/Dec/2026:22:40:01.123] web -/- 523/-1/523 0 0 SC 0% 0 #4",
                WEB.closed(new ConnectionInfo(4, CLIENT, null), failed, ACCEPT + 523));
    }

    @Test
    void theClientIsTheOneThePROXYHeaderNamed() {
        InetSocketAddress original = new InetSocketAddress("192.0.2.10", 40000);
        ProxyHeader header = new ProxyHeader(2, false, original, new InetSocketAddress("192.0.2.1", 443), List.of());
        ConnectionInfo viaLoadBalancer = new ConnectionInfo(9, CLIENT, SERVER, header, "app", "s2");
        String line = WEB.closed(viaLoadBalancer, completed(1, 1, 0), ACCEPT + 523);
        assertEquals("192.0.2.10:40000 [01/Dec/2026:22:40:01.123] web app/s2 0/1/523 1 1 -- 0% 0 #9", line);
        ProxyHeader local = new ProxyHeader(2, true, null, null, List.of());
        assertEquals("127.0.0.1:51234", WEB.closed(new ConnectionInfo(10, CLIENT, SERVER, local, null, null),
                completed(1, 1, 0), ACCEPT + 523).split(" ")[0], "a LOCAL header names no client: the peer stands");
    }

    @Test
    void anIpv6ClientIsItsAddressThenItsPort() {
        InetSocketAddress v6 = new InetSocketAddress("::1", 40001);
        String line = WEB.closed(new ConnectionInfo(1, v6, SERVER), completed(1, 1, 0), ACCEPT + 523);
        assertEquals("0:0:0:0:0:0:0:1:40001", line.split(" ")[0], "the port after the last colon, as HAProxy");
    }

    @Test
    void anEarlyLineMarksItsTimeAndBytesAsSoFar() {
        ConnectionInfo connected = new ConnectionInfo(7, CLIENT, SERVER, null, "app", "s1");
        assertEquals("127.0.0.1:51234 [01/Dec/2026:22:40:01.123] web app/s1 -/-/+12 +0 +0 -- 0% 1 #7",
                WEB.early(connected, ACCEPT, 12, 1));
    }

    @Test
    void aRefusalNamesItsReasonAndHasNoId() {
        assertEquals("127.0.0.1:51234 [01/Dec/2026:22:40:01.123] web -/- -1/-1/0 0 0 PR 0% 0 #- TOO_MANY_FROM_SOURCE",
                WEB.refused(new ConnectionRefusal(CLIENT, ConnectionRefusal.Reason.TOO_MANY_FROM_SOURCE, "limit 2"),
                        ACCEPT));
        assertEquals("cR", WEB.refused(new ConnectionRefusal(CLIENT, ConnectionRefusal.Reason.PROXY_HEADER_TIMEOUT,
                "3 s"), ACCEPT).split(" ")[7]);
    }

    @Test
    void datesPadTheirFieldsAndMillisInTheGivenZone() {
        AccessTime paris = new AccessTime(ZoneId.of("Europe/Paris"));
        StringBuilder text = new StringBuilder();
        long newYear = ZonedDateTime.of(2027, 1, 1, 0, 0, 0, 7_000_000, ZoneId.of("UTC")).toInstant().toEpochMilli();
        paris.append(text, newYear);
        text.append(' ');
        paris.append(text, newYear + 1000 - 7 + 50); // the next second: the kept one is replaced
        text.append(' ');
        paris.append(text, newYear - 7); // an earlier second again
        assertEquals("01/Jan/2027:01:00:00.007 01/Jan/2027:01:00:01.050 01/Jan/2027:01:00:00.000", text.toString());
    }
}
