#!/usr/bin/env python3
"""Small loopback helpers for compare-peers.sh: echo upstream, 64-byte ping-pong client,
connection-rate client, process-tree CPU reader, and the median summary.

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
]


def summarize(raw_path, variants_csv):
    """raw.tsv (variant, run, metric, value) -> one row per variant, median of the runs."""
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
            vals.setdefault((parts[0], parts[2]), []).append(v)
    print("\t".join(["variant"] + [k for k, _ in METRICS]))
    for var in variants_csv.split(","):
        row = [var]
        for k, _ in METRICS:
            xs = vals.get((var, k))
            row.append(f"{statistics.median(xs):.4g}" if xs else "NA")
        print("\t".join(row))


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
     "tree-cpu": tree_cpu, "summarize": summarize, "iperf-rate": iperf_rate}[cmd](*args)
