#!/usr/bin/env python3
"""One aggregator process against two, on the same data, broker and Redis (issue: scale out on Kafka).

Starts a Kafka broker (its own JVM, from the jar) and a redis-server (the binary the jar ships), then for each
configuration (1 and 2 aggregator processes, source topics with 4 partitions) runs a producer process and the
aggregators, triggers --runs runs one after the other, and records per run: wall time from the trigger to the
swap, and per aggregator the peak of coupon_table_bytes (sampled every 0.2 s) and the peak RSS (VmHWM).
Usage, from the repository root:

  python3 bench/scaleout.py --scale 0.5 --runs 3
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ROOT, JAR, ensure_jar, ensure_data  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(port, path, method="GET"):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.read().decode()


def start_run(port):
    """POST /runs until the REST routes are up (they start after the metrics endpoint)."""
    t0 = time.monotonic()
    while True:
        try:
            return http(port, "/runs", "POST")
        except urllib.error.HTTPError as e:
            if e.code != 404 or time.monotonic() - t0 > 60:
                raise
        except OSError:
            if time.monotonic() - t0 > 60:
                raise
        time.sleep(0.5)


def metric(port, name):
    try:
        body = http(port, "/observe/metrics")
    except OSError:
        return None
    total, found = 0.0, False
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
            found = True
    return total if found else 0.0


def vm_hwm_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def wait_for(what, timeout, fn):
    t0 = time.monotonic()
    while not fn():
        if time.monotonic() - t0 > timeout:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def pipeline(work, name, role, settings, xmx):
    port = free_port()
    cmd = ["java", f"-Xmx{xmx}", "-XX:+UseTransparentHugePages"]
    cmd += [f"-D{k}={v}" for k, v in settings.items()]
    cmd += [f"-Dcoupon.role={role}", f"-Dcoupon.http.port={port}", "-jar", JAR]
    log = open(os.path.join(work, name + ".log"), "w")
    p = subprocess.Popen(cmd, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    wait_for(f"{name} to start", 120, lambda: metric(port, "coupon_runs_published_total") is not None)
    return p, port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--xmx", default="4g")
    args = ap.parse_args()
    ensure_jar()
    data = ensure_data(args.scale)
    work = tempfile.mkdtemp(prefix="scaleout-", dir=os.path.join(ROOT, "bench"))
    procs = []
    try:
        kport, cport = free_port(), free_port()
        procs.append(subprocess.Popen(["java", "-Xmx2g", "-cp", JAR, "dev.couponpipeline.boot.EmbeddedKafka",
                                       os.path.join(work, "kafka"), str(kport), str(cport)],
                                      stdout=open(os.path.join(work, "kafka.log"), "w"), stderr=subprocess.STDOUT))
        redis_bin = os.path.join(work, "redis-server")
        with open(redis_bin, "wb") as f:
            f.write(subprocess.run(["unzip", "-p", JAR, "redis-server-6.2.6-v5-linux-amd64"], check=True,
                                   capture_output=True).stdout)
        os.chmod(redis_bin, 0o755)
        rport = free_port()
        procs.append(subprocess.Popen([redis_bin, "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                                       "--lazyfree-lazy-user-del", "yes", "--dir", work],
                                      stdout=open(os.path.join(work, "redis.log"), "w"), stderr=subprocess.STDOUT))
        time.sleep(8)
        results = {}
        for aggregators in (1, 2):
            tag = f"agg{aggregators}"
            routes = os.path.join(work, tag + "-routes")
            os.makedirs(routes)
            with open(os.path.join(routes, "sources.yaml"), "w") as f:
                for i in (1, 2, 3):
                    f.write(f"- templatedRoute:\n    routeTemplateRef: gzip-source\n    routeId: source-couponbase{i}\n"
                            f"    parameters:\n      - name: name\n        value: couponbase{i}\n"
                            f"      - name: file\n        value: couponbase{i}.gz\n"
                            f"      - name: topic\n        value: {tag}.couponbase{i}\n")
            settings = {"coupon.kafka.brokers": f"127.0.0.1:{kport}", "coupon.redis.host": "127.0.0.1",
                        "coupon.redis.port": rport, "coupon.redis.key": f"coupons:{tag}",
                        "coupon.kafka.group-id": f"group-{tag}", "coupon.kafka.partitions": args.partitions,
                        "coupon.input-dir": data, "coupon.routes-dir": routes,
                        "coupon.sample.generate-if-empty": "false", "coupon.schedule.enabled": "false",
                        "coupon.schedule.run-on-start": "false", "coupon.progress.interval-seconds": 600}
            aggs = [pipeline(work, f"{tag}-aggregator{i + 1}", "aggregator,api", settings, args.xmx)
                    for i in range(aggregators)]
            prod, pport = pipeline(work, f"{tag}-producer", "producer,api", settings, "1g")
            procs += [p for p, _ in aggs] + [prod]
            rounds = []
            for r in range(args.runs):
                before = json.loads(http(aggs[0][1], "/coupons")).get("runId")
                peaks = [0.0] * aggregators
                t0 = time.monotonic()
                start_run(pport)
                while True:
                    for i, (_, port) in enumerate(aggs):
                        peaks[i] = max(peaks[i], metric(port, "coupon_table_bytes") or 0)
                    live = json.loads(http(aggs[0][1], "/coupons"))
                    if live.get("runId") not in (None, before):
                        break
                    if time.monotonic() - t0 > 1800:
                        raise SystemExit("run did not publish")
                    time.sleep(0.2)
                wall = time.monotonic() - t0
                time.sleep(2)
                row = {"wall_s": round(wall, 1), "valid": live["codes"], "distinct": live.get("distinctCodes"),
                       "table_peak_mb": [round(p / 2**20) for p in peaks],
                       "rss_peak_mb": [round(vm_hwm_mb(p.pid)) for p, _ in aggs]}
                print(f"{aggregators} aggregator(s), run {r + 1}: {row}", flush=True)
                rounds.append(row)
            results[aggregators] = rounds
            for p, _ in aggs:
                p.terminate()
            prod.terminate()
        print("\nmedians (the first run of each configuration grows its table; later runs are presized):")
        for n, rounds in results.items():
            print(f"  {n} aggregator(s): wall {statistics.median(r['wall_s'] for r in rounds)} s, "
                  f"table peak per instance {statistics.median(max(r['table_peak_mb']) for r in rounds)} MB, "
                  f"RSS peak per instance {statistics.median(max(r['rss_peak_mb']) for r in rounds)} MB, "
                  f"valid {rounds[-1]['valid']}")
    finally:
        for p in procs:
            p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
