#!/usr/bin/env python3
"""Small loopback helpers for compare-peers.sh: echo upstream, 64-byte ping-pong client,
connection-rate client, pipelined request/response client, process-tree CPU reader, and the
median summary and ratios.

Plain standard library so that it runs wherever python3 does. Every loop is bounded by a
count and a deadline, so a stuck peer ends a measurement instead of hanging the run.
"""
import json
import os
import selectors
import socket
import statistics
import sys
import time


def echo_server(host, port):
    """Single-threaded non-blocking echo server: one process, no fork per connection, so the
    upstream costs the same for every proxy under test. Runs until SIGTERM."""
    sel = selectors.DefaultSelector()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, int(port)))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, None)
    while True:
        for key, _ in sel.select(timeout=1.0):
            if key.data is None:
                for _ in range(64):  # bounded accept burst
                    try:
                        conn, _ = lsock.accept()
                    except BlockingIOError:
                        break
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, conn)
                continue
            conn = key.data
            try:
                data = conn.recv(65536)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if data:
                try:
                    conn.setblocking(True)  # replies are tiny: a blocking send never waits long
                    conn.sendall(data)
                    conn.setblocking(False)
                    continue
                except OSError:
                    pass
            sel.unregister(conn)
            conn.close()


def _recv_exact(sock, n):
    got = 0
    while got < n:
        chunk = sock.recv(n - got)
        if not chunk:
            raise ConnectionError("peer closed mid-message")
        got += len(chunk)


def pingpong(host, port, count, size, deadline_s):
    """count round trips of size bytes over ONE connection; prints p50/p99 in microseconds."""
    count, size, deadline = int(count), int(size), time.monotonic() + float(deadline_s)
    payload = b"x" * size
    s = socket.create_connection((host, int(port)), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    samples = []
    pc = time.perf_counter_ns
    for _ in range(count):
        t0 = pc()
        s.sendall(payload)
        _recv_exact(s, size)
        samples.append(pc() - t0)
        if time.monotonic() > deadline:
            break
    s.close()
    samples.sort()
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] / 1000.0
    print(json.dumps({"n": len(samples), "p50_us": p(0.50), "p99_us": p(0.99)}))


