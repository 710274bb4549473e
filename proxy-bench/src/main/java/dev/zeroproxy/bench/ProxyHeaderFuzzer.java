package dev.zeroproxy.bench;

import dev.zeroproxy.edge.ConnectionRefusal;
import dev.zeroproxy.edge.ProxyHeader;
import dev.zeroproxy.edge.ProxyProtocolAccept;
import dev.zeroproxy.edge.ProxyTlv;
import dev.zeroproxy.internal.ProxyHeaderPhases;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * A seeded, structure-aware fuzzer of the accept path's PROXY header phase: valid v1 and v2
 * headers (written here from the spec, independently of Netty's decoder) are mutated by kind
 * (truncated, oversized, wrong length, wrong family, bad signature, TLV overflow, CRC mismatch,
 * random bytes after a signature, havoc) and fed in 1..N chunks, or byte by byte, to the very
 * handlers a listener installs ({@link ProxyHeaderPhases}), on Netty's {@code EmbeddedChannel}:
 * the pipeline runs on the caller's thread and the header timeout on a clock the fuzzer moves.
 *
 * <p>Each case must end in exactly one outcome: accepted (once; the bytes after the header
 * reach the next handler exactly and in order; the phase's handlers are gone; no refusal follows,
 * not even past the timeout), refused (once, the connection closed, nothing passed on), or still
 * waiting once every byte is in, and then refused with {@code PROXY_HEADER_TIMEOUT} as soon as
 * the clock passes the header timeout (else it is a hang). An exception that escapes or reaches
 * the end of the pipeline is a crash; every buffer the case allocated (through the channel's
 * allocator, which counts them, or for its input) must be released when the channel is gone.
 * On acceptance the header is checked against the bytes by a parser of the fuzzer's own, and for
 * unmutated headers against what the generator wrote.
 *
 * <p>Case {@code i} of seed {@code s} depends on {@code (s, i)} only, so any failure replays
 * alone ({@link #runCase(long)}). Not thread-safe: one fuzzer per thread.
 */
public final class ProxyHeaderFuzzer {
    /** What a case does to its header. */
    public enum Kind {
        VALID, BYTE_BY_BYTE, TRUNCATED, CLOSED_EARLY, OVERSIZED, WRONG_LENGTH, WRONG_FAMILY, BAD_SIGNATURE,
        TLV_OVERFLOW, CRC_MISMATCH, RANDOM_AFTER_SIGNATURE, RANDOM, HAVOC
    }

    /** How a case ended. */
    public enum Outcome { ACCEPTED, REFUSED, TIMED_OUT, CLOSED_BY_PEER, HUNG, BROKEN }

    private enum Expect { ACCEPT, REFUSE, TIMEOUT, CLOSED, NOT_ACCEPTED, ANY }

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final InetSocketAddress PEER = new InetSocketAddress(NetUtil.LOCALHOST4, 40000);
    private static final int[] SSL_SUB_TYPES = {0x21, 0x22, 0x23, 0x24, 0x25};
    private static final int[] TLV_TYPES = {0x01, 0x02, 0x04, 0x05, 0x20, 0x30, 0xE0, 0xE7, 0xEE};
    private static final byte[] INTERESTING = {0x00, (byte) 0xFF, 0x7F, (byte) 0x80, 0x01, '\r', '\n', ' ', '0',
        0x20, 0x21, 0x11, 0x12, 0x22, 0x31, 0x03};
    private static final int MAX_FAILURES_KEPT = 20;

    private final long seed;
    private final ProxyProtocolAccept accept;
    private final long timeoutMillis;
    private final Totals totals = new Totals();
    private final TrackingAllocator allocator = new TrackingAllocator();

    /** A fuzzer of {@code seed}, with the default accept settings (3 s header timeout, 4096 TLV bytes). */
    public ProxyHeaderFuzzer(long seed) {
        this.seed = seed;
        this.accept = ProxyProtocolAccept.from("127.0.0.1");
        this.timeoutMillis = accept.headerTimeout().toMillis();
    }

    /** What the cases run so far came to. */
    public Totals totals() {
        return totals;
    }

    /** Runs cases {@code from} to {@code to - 1}. */
    public void run(long from, long to) {
        for (long i = from; i < to; i++) {
            runCase(i);
        }
    }

    /** Runs case {@code index} of this seed, adds it to the totals and returns its outcome. */
    public Outcome runCase(long index) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        Case c = generate(random);
        Outcome outcome = execute(index, c);
        totals.cases++;
        totals.byOutcome.merge(outcome, 1L, Long::sum);
        totals.byKind.merge(c.kind, 1L, Long::sum);
        return outcome;
    }

    // ---------------------------------------------------------------- running one case

    private Outcome execute(long index, Case c) {
        List<ProxyHeader> accepted = new ArrayList<>(1);
        List<ConnectionRefusal> refusals = new ArrayList<>(1);
        ByteArrayOutputStream passedOn = new ByteArrayOutputStream();
        List<String> problems = new ArrayList<>(2);
        allocator.reset();
        EmbeddedChannel channel = null;
        Outcome outcome = Outcome.BROKEN;
        int refusalsBeforeClock = 0;
        boolean openAfterInput = false;
        boolean phaseGone = false;
        try {
            channel = new EmbeddedChannel();
            channel.config().setAllocator(allocator);
            channel.freezeTime();
            EmbeddedChannel ch = channel;
            ChannelInboundHandlerAdapter sink = new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    try {
                        if (msg instanceof ByteBuf buf) {
                            byte[] bytes = new byte[buf.readableBytes()];
                            buf.getBytes(buf.readerIndex(), bytes);
                            passedOn.writeBytes(bytes);
                        } else {
                            problems.add("passed on a " + msg.getClass().getName());
                        }
                    } finally {
                        ReferenceCountUtil.release(msg);
                    }
                }
            };
            ProxyHeaderPhases.install(channel, PEER, accept, header -> {
                accepted.add(header);
                ch.pipeline().addLast("fuzz-sink", sink);
            }, refusals::add);
            int from = 0;
            for (int end : c.chunkEnds) {
                if (!channel.isOpen()) {
                    break;
                }
                ByteBuf chunk = allocator.directBuffer(end - from);
                chunk.writeBytes(c.bytes, from, end - from);
                channel.writeInbound(chunk);
                from = end;
            }
            if (c.closeEarly && channel.isOpen()) {
                channel.close();
            }
            channel.runPendingTasks();
            refusalsBeforeClock = refusals.size();
            openAfterInput = channel.isOpen();
            phaseGone = channel.pipeline().get(HAProxyMessageDecoder.class) == null
                    && channel.pipeline().get("proxy-header") == null
                    && channel.pipeline().get("proxy-header-check") == null
                    && channel.pipeline().get("proxy-header-reset") == null;
            channel.advanceTimeBy(timeoutMillis + 1, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
            channel.checkException();
            if (!channel.inboundMessages().isEmpty()) {
                problems.add(channel.inboundMessages().size() + " message(s) reached the end of the pipeline");
            }
            outcome = classify(c, accepted, refusals, refusalsBeforeClock, openAfterInput, channel.isOpen(),
                    phaseGone, passedOn.toByteArray(), problems);
        } catch (Throwable t) {
            totals.crashes++;
            problems.add("crash: " + t);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                    channel.runPendingTasks();
                    channel.finishAndReleaseAll();
                } catch (Throwable t) {
                    totals.crashes++;
                    problems.add("crash on close: " + t);
                }
            }
        }
        int unreleased = allocator.unreleasedAndRelease();
        if (unreleased > 0) {
            totals.unreleased += unreleased;
            problems.add(unreleased + " buffer(s) not released");
        }
        if (outcome == Outcome.HUNG) {
            totals.hangs++;
        }
        if (!problems.isEmpty()) {
            totals.failedCases++;
            if (totals.failures.size() < MAX_FAILURES_KEPT) {
                totals.failures.add("case " + index + " (seed " + seed + ", " + c.kind + ", " + outcome + "): "
                        + String.join("; ", problems) + "; chunks " + Arrays.toString(c.chunkEnds) + "; bytes "
                        + HexFormat.of().formatHex(c.bytes));
            }
        }
        return outcome;
    }

    private Outcome classify(Case c, List<ProxyHeader> accepted, List<ConnectionRefusal> refusals,
            int refusalsBeforeClock, boolean openAfterInput, boolean openAtEnd, boolean phaseGone, byte[] passedOn,
            List<String> problems) {
        Outcome outcome;
        if (accepted.size() == 1 && refusals.isEmpty()) {
            outcome = Outcome.ACCEPTED;
            if (!openAfterInput || !openAtEnd) {
                problems.add("accepted but closed");
            }
            if (!phaseGone) {
                problems.add("accepted but the phase's handlers are still in the pipeline");
            }
            checkAccepted(c, accepted.get(0), passedOn, problems);
        } else if (accepted.isEmpty() && refusals.size() == 1 && refusalsBeforeClock == 1) {
            outcome = Outcome.REFUSED;
            if (refusals.get(0).reason() != ConnectionRefusal.Reason.PROXY_HEADER_MALFORMED) {
                problems.add("refused early as " + refusals.get(0).reason());
            }
        } else if (accepted.isEmpty() && refusals.size() == 1 && refusalsBeforeClock == 0) {
            outcome = Outcome.TIMED_OUT;
            if (refusals.get(0).reason() != ConnectionRefusal.Reason.PROXY_HEADER_TIMEOUT) {
                problems.add("refused by the clock as " + refusals.get(0).reason());
            }
        } else if (accepted.isEmpty() && refusals.isEmpty()) {
            outcome = c.closeEarly ? Outcome.CLOSED_BY_PEER : Outcome.HUNG;
            if (outcome == Outcome.HUNG) {
                problems.add("no outcome past the header timeout");
            }
        } else {
            problems.add(accepted.size() + " acceptance(s) and " + refusals.size() + " refusal(s)");
            return Outcome.BROKEN;
        }
        if (outcome != Outcome.ACCEPTED) {
            if (openAtEnd) {
                problems.add("not accepted but still open");
            }
            if (passedOn.length > 0) {
                problems.add(passedOn.length + " byte(s) passed on without a header");
            }
        }
        boolean expected = switch (c.expect) {
            case ACCEPT -> outcome == Outcome.ACCEPTED;
            case REFUSE -> outcome == Outcome.REFUSED;
            case TIMEOUT -> outcome == Outcome.TIMED_OUT;
            case CLOSED -> outcome == Outcome.CLOSED_BY_PEER;
            case NOT_ACCEPTED -> outcome != Outcome.ACCEPTED;
            case ANY -> true;
        };
        if (!expected) {
            problems.add("expected " + c.expect + (refusals.isEmpty() ? "" : ", refused: " + refusals.get(0).detail()));
        }
        return outcome;
    }

    /** An accepted header against the bytes (the fuzzer's own reading) and, if unmutated, what was written. */
    private void checkAccepted(Case c, ProxyHeader header, byte[] passedOn, List<String> problems) {
        byte[] in = c.bytes;
        int headerLength;
        ProxyHeader read;
        if (startsWith(in, V2_SIGNATURE)) {
            headerLength = 16 + ((in[14] & 0xFF) << 8 | (in[15] & 0xFF));
            read = readV2(in, headerLength, problems);
        } else if (startsWith(in, "PROXY".getBytes(StandardCharsets.US_ASCII))) {
            int eol = indexOf(in, (byte) '\r', (byte) '\n');
            headerLength = eol < 0 ? -1 : eol + 2;
            read = eol < 0 ? null : readV1(new String(in, 0, eol, StandardCharsets.US_ASCII), problems);
        } else {
            problems.add("accepted bytes with no PROXY signature");
            return;
        }
        if (headerLength < 0 || headerLength > in.length) {
            problems.add("accepted an incomplete header");
            return;
        }
        if (!Arrays.equals(passedOn, Arrays.copyOfRange(in, headerLength, in.length))) {
            totals.payloadMismatches++;
            problems.add("passed on " + passedOn.length + " byte(s), not the " + (in.length - headerLength)
                    + " after the header");
        }
        if (read != null && !read.equals(header)) {
            problems.add("accepted " + header + " where the bytes say " + read);
        }
        if (read == null) {
            totals.lenient++;
            problems.add("accepted " + header + " where the bytes say malformed");
        }
        if (c.expected != null && !c.expected.equals(header)) {
            problems.add("accepted " + header + " where " + c.expected + " was sent");
        }
    }

    /** The fuzzer's own v2 reading: null if the spec would call it malformed. */
    private static ProxyHeader readV2(byte[] in, int headerLength, List<String> problems) {
        int versionCommand = in[12] & 0xFF;
        int familyProtocol = in[13] & 0xFF;
        if (versionCommand >> 4 != 2) {
            problems.add("accepted a v2 header of version " + (versionCommand >> 4));
            return null;
        }
        int command = versionCommand & 0x0F;
        if (command > 1) {
            problems.add("accepted a v2 header with command " + command);
            return null;
        }
        if (command == 0 || familyProtocol == 0x00) {
            // LOCAL, or an unspecified family: the block is discarded, TLVs and all (the spec).
            return new ProxyHeader(2, true, null, null, List.of());
        }
        int addressLength = switch (familyProtocol) {
            case 0x11 -> 12;
            case 0x21 -> 36;
            default -> -1; // UNIX, UDP, unknown: not a TCP connection
        };
        if (addressLength < 0 || 16 + addressLength > headerLength) {
            return null;
        }
        List<ProxyTlv> tlvs = readTlvs(in, 16 + addressLength, headerLength, 0);
        if (tlvs == null) {
            return null;
        }
        int half = (addressLength - 4) / 2;
        try {
            InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(in, 16, 16 + half));
            InetAddress destination = InetAddress.getByAddress(Arrays.copyOfRange(in, 16 + half, 16 + 2 * half));
            int at = 16 + 2 * half;
            return new ProxyHeader(2, false, new InetSocketAddress(source, (in[at] & 0xFF) << 8 | (in[at + 1] & 0xFF)),
                    new InetSocketAddress(destination, (in[at + 2] & 0xFF) << 8 | (in[at + 3] & 0xFF)), tlvs);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** TLVs in {@code [from, to)}, an SSL TLV's sub-TLVs after it (as Netty lists them); null if any overflows. */
    private static List<ProxyTlv> readTlvs(byte[] in, int from, int to, int depth) {
        List<ProxyTlv> tlvs = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (at + 3 > to) {
                return null;
            }
            int type = in[at] & 0xFF;
            int length = (in[at + 1] & 0xFF) << 8 | (in[at + 2] & 0xFF);
            if (at + 3 + length > to) {
                return null;
            }
            if (length > 0 || at + 3 < to) {
                // Netty's decoder reads a TLV only with 4 bytes or more left: an empty TLV that ends
                // its region (the header, or an SSL TLV) is well-formed but not listed.
                tlvs.add(new ProxyTlv(type, Arrays.copyOfRange(in, at + 3, at + 3 + length)));
            }
            if (type == 0x20) {
                if (length < 5 || depth > 0) {
                    return null;
                }
                List<ProxyTlv> inner = readTlvs(in, at + 3 + 5, at + 3 + length, depth + 1);
                if (inner == null) {
                    return null;
                }
                tlvs.addAll(inner);
            }
            at += 3 + length;
        }
        return tlvs;
    }

    /** The fuzzer's own v1 reading of a line (without its CRLF): null if malformed. */
    private static ProxyHeader readV1(String line, List<String> problems) {
        String[] fields = line.split(" ", -1);
        if (fields.length >= 2 && fields[0].equals("PROXY") && fields[1].equals("UNKNOWN")) {
            return new ProxyHeader(1, true, null, null, List.of());
        }
        if (fields.length != 6 || !fields[0].equals("PROXY")
                || !(fields[1].equals("TCP4") || fields[1].equals("TCP6"))) {
            return null;
        }
        boolean v4 = fields[1].equals("TCP4");
        for (int i = 2; i <= 3; i++) {
            if (v4 ? !NetUtil.isValidIpV4Address(fields[i]) : !NetUtil.isValidIpV6Address(fields[i])) {
                return null;
            }
        }
        int sourcePort = port(fields[4]);
        int destinationPort = port(fields[5]);
        if (sourcePort < 0 || destinationPort < 0) {
            return null;
        }
        return new ProxyHeader(1, false,
                new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(fields[2]), sourcePort),
                new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(fields[3]), destinationPort),
                List.of());
    }

    /** A v1 port as Netty's decoder reads it: 1..65535, decimal, a leading '+' tolerated (Integer.parseInt). */
    private static int port(String text) {
        String digits = text.startsWith("+") ? text.substring(1) : text;
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return -1;
        }
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= 65535 ? port : -1;
    }

    // ---------------------------------------------------------------- generating one case

    private static final class Case {
        Kind kind;
        byte[] bytes;
        int[] chunkEnds;
        Expect expect;
        ProxyHeader expected;
        boolean closeEarly;
    }

    /** A valid header, its bytes and where its parts are. */
    private static final class Header {
        byte[] bytes;
        ProxyHeader parsed;
        boolean v2;
        /** v2: where the TLVs start; -1 if none. */
        int tlvsAt = -1;
        /** v2: offsets of each top-level and SSL sub-TLV's type byte. */
        List<Integer> tlvOffsets = new ArrayList<>();
        boolean crc;
    }

    private Case generate(SplittableRandom random) {
        Kind[] kinds = Kind.values();
        Case c = new Case();
        c.kind = kinds[random.nextInt(kinds.length)];
        Header header = switch (c.kind) {
            case TLV_OVERFLOW, CRC_MISMATCH, WRONG_LENGTH, WRONG_FAMILY -> v2Header(random, c.kind != Kind.WRONG_FAMILY
                    && c.kind != Kind.WRONG_LENGTH || random.nextBoolean(), c.kind == Kind.CRC_MISMATCH);
            default -> random.nextInt(3) == 0 ? v1Header(random) : v2Header(random, random.nextBoolean(),
                    random.nextInt(4) == 0);
        };
        byte[] payload = randomBytes(random, random.nextInt(4) == 0 ? 0 : random.nextInt(1, 200));
        byte[] h = header.bytes;
        c.expect = Expect.ANY;
        switch (c.kind) {
            case VALID, BYTE_BY_BYTE -> {
                c.bytes = concat(h, payload);
                c.expect = Expect.ACCEPT;
                c.expected = header.parsed;
            }
            case TRUNCATED, CLOSED_EARLY -> {
                c.bytes = Arrays.copyOf(h, random.nextInt(h.length));
                c.closeEarly = c.kind == Kind.CLOSED_EARLY;
                c.expect = c.closeEarly ? Expect.CLOSED : Expect.TIMEOUT;
            }
            case OVERSIZED -> {
                if (header.v2) {
                    h = h.clone();
                    int length = random.nextInt(216 + accept.maxTlvBytes() + 1, 65536);
                    h[14] = (byte) (length >> 8);
                    h[15] = (byte) length;
                    // The decoder gives up once more than the largest header is buffered; until then it waits.
                    c.bytes = concat(h, random.nextBoolean() ? payload : randomBytes(random, random.nextInt(4500, 9000)));
                    c.expect = c.bytes.length > 16 + 216 + accept.maxTlvBytes() ? Expect.REFUSE : Expect.TIMEOUT;
                } else {
                    // A v1 line past its 107 bytes, with or without its CRLF.
                    String line = new String(h, 0, h.length - 2, StandardCharsets.US_ASCII) + " "
                            + "x".repeat(random.nextInt(108, 400));
                    c.bytes = concat(line.getBytes(StandardCharsets.US_ASCII),
                            random.nextBoolean() ? "\r\n".getBytes(StandardCharsets.US_ASCII) : new byte[0]);
                    c.bytes = concat(c.bytes, payload);
                    c.expect = Expect.REFUSE;
                }
            }
            case WRONG_LENGTH -> {
                h = h.clone();
                int length = (h[14] & 0xFF) << 8 | (h[15] & 0xFF);
                int wrong = Math.max(0, length + (random.nextBoolean() ? 1 : -1) * random.nextInt(1, 40));
                h[14] = (byte) (wrong >> 8);
                h[15] = (byte) wrong;
                c.bytes = concat(h, payload);
            }
            case WRONG_FAMILY -> {
                h = h.clone();
                if (random.nextInt(4) == 0) {
                    h[12] = (byte) random.nextInt(256);
                } else {
                    h[13] = (byte) random.nextInt(256);
                }
                c.bytes = concat(h, payload);
            }
            case BAD_SIGNATURE -> {
                h = h.clone();
                int at = random.nextInt(header.v2 ? V2_SIGNATURE.length : 5);
                h[at] = (byte) (h[at] ^ random.nextInt(1, 256));
                c.bytes = concat(h, payload);
                c.expect = Expect.NOT_ACCEPTED;
            }
            case TLV_OVERFLOW -> {
                h = h.clone();
                if (header.tlvOffsets.isEmpty()) {
                    // No TLV to break: append one that claims more than the header holds.
                    h = withTlvBytes(h, new byte[] {(byte) TLV_TYPES[random.nextInt(TLV_TYPES.length)], 0x7F, 0x7F});
                } else {
                    int at = header.tlvOffsets.get(random.nextInt(header.tlvOffsets.size()));
                    int length = random.nextInt(4) == 0 ? 0xFFFF : ((h[at + 1] & 0xFF) << 8 | (h[at + 2] & 0xFF))
                            + random.nextInt(1, 300);
                    h[at + 1] = (byte) (length >> 8);
                    h[at + 2] = (byte) length;
                }
                c.bytes = concat(h, payload);
                // A LOCAL header's block (TLVs and all) is discarded, as the spec says: any outcome.
                // Any outcome (a longer length may happen to swallow the TLVs behind it exactly); the
                // fuzzer's own reading decides whether an acceptance was right.
                c.expect = Expect.ANY;
            }
            case CRC_MISMATCH -> {
                h = h.clone();
                int at = 16 + random.nextInt(h.length - 16);
                // Any byte but a length or the version/family: the header keeps its shape, so only the checksum can tell.
                while (isStructural(header, at)) {
                    at = 16 + random.nextInt(h.length - 16);
                }
                h[at] = (byte) (h[at] ^ random.nextInt(1, 256));
                c.bytes = concat(h, payload);
                c.expect = Expect.REFUSE;
            }
            case RANDOM_AFTER_SIGNATURE -> {
                byte[] signature = random.nextBoolean() ? V2_SIGNATURE : V1_PREFIX;
                byte[] tail = randomBytes(random, random.nextInt(0, 300));
                if (signature == V1_PREFIX && random.nextBoolean()) {
                    tail = printable(random, random.nextInt(0, 120));
                    if (random.nextBoolean()) {
                        tail = concat(tail, "\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
                c.bytes = concat(signature, tail);
            }
            case RANDOM -> c.bytes = randomBytes(random, random.nextInt(0, 300));
            case HAVOC -> c.bytes = havoc(random, concat(h, payload));
            default -> throw new AssertionError(c.kind);
        }
        c.chunkEnds = chunks(random, c.bytes.length, c.kind == Kind.BYTE_BY_BYTE);
        return c;
    }

    private static boolean isStructural(Header header, int at) {
        if (at == 12 || at == 13 || at == 14 || at == 15) {
            return true;
        }
        for (int tlv : header.tlvOffsets) {
            if (at >= tlv && at <= tlv + 2) {
                return true;
            }
        }
        return false;
    }

    private static Header v1Header(SplittableRandom random) {
        Header header = new Header();
        int family = random.nextInt(5);
        String line;
        if (family == 0) {
            line = "PROXY UNKNOWN" + (random.nextBoolean() ? "" : " ::1 ::2 1 2");
            header.parsed = new ProxyHeader(1, true, null, null, List.of());
        } else {
            boolean v4 = family <= 2;
            // Ports from 1: Netty's v1 decoder refuses port 0 (its v2 decoder takes it).
            InetSocketAddress source = new InetSocketAddress(address(random, v4), random.nextInt(1, 65536));
            InetSocketAddress destination = new InetSocketAddress(address(random, v4), random.nextInt(1, 65536));
            line = "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + text(source.getAddress(), random) + " "
                    + text(destination.getAddress(), random) + " " + source.getPort() + " " + destination.getPort();
            header.parsed = new ProxyHeader(1, false, source, destination, List.of());
        }
        header.bytes = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return header;
    }

    private static String text(InetAddress address, SplittableRandom random) {
        return random.nextBoolean() ? address.getHostAddress() : NetUtil.toAddressString(address);
    }

    private Header v2Header(SplittableRandom random, boolean proxyCommand, boolean crc) {
        Header header = new Header();
        header.v2 = true;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int family = random.nextInt(5);
        int familyProtocol;
        InetSocketAddress source = null;
        InetSocketAddress destination = null;
        if (!proxyCommand || family == 0) {
            familyProtocol = proxyCommand || random.nextBoolean() ? 0x00 : 0x11;
        } else {
            familyProtocol = family <= 2 ? 0x11 : 0x21;
        }
        if (familyProtocol != 0x00) {
            boolean v4 = familyProtocol == 0x11;
            source = new InetSocketAddress(address(random, v4), random.nextInt(65536));
            destination = new InetSocketAddress(address(random, v4), random.nextInt(65536));
            body.writeBytes(source.getAddress().getAddress());
            body.writeBytes(destination.getAddress().getAddress());
            body.write(source.getPort() >> 8);
            body.write(source.getPort());
            body.write(destination.getPort() >> 8);
            body.write(destination.getPort());
        }
        int tlvStart = 16 + body.size();
        List<ProxyTlv> tlvs = new ArrayList<>();
        int budget = accept.maxTlvBytes() - (crc ? 7 : 0);
        int count = random.nextInt(3) == 0 ? 0 : random.nextInt(1, 6);
        for (int i = 0; i < count; i++) {
            int type = TLV_TYPES[random.nextInt(TLV_TYPES.length)];
            byte[] value;
            List<ProxyTlv> inner = new ArrayList<>();
            if (type == 0x20) {
                ByteArrayOutputStream ssl = new ByteArrayOutputStream();
                ssl.write(random.nextInt(8));
                ssl.writeBytes(randomBytes(random, 4));
                int subs = random.nextInt(4);
                for (int s = 0; s < subs; s++) {
                    int subType = SSL_SUB_TYPES[random.nextInt(SSL_SUB_TYPES.length)];
                    byte[] subValue = printable(random, random.nextInt(s == subs - 1 ? 1 : 0, 24));
                    header.tlvOffsets.add(16 + body.size() + 3 + ssl.size());
                    writeTlv(ssl, subType, subValue);
                    inner.add(new ProxyTlv(subType, subValue));
                }
                value = ssl.toByteArray();
            } else {
                // Length 1 up: Netty's decoder lists no empty TLV that ends the header (see readTlvs).
                value = randomBytes(random, random.nextInt(8) == 0 ? random.nextInt(1, 600) : random.nextInt(1, 40));
            }
            if (3 + value.length > budget) {
                // The TLV (and its sub-TLVs) would not fit: dropped, with the offsets noted for them.
                int dropped = 16 + body.size();
                header.tlvOffsets.removeIf(offset -> offset >= dropped);
                break;
            }
            budget -= 3 + value.length;
            header.tlvOffsets.add(16 + body.size());
            writeTlv(body, type, value);
            tlvs.add(new ProxyTlv(type, value));
            tlvs.addAll(inner);
        }
        if (crc) {
            header.tlvOffsets.add(16 + body.size());
            writeTlv(body, 0x03, new byte[4]);
        }
        header.tlvsAt = tlvStart;
        byte[] bytes = new byte[16 + body.size()];
        System.arraycopy(V2_SIGNATURE, 0, bytes, 0, 12);
        bytes[12] = (byte) (proxyCommand ? 0x21 : 0x20);
        bytes[13] = (byte) familyProtocol;
        bytes[14] = (byte) (body.size() >> 8);
        bytes[15] = (byte) body.size();
        System.arraycopy(body.toByteArray(), 0, bytes, 16, body.size());
        if (crc) {
            CRC32C checksum = new CRC32C();
            checksum.update(bytes);
            long value = checksum.getValue();
            int at = bytes.length - 4;
            bytes[at] = (byte) (value >> 24);
            bytes[at + 1] = (byte) (value >> 16);
            bytes[at + 2] = (byte) (value >> 8);
            bytes[at + 3] = (byte) value;
            tlvs.add(new ProxyTlv(0x03, Arrays.copyOfRange(bytes, at, at + 4)));
        }
        header.crc = crc;
        header.bytes = bytes;
        boolean local = !proxyCommand || familyProtocol == 0x00;
        // A LOCAL header's (or an unspecified family's) block is discarded, TLVs and all.
        header.parsed = new ProxyHeader(2, local, local ? null : source, local ? null : destination,
                local ? List.of() : tlvs);
        return header;
    }

    private static void writeTlv(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    /** {@code header} with {@code tlv} appended inside it (its length field grown to match). */
    private static byte[] withTlvBytes(byte[] header, byte[] tlv) {
        byte[] grown = concat(header, tlv);
        int length = grown.length - 16;
        grown[14] = (byte) (length >> 8);
        grown[15] = (byte) length;
        return grown;
    }

    private static InetAddress address(SplittableRandom random, boolean v4) {
        byte[] bytes = randomBytes(random, v4 ? 4 : 16);
        if (!v4 && random.nextInt(4) == 0) {
            Arrays.fill(bytes, 2, 14, (byte) 0); // runs of zeros: the compressed text forms
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** 1..8 generic mutations: flips, interesting bytes, inserted, deleted and repeated runs. */
    private static byte[] havoc(SplittableRandom random, byte[] in) {
        byte[] out = in;
        int rounds = random.nextInt(1, 9);
        for (int r = 0; r < rounds; r++) {
            int op = random.nextInt(6);
            if (out.length == 0) {
                op = 3;
            }
            switch (op) {
                case 0 -> {
                    int at = random.nextInt(out.length);
                    out[at] = (byte) (out[at] ^ (1 << random.nextInt(8)));
                }
                case 1 -> out[random.nextInt(out.length)] = INTERESTING[random.nextInt(INTERESTING.length)];
                case 2 -> out[random.nextInt(out.length)] = (byte) random.nextInt(256);
                case 3 -> {
                    int at = random.nextInt(out.length + 1);
                    byte[] inserted = randomBytes(random, random.nextInt(1, 16));
                    out = concat(concat(Arrays.copyOf(out, at), inserted), Arrays.copyOfRange(out, at, out.length));
                }
                case 4 -> {
                    int at = random.nextInt(out.length);
                    int end = Math.min(out.length, at + random.nextInt(1, 16));
                    out = concat(Arrays.copyOf(out, at), Arrays.copyOfRange(out, end, out.length));
                }
                default -> {
                    int at = random.nextInt(out.length);
                    int end = Math.min(out.length, at + random.nextInt(1, 16));
                    byte[] run = Arrays.copyOfRange(out, at, end);
                    out = concat(concat(Arrays.copyOf(out, end), run), Arrays.copyOfRange(out, end, out.length));
                }
            }
        }
        return out;
    }

    /** Where each chunk ends: one chunk, a few at random split points, or one byte each. */
    private static int[] chunks(SplittableRandom random, int length, boolean byteByByte) {
        if (length == 0) {
            return new int[0];
        }
        int pick = random.nextInt(10);
        if (byteByByte || pick == 0) {
            int[] ends = new int[length];
            for (int i = 0; i < length; i++) {
                ends[i] = i + 1;
            }
            return ends;
        }
        if (pick <= 4 || length == 1) {
            return new int[] {length};
        }
        int splits = Math.min(length - 1, random.nextInt(1, 8));
        int[] ends = new int[splits + 1];
        for (int i = 0; i < splits; i++) {
            ends[i] = random.nextInt(1, length);
        }
        ends[splits] = length;
        Arrays.sort(ends);
        return Arrays.stream(ends).distinct().toArray();
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] printable(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(0x20, 0x7F);
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static boolean startsWith(byte[] in, byte[] prefix) {
        return in.length >= prefix.length && Arrays.equals(in, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] in, byte first, byte second) {
        for (int i = 0; i + 1 < in.length; i++) {
            if (in[i] == first && in[i + 1] == second) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- totals and the allocator

    /** What a run came to. Only read between cases (one thread). */
    public static final class Totals {
        /** No cases yet. */
        public Totals() { }

        long cases;
        long crashes;
        long hangs;
        long unreleased;
        long failedCases;
        long payloadMismatches;
        long lenient;
        final Map<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
        final Map<Kind, Long> byKind = new EnumMap<>(Kind.class);
        final List<String> failures = new ArrayList<>();

        /** Adds {@code other}'s figures to these. */
        public void add(Totals other) {
            cases += other.cases;
            crashes += other.crashes;
            hangs += other.hangs;
            unreleased += other.unreleased;
            failedCases += other.failedCases;
            payloadMismatches += other.payloadMismatches;
            lenient += other.lenient;
            other.byOutcome.forEach((k, v) -> byOutcome.merge(k, v, Long::sum));
            other.byKind.forEach((k, v) -> byKind.merge(k, v, Long::sum));
            other.failures.stream().limit(Math.max(0, MAX_FAILURES_KEPT - failures.size())).forEach(failures::add);
        }

        /** Cases run. */
        public long cases() {
            return cases;
        }

        /** Exceptions that escaped the pipeline (or reached its end). */
        public long crashes() {
            return crashes;
        }

        /** Cases with no outcome past the header timeout. */
        public long hangs() {
            return hangs;
        }

        /** Buffers a case allocated and did not release. */
        public long unreleased() {
            return unreleased;
        }

        /** Cases that broke any rule (crash, hang, leak, wrong outcome, wrong bytes passed on). */
        public long failedCases() {
            return failedCases;
        }

        /** Accepted headers the fuzzer's own reading calls malformed (only for freely mutated input). */
        public long lenient() {
            return lenient;
        }

        /** Cases that ended so. */
        public long outcome(Outcome outcome) {
            return byOutcome.getOrDefault(outcome, 0L);
        }

        /** Cases of each kind. */
        public Map<Kind, Long> byKind() {
            return byKind;
        }

        /** The first few failed cases, each with its index, seed, bytes and chunks. */
        public List<String> failures() {
            return failures;
        }
    }

    /**
     * Pooled direct (and heap) buffers, each one remembered until the case ends, when all must
     * have been released. Under paranoid leak detection the pool's buffers are tracked too.
     */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final ByteBufAllocator pool = PooledByteBufAllocator.DEFAULT;
        private final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(true);
        }

        void reset() {
            allocated.clear();
        }

        /** How many of this case's buffers are still referenced; those are released. */
        int unreleasedAndRelease() {
            int unreleased = 0;
            for (ByteBuf buf : allocated) {
                if (buf.refCnt() != 0) {
                    unreleased++;
                    buf.release(buf.refCnt());
                }
            }
            allocated.clear();
            return unreleased;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = pool.heapBuffer(initialCapacity, maxCapacity);
            allocated.add(buf);
            return buf;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = pool.directBuffer(initialCapacity, maxCapacity);
            allocated.add(buf);
            return buf;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return true;
        }
    }
}
