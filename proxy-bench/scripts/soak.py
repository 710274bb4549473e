#!/usr/bin/env python3
"""Soak test: a mixed load through the zeroproxy forwarder for a given time, every stream checked
byte for byte, with the forwarder's memory and descriptors sampled over time.

    proxy-bench/scripts/soak.py [--minutes 10] [--transport epoll] [--mode auto] [--out DIR]

The load, spread over --workers client processes, each picking a workload at random per
connection until the time is up:
  bulk       16 MiB each way through an echo upstream
  pingpong   200 round trips of 64 bytes on one connection
  churn      connect, 100 bytes echoed, close
  half-close the client sends, shuts its output, and then reads the upstream's answer
  push       the upstream sends, shuts its output, then the client closes
  client-rst the client sends, then resets: the upstream must read a prefix and then a reset
  upstream-rst the upstream sends, then resets: the client must read a prefix and then a reset
A transfer is broken when a byte differs, a stream ends early with a clean EOF (a cut passed off
as complete), or a step takes longer than 30 s.

Every sample (--interval seconds) records the forwarder's RSS and open descriptors and the
number of Netty leak reports in its log (paranoid leak detection is on). At the end it prints a
summary and one markdown table row, and exits 1 if any transfer broke or any leak was reported.

Everything runs on 127.0.0.1; the forwarder is started here and stopped by its PID; every loop
is bounded by the deadline. Standard library only.
"""
import argparse
import multiprocessing as mp
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
STEP_TIMEOUT = 30.0
# A prime-length random block: stream s is the block rotated by an offset derived from s, so a
# byte lost, duplicated or reordered anywhere shows up (a shift is never a whole block).
BLOCK_LEN = 1_000_003
BLOCK = random.Random(20261201).randbytes(BLOCK_LEN)
HEADER = struct.Struct("!4sQQQ")  # kind, seed, n, m
KINDS = ["bulk", "pingpong", "churn", "half-close", "push", "client-rst", "upstream-rst"]
WEIGHTS = [2, 4, 20, 4, 4, 3, 3]


def stream(seed, start, n):
    """Bytes [start, start + n) of stream `seed`."""
    off = (seed * 7919 + start) % BLOCK_LEN
    parts, left = [], n
    while left:
        take = min(left, BLOCK_LEN - off)
        parts.append(BLOCK[off:off + take])
        left -= take
        off = 0
    return b"".join(parts)


class Broken(Exception):
    """A transfer that did not arrive exactly."""


def recv_exact(sock, n):
    chunks, got = [], 0
    while got < n:
        c = sock.recv(min(n - got, 1 << 20))
        if not c:
            raise Broken(f"clean EOF after {got} of {n} bytes")
        chunks.append(c)
        got += len(c)
    return b"".join(chunks)


def read_to_end(sock):
    """(bytes, 'EOF' | 'RESET')."""
    chunks = []
    try:
        while True:
            c = sock.recv(1 << 20)
            if not c:
                return b"".join(chunks), "EOF"
            chunks.append(c)
    except (ConnectionResetError, BrokenPipeError):
        return b"".join(chunks), "RESET"


def check_equal(got, seed, start, what):
    want = stream(seed, start, len(got))
    if got != want:
        first = next(i for i in range(len(got)) if got[i] != want[i])
        raise Broken(f"{what}: byte {start + first} differs")


def reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# ------------------------------------------------------------------ upstream

def upstream_main(port_out, counters, stop):
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1024)
    lsock.settimeout(1.0)
    port_out.value = lsock.getsockname()[1]
    while not stop.is_set():
        try:
            conn, _ = lsock.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, counters), daemon=True).start()


def serve(conn, counters):
    """counters[0]: checks passed at the upstream, counters[1]: broken there."""
    conn.settimeout(STEP_TIMEOUT)
    try:
        kind, seed, n, m = HEADER.unpack(recv_exact(conn, HEADER.size))
        if kind == b"ECHO":
            while True:
                c = conn.recv(1 << 20)
                if not c:
                    break
                conn.sendall(c)
            conn.shutdown(socket.SHUT_WR)
            read_to_end(conn)
        elif kind == b"HALF":
            got, end = read_to_end(conn)
            if end != "EOF" or len(got) != n:
                raise Broken(f"half-close request: {len(got)} of {n} bytes then {end}")
            check_equal(got, seed, 0, "half-close request")
            conn.sendall(stream(seed + 1, 0, m))
            conn.shutdown(socket.SHUT_WR)
            read_to_end(conn)
        elif kind == b"PUSH":
            conn.sendall(stream(seed, 0, n))
            conn.shutdown(socket.SHUT_WR)
            read_to_end(conn)
        elif kind == b"CRST":
            got, end = read_to_end(conn)
            check_equal(got, seed, 0, "client-rst at upstream")
            if end != "RESET":
                raise Broken(f"client reset reached the upstream as a clean EOF after {len(got)} bytes")
        elif kind == b"URST":
            conn.sendall(stream(seed, 0, n))
            reset(conn)
            conn = None
        with counters.get_lock():
            counters[0] += 1
    except Broken as e:
        with counters.get_lock():
            counters[1] += 1
        print(f"soak: BROKEN at upstream: {e}", file=sys.stderr, flush=True)
    except OSError:
        # A reset the workload itself caused, or a peer gone at the end of the run.
        pass
    finally:
        if conn is not None:
            conn.close()