def connrate(host, port, count, deadline_s):
    """count times: connect, 1 byte each way, close. Prints connections per second."""
    count, deadline = int(count), time.monotonic() + float(deadline_s)
    addr = (host, int(port))
    done = 0
    t0 = time.perf_counter()
    for _ in range(count):
        s = socket.create_connection(addr, timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(b"x")
        _recv_exact(s, 1)
        s.close()
        done += 1
        if time.monotonic() > deadline:
            break
    el = time.perf_counter() - t0
    print(json.dumps({"n": done, "seconds": el, "per_s": done / el}))


def pipelined(host, port, conns, depth, size, count, deadline_s):
    """conns connections to an echo upstream, each keeping depth requests of size bytes in
    flight, until count replies in all or the deadline. Prints requests per second.

    Every reply is checked byte for byte. Each connection sends consecutive slices of its own
    random byte stream, so the replies it is owed are the same stream: one bytes comparison per
    recv checks any number of replies at once (and would catch a byte lost, repeated, reordered
    or crossed over from another connection). That keeps this client's CPU per request low;
    it is never counted as the proxy's anyway (the proxy's CPU is read from its own /proc).
    New requests go out together, one send per recv, as soon as replies free their slots.
    """
    conns, depth, size = int(conns), int(depth), int(size)
    count, deadline = int(count), time.monotonic() + float(deadline_s)
    cycle = size * 4096  # stream period, a whole number of requests
    window = depth * size  # at most this many bytes are owed to a connection at any time
    sel = selectors.DefaultSelector()
    state = {}  # socket -> [stream, bytes sent, bytes received]
    for _ in range(conns):
        s = socket.create_connection((host, int(port)), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(None)  # blocking: recv only runs when readable, sends are < window bytes
        pattern = os.urandom(cycle)
        # The stream plus its first window again, so any slice up to window bytes that starts
        # inside one period is contiguous.
        state[s] = [pattern + pattern[:window], 0, 0]
        sel.register(s, selectors.EVENT_READ)
    sent_total = 0  # requests, all connections
    done = 0  # replies verified, all connections
    t0 = time.perf_counter()
    for s, st in state.items():  # fill every window at once, like the benchmark clients do
        n = min(depth, count - sent_total)
        if n > 0:
            s.sendall(st[0][:n * size])
            st[1] = n * size
            sent_total += n
    open_conns = sum(1 for st in state.values() if st[1] > 0)
    while done < count and open_conns and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            st = state[s]
            data = s.recv(window)
            if not data:
                raise SystemExit(json.dumps({"error": "proxy closed a connection", "n": done}))
            r = st[2] % cycle
            if data != st[0][r:r + len(data)]:
                raise SystemExit(json.dumps({"error": "reply bytes differ from the request's", "n": done}))
            before = st[2] // size
            st[2] += len(data)
            replies = st[2] // size - before
            done += replies
            # Refill the freed slots (bounded by the global count), in one send.
            n = min(replies, count - sent_total)
            if n > 0:
                o = st[1] % cycle
                s.sendall(st[0][o:o + n * size])
                st[1] += n * size
                sent_total += n
            if st[2] == st[1]:  # nothing owed and nothing more to send: this one is finished
                sel.unregister(s)
                open_conns -= 1
    el = time.perf_counter() - t0
    for s in state:
        s.close()
    print(json.dumps({"n": done, "seconds": el, "per_s": done / el, "conns": conns, "depth": depth,
                      "size": size}))


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        raw = f.read()
    # comm (field 2) may hold spaces: split after its closing parenthesis.
    rest = raw[raw.rindex(")") + 2:].split()
    return rest  # rest[0] is field 3 (state); field k is rest[k - 3]


def tree_cpu(root_pid):
    """CPU seconds of root_pid and every live descendant: utime+stime (fields 14, 15) cover
    all threads of a process; cutime+cstime (16, 17) add children already reaped (socat's
    per-connection forks)."""
    tck = os.sysconf("SC_CLK_TCK")
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                parent[int(d)] = int(_stat_fields(d)[1])
            except (OSError, ValueError, IndexError):
                pass
    tree, frontier = {int(root_pid)}, [int(root_pid)]
    while frontier:
        p = frontier.pop()
        for c, pp in parent.items():
            if pp == p and c not in tree:
                tree.add(c)
                frontier.append(c)
    ticks = 0
    for p in tree:
        try:
            f = _stat_fields(p)
            ticks += sum(int(f[k - 3]) for k in (14, 15, 16, 17))
        except (OSError, ValueError, IndexError):
            pass
    print(f"{ticks / tck:.3f}")


METRICS = [  # (key, column header)
    ("tp1_up", "tput 1s c->s Gbit/s"), ("tp1_down", "tput 1s s->c Gbit/s"),
    ("tp4_up", "tput 4s c->s Gbit/s"), ("tp4_down", "tput 4s s->c Gbit/s"),
    ("bulk_gbps", "bulk 1s Gbit/s"), ("cpu_s_per_gb", "CPU s/GB"), ("machine_cpu_s_per_gb", "machine CPU s/GB"),
    ("lat_p50_us", "p50 us"), ("lat_p99_us", "p99 us"), ("cpu_us_per_rtt", "CPU us/RTT"),
    ("conn_per_s", "conn/s"), ("cpu_us_per_conn", "CPU us/conn"),
    ("pipe_req_per_s", "pipelined req/s"), ("cpu_us_per_pipe_req", "CPU us/req pipelined"),
    ("pipe1_req_per_s", "1-in-flight req/s"), ("cpu_us_per_pipe1_req", "CPU us/req 1 in flight"),
]

# Figures that ratios() compares between a ZeroProxy variant and each reference peer.
RATIO_METRICS = ["cpu_us_per_conn", "cpu_us_per_rtt", "cpu_us_per_pipe_req", "cpu_us_per_pipe1_req",
                 "conn_per_s", "pipe_req_per_s", "pipe1_req_per_s", "cpu_s_per_gb"]


def _read_raw(raw_path):
    """raw.tsv -> {(variant, metric): {run: value}}, warm-ups and NA left out."""
    vals = {}
    with open(raw_path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or parts[0] == "variant" or parts[1] == "warmup":
                continue
            try:
                v = float(parts[3])
            except ValueError:
                continue
            vals.setdefault((parts[0], parts[2]), {})[parts[1]] = v
    return vals


def summarize(raw_path, variants_csv):
    """raw.tsv (variant, run, metric, value) -> one row per variant, median of the runs."""
    vals = {k: list(v.values()) for k, v in _read_raw(raw_path).items()}
    print("\t".join(["variant"] + [k for k, _ in METRICS]))
    for var in variants_csv.split(","):
        row = [var]
        for k, _ in METRICS:
            xs = vals.get((var, k))
            row.append(f"{statistics.median(xs):.4g}" if xs else "NA")
        print("\t".join(row))


def ratios(raw_path, variants_csv, refs="nginx,haproxy"):
    """Each zp-* variant against each reference peer present: the ratio of the medians, and
    the median of the per-round ratios. The small-message runs are interleaved, so round k of
    two variants ran within a minute of each other; the per-round ratio cancels the drift of a
    shared machine that the medians alone would not."""
    vals = _read_raw(raw_path)
    variants = variants_csv.split(",")
    print("variant\treference\tmetric\tratio_of_medians\tmedian_round_ratio\tround_ratios")
    for var in (v for v in variants if v.startswith("zp-")):
        for ref in (r for r in refs.split(",") if r in variants):
            for m in RATIO_METRICS:
                a, b = vals.get((var, m)), vals.get((ref, m))
                if not a or not b or statistics.median(b.values()) == 0:
                    continue
                rom = statistics.median(a.values()) / statistics.median(b.values())
                per = [a[r] / b[r] for r in sorted(a, key=int) if r in b and b[r]]
                print(f"{var}\t{ref}\t{m}\t{rom:.3f}\t{statistics.median(per):.3f}\t"
                      + " ".join(f"{x:.2f}" for x in per))


def iperf_rate(json_path):
    """Gbit/s the receiver saw, and bytes moved, from an iperf3 -J report."""
    with open(json_path) as f:
        j = json.load(f)
    if "error" in j:
        raise SystemExit(j["error"])
    end = j["end"]
    print(f'{end["sum_received"]["bits_per_second"] / 1e9:.4f} {end["sum_received"]["bytes"]}')


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"echo-server": echo_server, "pingpong": pingpong, "connrate": connrate,
     "pipelined": pipelined, "tree-cpu": tree_cpu, "summarize": summarize, "ratios": ratios, "iperf-rate": iperf_rate}[cmd](*args)
