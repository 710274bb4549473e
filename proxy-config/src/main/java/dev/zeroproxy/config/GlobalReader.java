package dev.zeroproxy.config;

import java.time.Duration;
import java.util.List;

/**
 * Reads the {@code global} section: {@code maxconn}, {@code nbthread}, {@code hard-stop-after} and
 * ZeroProxy's {@code transport}. One reader serves every {@code global} section of a file, as
 * HAProxy allows several; the last value of a keyword wins.
 */
final class GlobalReader implements SectionReader {
    private static final List<String> TRANSPORTS = List.of("nio", "epoll", "io_uring");
    private static final String TRANSPORT = "nio, epoll or io_uring";

    private Located<Integer> maxConn;
    private Located<Integer> nbThread;
    private Located<String> transport;
    private Located<Duration> hardStopAfter;

    @Override
    public void read(Statement line) {
        switch (line.keyword()) {
            case "maxconn" -> maxConn = LastWins.apply(line.onlyValue("connection count", Values.COUNT,
                    Values::count), maxConn);
            case "nbthread" -> nbThread = LastWins.apply(line.onlyValue("thread count", "a whole number, at least 1",
                    text -> Values.count(text, 1, Integer.MAX_VALUE)), nbThread);
            case "hard-stop-after" -> hardStopAfter = LastWins.apply(line.onlyValue("time", Values.TIME,
                    Values::time), hardStopAfter);
            case "transport" -> transport = LastWins.apply(line.onlyValue("transport", TRANSPORT,
                    GlobalReader::transport), transport);
            default -> throw new IllegalStateException(line.keyword() + ": a supported keyword no reader reads");
        }
    }

    GlobalSection section() {
        return new GlobalSection(maxConn, nbThread, transport, hardStopAfter);
    }

    private static Parsed<String> transport(String text) {
        return TRANSPORTS.contains(text) ? Parsed.of(text)
                : Parsed.near("'" + text + "' is not a transport", TRANSPORT, text, TRANSPORTS);
    }
}
