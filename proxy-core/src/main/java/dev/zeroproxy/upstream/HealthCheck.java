package dev.zeroproxy.upstream;

import dev.zeroproxy.InvalidSettingException;
import dev.zeroproxy.internal.DurationText;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The settings of active health checks: how often each server of a group is probed, how long a
 * probe may take, how many results in a row change its state, and what a probe sends and
 * expects. Defaults are HAProxy's where HAProxy has one:
 *
 * <table>
 * <caption>Settings beside HAProxy's</caption>
 * <tr><th>setting</th><th>default</th><th>HAProxy</th></tr>
 * <tr><td>{@link Builder#interval interval}</td><td>2 s</td><td>{@code inter 2s}</td></tr>
 * <tr><td>{@link Builder#timeout timeout}</td><td>1 s, at most the interval</td>
 *     <td>{@code timeout check}; the check's connect is bounded by {@code min(timeout connect, inter)}</td></tr>
 * <tr><td>{@link Builder#rise rise}</td><td>2</td><td>{@code rise 2}</td></tr>
 * <tr><td>{@link Builder#fall fall}</td><td>3</td><td>{@code fall 3}</td></tr>
 * <tr><td>{@link Builder#jitter jitter}</td><td>0.1</td><td>{@code spread-checks} (global, percent)</td></tr>
 * <tr><td>{@link Builder#send send} / {@link Builder#expect expect}</td><td>none: a TCP connect</td>
 *     <td>{@code tcp-check send-binary} / {@code tcp-check expect binary}</td></tr>
 * </table>
 *
 * <p>A check connects to the server; without {@link #expect()} a completed connect is a success
 * and the connection is closed at once. With {@link #send()} the bytes are written after the
 * connect; with {@link #expect()} the check reads until as many bytes as the prefix has arrived
 * and compares them: a mismatch, an end of stream before that, or the {@link #timeout()} is a
 * failure. The timeout bounds the whole check, connect included.
 *
 * <pre>{@code
 * HealthCheck redis = HealthCheck.builder()
 *         .interval(Duration.ofSeconds(5))
 *         .send("PING\r\n".getBytes(StandardCharsets.US_ASCII))
 *         .expect("+PONG".getBytes(StandardCharsets.US_ASCII))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #send()} and {@link #expect()} return copies.
 */
public final class HealthCheck {
    /** Default {@link Builder#interval}: HAProxy's {@code inter}. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** Default {@link Builder#timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** Default {@link Builder#rise}: HAProxy's. */
    public static final int DEFAULT_RISE = 2;
    /** Default {@link Builder#fall}: HAProxy's. */
    public static final int DEFAULT_FALL = 3;
    /** Default {@link Builder#jitter}. */
    public static final double DEFAULT_JITTER = 0.1;
    /** Shortest {@link Builder#interval}: below it checks would be a load of their own. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    /** Longest {@link Builder#interval}. */
    public static final Duration MAX_INTERVAL = Duration.ofDays(1);
    /** Largest {@link Builder#rise} and {@link Builder#fall}. */
    public static final int MAX_COUNT = 100;
    /** Largest {@link Builder#jitter}: beyond it two waits could differ threefold. */
    public static final double MAX_JITTER = 0.5;
    /** Most bytes {@link Builder#send} and {@link Builder#expect} take: a probe, not a transfer. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final HealthCheck TCP = builder().build();

    private final Duration interval;
    private final Duration timeout;
    private final int rise;
    private final int fall;
    private final double jitter;
    private final byte[] send;
    private final byte[] expect;

    private HealthCheck(Builder b, Duration timeout) {
        this.interval = b.interval;
        this.timeout = timeout;
        this.rise = b.rise;
        this.fall = b.fall;
        this.jitter = b.jitter;
        this.send = b.send;
        this.expect = b.expect;
    }

    /** The defaults: a TCP connect every 2 s ± 10%, 1 s timeout, rise 2, fall 3. */
    public static HealthCheck tcp() {
        return TCP;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to derive others. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.interval = interval;
        b.timeout = timeout;
        b.rise = rise;
        b.fall = fall;
        b.jitter = jitter;
        b.send = send;
        b.expect = expect;
        return b;
    }

    /** The mean wait between the end of one check and the start of the next. */
    public Duration interval() {
        return interval;
    }

    /** How long one check may take, connect included; never longer than {@link #interval()}. */
    public Duration timeout() {
        return timeout;
    }

    /** Successful checks in a row that bring a down server up. */
    public int rise() {
        return rise;
    }

    /** Failed checks in a row that take an up server down. */
    public int fall() {
        return fall;
    }

    /** Each wait is {@code interval × (1 ± jitter × random)}. */
    public double jitter() {
        return jitter;
    }

    /** The bytes written after connecting; empty for none. A copy. */
    public byte[] send() {
        return send.clone();
    }

    /** The prefix the reply must start with; empty when a connect is enough. A copy. */
    public byte[] expect() {
        return expect.clone();
    }

    /** Whether a check reads a reply ({@link #expect()} is set). */
    public boolean expectsReply() {
        return expect.length > 0;
    }

    // For the checker, which must not copy them on every check.
    byte[] sendBytes() {
        return send;
    }

    byte[] expectBytes() {
        return expect;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthCheck other && interval.equals(other.interval) && timeout.equals(other.timeout)
                && rise == other.rise && fall == other.fall && Double.compare(jitter, other.jitter) == 0
                && Arrays.equals(send, other.send) && Arrays.equals(expect, other.expect);
    }

    @Override
    public int hashCode() {
        return Objects.hash(interval, timeout, rise, fall, jitter, Arrays.hashCode(send), Arrays.hashCode(expect));
    }

    /** For example {@code HealthCheck{interval=2s, timeout=1s, rise=2, fall=3, jitter=0.1, send='PING\r\n', expect='+PONG'}}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("HealthCheck{interval=").append(DurationText.format(interval))
                .append(", timeout=").append(DurationText.format(timeout))
                .append(", rise=").append(rise).append(", fall=").append(fall)
                .append(", jitter=").append(jitter);
        if (send.length > 0) {
            s.append(", send=").append(PrintableBytes.quoted(send));
        }
        if (expect.length > 0) {
            s.append(", expect=").append(PrintableBytes.quoted(expect));
        }
        return s.append('}').toString();
    }

    /**
     * Collects the settings of a {@link HealthCheck}; {@link #build()} validates them and reports
     * the first bad one as an {@link InvalidSettingException} naming it
     * ({@code "healthCheck.interval: PT0.005S (expected: 10 ms..1 day)"}). Not thread-safe.
     */
    public static final class Builder {
        private Duration interval = DEFAULT_INTERVAL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int rise = DEFAULT_RISE;
        private int fall = DEFAULT_FALL;
        private double jitter = DEFAULT_JITTER;
        private byte[] send = new byte[0];
        private byte[] expect = new byte[0];

        private Builder() { }

        /**
         * The mean wait between the end of one check of a server and the start of the next;
         * default 2 s (HAProxy's {@code inter}); 10 ms to 1 day.
         */
        public Builder interval(Duration interval) {
            this.interval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * How long one check may take, from the start of the connect to the last expected byte;
         * default 1 s (HAProxy's {@code timeout check}); at least 1 ms. A timeout longer than
         * the interval is <em>capped</em> to the interval rather than refused, so that shortening
         * the interval alone never makes a valid configuration invalid (HAProxy likewise bounds a
         * check's connect by {@code inter}); {@link HealthCheck#timeout()} returns the capped value.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Successful checks in a row that bring a down server up; default 2 (HAProxy's {@code rise}); 1 to 100. */
        public Builder rise(int rise) {
            this.rise = rise;
            return this;
        }

        /** Failed checks in a row that take an up server down; default 3 (HAProxy's {@code fall}); 1 to 100. */
        public Builder fall(int fall) {
            this.fall = fall;
            return this;
        }

        /**
         * The spread of the waits, as a fraction of the interval: each wait is
         * {@code interval × (1 ± jitter × random)}, so that the checks of many servers (and of
         * many proxies checking the same server) do not fall in step; default 0.1; 0 to 0.5.
         * Like HAProxy's {@code spread-checks}, which is a percentage.
         */
        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        /** Bytes to write once connected; default none; at most 64 KiB. The array is copied. */
        public Builder send(byte[] bytes) {
            this.send = Objects.requireNonNull(bytes, "send").clone();
            return this;
        }

        /**
         * The prefix the server's reply must start with; default none (a connect is enough);
         * at most 64 KiB; an empty array means none. The check reads until that many bytes have
         * arrived. The array is copied.
         */
        public Builder expect(byte[] prefix) {
            this.expect = Objects.requireNonNull(prefix, "expect").clone();
            return this;
        }

        /**
         * Validates the settings.
         *
         * @throws InvalidSettingException naming the first invalid setting and its value
         */
        public HealthCheck build() {
            if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
                throw InvalidSettingException.outOfRange("healthCheck.interval", interval, MIN_INTERVAL, MAX_INTERVAL, "");
            }
            // Timers run in milliseconds: less than one would fire at once.
            if (timeout.toMillis() < 1) {
                throw new InvalidSettingException("healthCheck.timeout", timeout, ">= 1 ms");
            }
            inRange("healthCheck.rise", rise, 1, MAX_COUNT);
            inRange("healthCheck.fall", fall, 1, MAX_COUNT);
            // The negated form also refuses NaN.
            if (!(jitter >= 0 && jitter <= MAX_JITTER)) {
                throw InvalidSettingException.outOfRange("healthCheck.jitter", jitter, 0.0, MAX_JITTER, "");
            }
            if (send.length > MAX_BYTES) {
                throw InvalidSettingException.outOfRange("healthCheck.send", send.length, 0, MAX_BYTES, "bytes");
            }
            if (expect.length > MAX_BYTES) {
                throw InvalidSettingException.outOfRange("healthCheck.expect", expect.length, 0, MAX_BYTES, "bytes");
            }
            Duration capped = timeout.compareTo(interval) > 0 ? interval : timeout;
            return new HealthCheck(this, capped);
        }

        private static void inRange(String setting, int value, int min, int max) {
            if (value < min || value > max) {
                throw InvalidSettingException.outOfRange(setting, value, min, max, "");
            }
        }
    }
}
