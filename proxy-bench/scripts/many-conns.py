#!/usr/bin/env python3
"""Many concurrent connections through a proxy: open N pairs, keep them idle, echo on all of
them, close them; measure what each idle pair costs the proxy, side by side with HAProxy and nginx.

    proxy-bench/scripts/many-conns.py [--pairs 9000] [--variants zp-epoll-auto,haproxy,...] [--out DIR]

Per variant: an echo upstream (its own process, one selector), the proxy, and this process as the
client (one selector for all N connections), all on 127.0.0.1. After a warm-up of --warmup
connections, it measures the proxy before the pairs open, once they are all open and idle, and
again idle after one 64-byte echo on each (checked byte for byte):
  RSS            the proxy's whole process tree (VmRSS), KiB per pair
  live heap      ZeroProxy only: the live objects' bytes after a full GC (jcmd GC.run, then the
                 total of GC.class_histogram), per pair, and a class histogram diff (top classes
                 by bytes per pair) in the output directory
  descriptors    the proxy's open descriptors per pair
  kernel         TCP socket objects (slab "TCP", from /proc/slabinfo, as root) and socket buffer
                 pages (/proc/net/sockstat); both machine-wide, so per pair they include the
                 client's and the upstream's sockets too (4 sockets a pair; the proxy owns 2)
Then it closes every connection and checks the proxy's descriptors come back.

The descriptor limit here is 20,000 per process: the proxy holds 2 per pair, so 9,000 pairs is
about as far as one machine goes. Every loop is bounded by the pair count and a deadline;
every process started here is stopped by its PID. Standard library only.
"""
import argparse
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEADLINE = 120.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"many-conns: nothing listens on {port} after {seconds} s")


# ------------------------------------------------------------------ the upstream (own process)

def upstream_main(port):
    """Echoes every byte; counts open connections into a file the client polls."""
    sel = selectors.DefaultSelector()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(8192)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, None)
    count_file = f"/tmp/many-conns-upstream-{port}.count"
    open_now, last_written = 0, -1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        for key, _ in sel.select(timeout=0.2):
            if key.data is None:
                for _ in range(512):
                    try:
                        conn, _ = lsock.accept()
                    except BlockingIOError:
                        break
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, conn)
                    open_now += 1
                continue
            conn = key.data
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            if data:
                conn.setblocking(True)
                conn.sendall(data)  # 64 bytes: never waits long
                conn.setblocking(False)
                continue
            sel.unregister(conn)
            conn.close()
            open_now -= 1
        if open_now != last_written:
            with open(count_file + ".tmp", "w") as f:
                f.write(str(open_now))
            os.replace(count_file + ".tmp", count_file)
            last_written = open_now


def upstream_open(port):
    try:
        with open(f"/tmp/many-conns-upstream-{port}.count") as f:
            return int(f.read() or 0)
    except (FileNotFoundError, ValueError):
        return 0


# ------------------------------------------------------------------ proxies

def launcher_jvm_opts():
    """The JVM options ./zeroproxy starts the forwarder with (its default_jvm_opts line), so the
    forwarder measured here is the one users run; --java-opt comes after them and overrides."""
    with open(os.path.join(ROOT, "zeroproxy")) as f:
        m = re.search(r"^default_jvm_opts=\((.*)\)$", f.read(), re.M)
    return m.group(1).split() if m else []


