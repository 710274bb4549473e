#!/usr/bin/env python3
"""Per-connection CPU of two forwarder builds under connection churn, side by side.

    proxy-bench/scripts/ab-conn-churn.py A.jar B.jar [--rounds 16] [--batch 5000] [--warmup 4]

Starts netbench.py's echo server and both forwarders (epoll, auto, the launcher's JVM options)
on 127.0.0.1, warms each with --warmup batches, then runs --rounds rounds of one batch through
each (connect, 1 byte each way, close; the order alternates each round). Per batch it reads the
forwarder's utime+stime from /proc/PID/stat; it prints each build's CPU per connection per
round, the per-round B/A ratios and their median. Every batch is bounded by its count and a
timeout; every process started here is stopped by its PID.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NETBENCH = os.path.join(HERE, "netbench.py")
TICK_US = 1_000_000 // os.sysconf("SC_CLK_TCK")


def cpu_us(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_US


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--rounds", type=int, default=16)
    p.add_argument("--batch", type=int, default=5000)
    p.add_argument("--warmup", type=int, default=4, help="unmeasured batches through each build first")
    p.add_argument("--base-port", type=int, default=23800, help="below the ephemeral range")
    args = p.parse_args()
    procs = []
    try:
        upstream = args.base_port + 1
        procs.append(subprocess.Popen(["python3", NETBENCH, "echo-server", "127.0.0.1", str(upstream)]))
        ports = {"A": args.base_port + 10, "B": args.base_port + 20}
        pids = {}
        for name, jar in (("A", args.a), ("B", args.b)):
            proc = subprocess.Popen(["java", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
                                     "-XX:G1PeriodicGCInterval=60000", "-jar", jar, "forward",
                                     "--listen", f"127.0.0.1:{ports[name]}", "--upstream", f"127.0.0.1:{upstream}",
                                     "--transport", "epoll", "--mode", "auto"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(proc)
            pids[name] = proc.pid
        time.sleep(2.5)

        def batch(name):
            subprocess.run(["timeout", "120", "python3", NETBENCH, "connrate", "127.0.0.1", str(ports[name]),
                            str(args.batch), "60"], check=True, stdout=subprocess.DEVNULL)

        for _ in range(args.warmup):
            batch("A")
            batch("B")
        per_conn = {"A": [], "B": []}
        for r in range(args.rounds):
            for name in (("A", "B") if r % 2 == 0 else ("B", "A")):
                before = cpu_us(pids[name])
                batch(name)
                per_conn[name].append((cpu_us(pids[name]) - before) / args.batch)
        ratios = [b / a for a, b in zip(per_conn["A"], per_conn["B"])]
        print(json.dumps({"a_us_per_conn": per_conn["A"], "b_us_per_conn": per_conn["B"],
                          "b_over_a_per_round": [round(x, 3) for x in ratios],
                          "median_a": statistics.median(per_conn["A"]), "median_b": statistics.median(per_conn["B"]),
                          "median_round_ratio": round(statistics.median(ratios), 3)}))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