# ------------------------------------------------------------------ clients

def connect(port, kind, seed, n, m):
    s = socket.create_connection(("127.0.0.1", port), timeout=STEP_TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(HEADER.pack(kind, seed, n, m))
    return s


def run_bulk(port, seed, rnd):
    n = 16 << 20
    s = connect(port, b"ECHO", seed, n, 0)
    data = stream(seed, 0, n)
    got = []

    def reader():
        got.append(read_to_end(s))
    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(STEP_TIMEOUT * 2)
    s.close()
    if not got:
        raise Broken("bulk echo did not finish")
    echoed, end = got[0]
    if end != "EOF" or len(echoed) != n:
        raise Broken(f"bulk echo: {len(echoed)} of {n} bytes then {end}")
    check_equal(echoed, seed, 0, "bulk echo")


def run_pingpong(port, seed, rnd):
    s = connect(port, b"ECHO", seed, 0, 0)
    for i in range(200):
        msg = stream(seed, i * 64, 64)
        s.sendall(msg)
        if recv_exact(s, 64) != msg:
            raise Broken(f"pingpong: round trip {i} differs")
    s.shutdown(socket.SHUT_WR)
    rest, end = read_to_end(s)
    s.close()
    if rest or end != "EOF":
        raise Broken(f"pingpong: {len(rest)} extra bytes then {end}")


def run_churn(port, seed, rnd):
    s = connect(port, b"ECHO", seed, 100, 0)
    msg = stream(seed, 0, 100)
    s.sendall(msg)
    s.shutdown(socket.SHUT_WR)
    got, end = read_to_end(s)
    s.close()
    if got != msg or end != "EOF":
        raise Broken(f"churn: {len(got)} bytes then {end}")


def run_half_close(port, seed, rnd):
    n, m = rnd.randrange(1, 1 << 20), rnd.randrange(1, 4 << 20)
    s = connect(port, b"HALF", seed, n, m)
    s.sendall(stream(seed, 0, n))
    s.shutdown(socket.SHUT_WR)
    got, end = read_to_end(s)
    s.close()
    if end != "EOF" or len(got) != m:
        raise Broken(f"half-close answer: {len(got)} of {m} bytes then {end}")
    check_equal(got, seed + 1, 0, "half-close answer")


def run_push(port, seed, rnd):
    n = rnd.randrange(1, 8 << 20)
    s = connect(port, b"PUSH", seed, n, 0)
    got, end = read_to_end(s)
    s.close()
    if end != "EOF" or len(got) != n:
        raise Broken(f"push: {len(got)} of {n} bytes then {end}")
    check_equal(got, seed, 0, "push")


def run_client_rst(port, seed, rnd):
    n = rnd.randrange(1, 2 << 20)
    s = connect(port, b"CRST", seed, n, 0)
    s.sendall(stream(seed, 0, n))
    reset(s)  # the upstream checks what it saw


def run_upstream_rst(port, seed, rnd):
    n = rnd.randrange(1, 2 << 20)
    s = connect(port, b"URST", seed, n, 0)
    got, end = read_to_end(s)
    s.close()
    check_equal(got, seed, 0, "upstream-rst at client")
    if end != "RESET":
        raise Broken(f"upstream reset reached the client as a clean EOF after {len(got)} of {n} bytes")


RUNNERS = [run_bulk, run_pingpong, run_churn, run_half_close, run_push, run_client_rst, run_upstream_rst]


def worker_main(index, port, deadline, ok, broken):
    rnd = random.Random(1000 + index)
    seed = index << 40
    while time.time() < deadline:
        k = rnd.choices(range(len(KINDS)), WEIGHTS)[0]
        seed += 1
        try:
            RUNNERS[k](port, seed, rnd)
            with ok.get_lock():
                ok[k] += 1
        except (Broken, OSError) as e:
            with broken.get_lock():
                broken[k] += 1
            print(f"soak: BROKEN {KINDS[k]} (seed {seed}): {e}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ the forwarder

def start_forwarder(args, upstream_ports, log_path):
    upstreams = [flag for port in upstream_ports for flag in ("--upstream", f"127.0.0.1:{port}")]
    # No active checks: a check's connection carries no bytes, which this upstream must count as
    # broken (a client's bytes lost with a clean EOF looks the same), so it cannot tell them apart.
    group = ["--balance", args.balance] if len(upstream_ports) > 1 else []
    cmd = [args.java, "-Dio.netty.leakDetection.level=paranoid", *args.java_opt, "-jar", args.jar, "forward",
           "--listen", "127.0.0.1:0", *upstreams, *group,
           "--transport", args.transport, "--mode", args.mode, "--drain-timeout", "5s"]
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        m = re.search(r"forwarding 127\.0\.0\.1:(\d+) ->", open(log_path).read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            raise SystemExit(f"soak: the forwarder exited with {proc.returncode}; see {log_path}")
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"soak: the forwarder printed no ready line in 60 s; see {log_path}")


def sample(pid, log_path):
    rss_kib = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kib = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    leaks = open(log_path, errors="replace").read().count("LEAK:")
    return rss_kib, fds, leaks


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--transport", default="epoll")
    p.add_argument("--mode", default="auto")
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--servers", type=int, default=1,
                   help="upstream servers; more than one makes a group (--balance; no active checks)")
    p.add_argument("--balance", default="leastconn")
    p.add_argument("--interval", type=float, default=30)
    p.add_argument("--jar", default=os.path.join(ROOT, "proxy-examples", "target", "zeroproxy.jar"))
    p.add_argument("--java", default="java")
    p.add_argument("--java-opt", action="append", default=[],
                   help="an extra JVM option for the forwarder (repeatable), e.g. "
                        "-Dorg.slf4j.simpleLogger.log.dev.zeroproxy=debug")
    p.add_argument("--out", default=f"/tmp/zeroproxy-soak-{time.strftime('%Y%m%d-%H%M%S')}")
    args = p.parse_args()
    if not os.path.isfile(args.jar):
        raise SystemExit(f"soak: no forwarder jar at {args.jar} (expected: build it with ./zeroproxy --help)")
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, "forwarder.log")

    stop = mp.Event()
    # Every server counts into the same totals (mp.Array has its own lock).
    up_counts = mp.Array("q", 2)
    up_ports, upstreams = [], []
    for _ in range(args.servers):
        up_port = mp.Value("i", 0)
        upstream = mp.Process(target=upstream_main, args=(up_port, up_counts, stop), daemon=True)
        upstream.start()
        while up_port.value == 0:
            time.sleep(0.05)
        up_ports.append(up_port.value)
        upstreams.append(upstream)
    proc, port = start_forwarder(args, up_ports, log_path)
    print(f"soak: {args.transport}/{args.mode} for {args.minutes} min, forwarder pid {proc.pid} on port {port}, "
          f"log {log_path}", flush=True)

    ok, broken = mp.Array("q", len(KINDS)), mp.Array("q", len(KINDS))
    started = time.time()
    deadline = started + args.minutes * 60
    workers = [mp.Process(target=worker_main, args=(i, port, deadline, ok, broken)) for i in range(args.workers)]
    for w in workers:
        w.start()
    samples = []
    csv = open(os.path.join(args.out, "samples.csv"), "w")
    csv.write("seconds,rss_kib,fds,leaks,transfers,broken\n")
    try:
        while time.time() < deadline + 1:
            time.sleep(min(args.interval, max(0.5, deadline + 1 - time.time())))
            rss, fds, leaks = sample(proc.pid, log_path)
            done = sum(ok[:]) + up_counts[0]
            bad = sum(broken[:]) + up_counts[1]
            t = time.time() - started
            samples.append((t, rss, fds, leaks))
            csv.write(f"{t:.0f},{rss},{fds},{leaks},{done},{bad}\n")
            csv.flush()
            print(f"soak: {t:6.0f} s  rss {rss / 1024:7.1f} MiB  fds {fds:5d}  transfers {done:8d}  "
                  f"broken {bad}  leaks {leaks}", flush=True)
        for w in workers:
            w.join(STEP_TIMEOUT * 3)
            if w.is_alive():
                w.kill()
    finally:
        stop.set()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        for upstream in upstreams:
            upstream.join(5)
            if upstream.is_alive():
                upstream.kill()
    rss, fds, leaks = samples[-1][1], samples[-1][2], open(log_path, errors="replace").read().count("LEAK:")
    warm = next((s for s in samples if s[0] >= (deadline - started) * 0.25), samples[0])
    total_ok = sum(ok[:]) + up_counts[0]
    total_broken = sum(broken[:]) + up_counts[1]
    per_kind = ", ".join(f"{k} {ok[i]}" for i, k in enumerate(KINDS))
    print(f"soak: done. client-side transfers: {per_kind}; upstream-side checks: {up_counts[0]}")
    print(f"soak: broken: {total_broken} (client side {sum(broken[:])}, upstream side {up_counts[1]}); "
          f"leak reports: {leaks}")
    print(f"soak: RSS {warm[1] / 1024:.1f} MiB after warm-up ({warm[0]:.0f} s) -> {rss / 1024:.1f} MiB at the end; "
          f"fds {warm[2]} -> {fds}")
    print(f"| {args.transport}-{args.mode} | {args.minutes:g} min | {total_ok} | {total_broken} | "
          f"{warm[1] / 1024:.0f} → {rss / 1024:.0f} MiB | {warm[2]} → {fds} | {leaks} |")
    sys.exit(1 if total_broken or leaks else 0)


if __name__ == "__main__":
    main()