def start_proxy(variant, port, upstream_port, work, args):
    if variant.startswith("zp-"):
        _, transport, mode = variant.split("-", 2)
        launcher = [] if args.bare_jvm else launcher_jvm_opts()
        cmd = [args.java, *launcher, *args.java_opt, "-jar", args.jar, "forward", "--listen", f"127.0.0.1:{port}",
               "--upstream", f"127.0.0.1:{upstream_port}", "--transport", transport, "--mode", mode,
               "--drain-timeout", "1s"]
    elif variant == "haproxy":
        cfg = os.path.join(work, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(f"global\n  maxconn {args.pairs + 200}\n  nbthread 2\n"
                    "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 1h\n  timeout server 1h\n"
                    f"frontend fe\n  bind 127.0.0.1:{port}\n  default_backend be\n"
                    f"backend be\n  server s1 127.0.0.1:{upstream_port}\n")
        cmd = ["haproxy", "-f", cfg, "-db"]
    elif variant == "nginx":
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            f.write("load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n"
                    f"worker_processes 2;\nworker_rlimit_nofile 20000;\npid {work}/nginx.pid;\n"
                    f"error_log {work}/error.log warn;\nevents {{ worker_connections 19000; }}\n"
                    f"stream {{ server {{ listen 127.0.0.1:{port}; proxy_pass 127.0.0.1:{upstream_port}; }} }}\n")
        cmd = ["nginx", "-p", work, "-c", conf, "-g", "daemon off;"]
    else:
        raise SystemExit(f"many-conns: unknown variant {variant}")
    log = open(os.path.join(work, "proxy.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    wait_port(port)
    return proc


def tree_pids(pid):
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids


def rss_kib(pid):
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def fd_count(pid):
    return sum(len(os.listdir(f"/proc/{p}/fd")) for p in tree_pids(pid) if os.path.isdir(f"/proc/{p}/fd"))


def kernel_tcp():
    """(TCP slab bytes, socket buffer bytes): machine-wide."""
    slab = 0
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                fields = line.split()
                if fields and fields[0] in ("TCP", "TCPv6"):
                    slab += int(fields[1]) * int(fields[3])  # active objects x object size
    except OSError:
        slab = -1
    pages = 0
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                pages = int(re.search(r"mem (\d+)", line).group(1))
    return slab, pages * os.sysconf("SC_PAGE_SIZE")


def java_live_heap(pid, work, tag):
    """Live heap in bytes (the class histogram's total, taken right after a full GC, so it works
    with every collector; GC.heap_info's layout differs between them), the histogram saved as TAG.histo."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    histo = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True, timeout=120).stdout
    with open(os.path.join(work, f"{tag}.histo"), "w") as f:
        f.write(histo)
    m = re.search(r"^Total\s+\d+\s+(\d+)", histo, re.M)
    return int(m.group(1)) if m else -1


def parse_histo(path):
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
            if m:
                out[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return out


# ------------------------------------------------------------------ the client

def open_all(port, n):
    socks = []
    end = time.time() + DEADLINE
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setblocking(False)
        socks.append(s)
        if time.time() > end:
            raise SystemExit("many-conns: opening took longer than the deadline")
    return socks


def echo_all(socks, size=64):
    """Each connection sends `size` bytes of its own and must get exactly them back."""
    sel = selectors.DefaultSelector()
    want = {}
    for i, s in enumerate(socks):
        msg = (i.to_bytes(4, "big") * (size // 4))[:size]
        s.send(msg)
        want[s] = [msg, b""]
        sel.register(s, selectors.EVENT_READ)
    left, end = len(socks), time.time() + DEADLINE
    while left and time.time() < end:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            data = s.recv(65536)
            if not data:
                raise SystemExit("many-conns: a connection ended during the echo")
            want[s][1] += data
            if len(want[s][1]) >= size:
                if want[s][1] != want[s][0]:
                    raise SystemExit("many-conns: an echo differs")
                sel.unregister(s)
                left -= 1
    sel.close()
    if left:
        raise SystemExit(f"many-conns: {left} echoes missing after {DEADLINE} s")


def wait_for(cond, what, seconds=DEADLINE):
    end = time.time() + seconds
    while not cond():
        if time.time() > end:
            raise SystemExit(f"many-conns: {what} not reached in {seconds} s")
        time.sleep(0.2)


def measure(proc, variant, work, tag):
    time.sleep(2)  # let counters settle
    heap = java_live_heap(proc.pid, work, tag) if variant.startswith("zp-") else None
    slab, buffers = kernel_tcp()
    return {"rss_kib": rss_kib(proc.pid), "fds": fd_count(proc.pid), "heap": heap, "slab": slab, "buffers": buffers}


def run_variant(variant, args, out_dir):
    work = tempfile.mkdtemp(prefix=f"many-{variant}-", dir=out_dir)
    up_port, px_port = free_port(), free_port()
    upstream = subprocess.Popen([sys.executable, __file__, "--role-upstream", str(up_port)])
    proc = None
    try:
        wait_port(up_port)
        proc = start_proxy(variant, px_port, up_port, work, args)
        for _ in range(args.warmup_rounds):  # JIT, pools, caches: every variant gets the same
            socks = open_all(px_port, args.warmup)
            echo_all(socks)
            for s in socks:
                s.close()
        wait_for(lambda: upstream_open(up_port) == 0, "warm-up connections closed")
        before = measure(proc, variant, work, "before")
        t0 = time.time()
        socks = open_all(px_port, args.pairs)
        try:
            wait_for(lambda: upstream_open(up_port) == args.pairs, f"{args.pairs} pairs at the upstream", 60)
        except SystemExit:
            # Typically the proxy's descriptor limit: SPLICE holds a pipe (2 descriptors) per spliced
            # direction for a connection's life, 6 a pair, so 20,000 descriptors hold about 3,300 pairs.
            raise SystemExit(f"only {upstream_open(up_port)} of {args.pairs} pairs reached the upstream "
                             f"(the proxy holds {fd_count(proc.pid)} descriptors)")
        opened_in = time.time() - t0
        idle = measure(proc, variant, work, "idle")
        echo_all(socks)
        after_echo = measure(proc, variant, work, "echoed")
        for s in socks:
            s.close()
        wait_for(lambda: upstream_open(up_port) == 0, "all pairs closed at the upstream")
        time.sleep(2)
        closed_fds = fd_count(proc.pid)
    finally:
        for p in (proc, upstream):
            if p is not None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
    n = args.pairs
    row = {
        "variant": variant, "pairs": n, "opened_s": round(opened_in, 1),
        "rss_mib_before": round(before["rss_kib"] / 1024, 1),
        "rss_kib_per_pair_idle": round((idle["rss_kib"] - before["rss_kib"]) / n, 2),
        "rss_kib_per_pair_after_echo": round((after_echo["rss_kib"] - before["rss_kib"]) / n, 2),
        "fds_per_pair": round((idle["fds"] - before["fds"]) / n, 2),
        "fds_after_close_vs_before": closed_fds - before["fds"],
        "kernel_tcp_slab_per_pair": round((idle["slab"] - before["slab"]) / n) if before["slab"] >= 0 else None,
        "kernel_socket_buffers_per_pair": round((after_echo["buffers"] - before["buffers"]) / n),
    }
    if before["heap"] is not None:
        row["live_heap_per_pair_idle"] = round((idle["heap"] - before["heap"]) / n)
        row["live_heap_per_pair_after_echo"] = round((after_echo["heap"] - before["heap"]) / n)
        h0 = parse_histo(os.path.join(work, "before.histo"))
        for tag, what in (("idle", "idle pair, before any traffic"), ("echoed", "idle pair after one echo")):
            h1 = parse_histo(os.path.join(work, f"{tag}.histo"))
            deltas = sorted(((h1[c][1] - h0.get(c, (0, 0))[1], h1[c][0] - h0.get(c, (0, 0))[0], c) for c in h1),
                            reverse=True)[:25]
            name = "histogram-per-pair" if tag == "echoed" else "histogram-per-pair-before-traffic"
            with open(os.path.join(out_dir, f"{variant}-{name}.txt"), "w") as f:
                f.write(f"# live heap per {what}, by class ({n} pairs): bytes, instances, class\n")
                for b, inst, c in deltas:
                    f.write(f"{b / n:9.1f} {inst / n:7.2f} {c}\n")
    return row


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--role-upstream":
        upstream_main(int(sys.argv[2]))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", type=int, default=9000)
    p.add_argument("--variants", default="zp-epoll-auto,zp-epoll-copy,zp-epoll-splice,zp-nio-copy,"
                                         "zp-io_uring-copy,haproxy,nginx")
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--warmup-rounds", type=int, default=3)
    p.add_argument("--jar", default=os.path.join(ROOT, "proxy-examples", "target", "zeroproxy.jar"))
    p.add_argument("--java", default="java")
    p.add_argument("--java-opt", action="append", default=[])
    p.add_argument("--bare-jvm", action="store_true",
                   help="leave out the JVM options ./zeroproxy adds (its default_jvm_opts): the JVM's own defaults")
    p.add_argument("--out", default=f"/tmp/zeroproxy-many-conns-{time.strftime('%Y%m%d-%H%M%S')}")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for variant in args.variants.split(","):
        print(f"many-conns: {variant}, {args.pairs} pairs ...", flush=True)
        try:
            row = run_variant(variant, args, args.out)
        except SystemExit as e:
            row = {"variant": variant, "pairs": args.pairs, "error": str(e)}
        print("many-conns: " + json.dumps(row), flush=True)
        rows.append(row)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print("\n| variant | RSS KiB/idle pair | after echo | live heap B/pair | fds/pair | kernel TCP slab B/pair (4 sockets) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['variant']} | {r['error']} | | | | |")
            continue
        print(f"| {r['variant']} | {r['rss_kib_per_pair_idle']} | {r['rss_kib_per_pair_after_echo']} | "
              f"{r.get('live_heap_per_pair_after_echo', '–')} | {r['fds_per_pair']} | {r['kernel_tcp_slab_per_pair']} |")


if __name__ == "__main__":
    main()
