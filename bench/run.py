#!/usr/bin/env python3
"""Full-scale benchmark of coupon-pipeline against its floor, measured in the same session.

Generates the data set for a scale once (cached in bench/data), then for each of --runs rounds runs
  1. the floor: the files gunzipped (JDK GZIPInputStream) and scanned, one thread per file (bench/Floor.java),
     and the same with the pipeline's own ISA-L reader (bench/Floor.java --isal);
  2. the pipeline: java -jar target/coupon-pipeline.jar --once on the embedded Kafka and Redis, fresh data dirs;
and prints a table (wall, CPU, peak RSS, peak heap, table and broker bytes per code, codes/s, ratio to the
floor of the same round) with medians. Usage, from the repository root:

  python3 bench/run.py --scale 1 --runs 3              # the headline numbers, -Xmx1g (needs ~6 GB disk)
  python3 bench/run.py --scale 1 --concat 3 --runs 1   # 3x the public data, same -Xmx1g (needs ~20 GB disk)
  python3 bench/run.py --scale 0.05 --codes-per-record 1 --skip-floor   # the one-record-per-code shape
  python3 bench/run.py --scale 1 --api-load            # wrk against GET /coupons/{code} during a run
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "target", "coupon-pipeline.jar")
FILES = ["couponbase1.gz", "couponbase2.gz", "couponbase3.gz"]


def run_measured(cmd, cwd, stdout_path, stderr_path, env=None):
    """Runs cmd; returns wall seconds, CPU seconds (user+sys, children included) and peak RSS in MB."""
    t0 = time.monotonic()
    with open(stdout_path, "w") as out, open(stderr_path, "w") as err:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    return {"exit": code, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "user": ru.ru_utime, "sys": ru.ru_stime,
            "rss_mb": ru.ru_maxrss / 1024}


def ensure_jar():
    if not os.path.exists(JAR):
        subprocess.run(["mvn", "-q", "-DskipTests", "package"], cwd=ROOT, check=True)


def generate(d, scale, seed):
    os.makedirs(d, exist_ok=True)
    print(f"generating scale {scale} seed {seed} into {d} (once; cached)", flush=True)
    subprocess.run(["java", "-jar", JAR, "generate", "--out", d, "--scale", str(scale), "--seed", str(seed)],
                   cwd=ROOT, check=True)


def ensure_data(scale, concat=1):
    """The data set for a scale; with concat N, N data sets of that scale (seeds 1..N) concatenated per file,
    which is a valid multi-member gzip holding N times the codes (random codes never repeat across seeds)."""
    name = f"scale-{scale}" if concat == 1 else f"scale-{scale}x{concat}"
    d = os.path.join(ROOT, "bench", "data", name)
    if all(os.path.exists(os.path.join(d, f)) for f in FILES):
        return d
    if concat == 1:
        generate(d, scale, 1)
        return d
    parts = [ensure_data(scale)]
    for seed in range(2, concat + 1):
        p = os.path.join(ROOT, "bench", "data", f"scale-{scale}-seed{seed}")
        if not all(os.path.exists(os.path.join(p, f)) for f in FILES):
            generate(p, scale, seed)
        parts.append(p)
    os.makedirs(d, exist_ok=True)
    for f in FILES:
        with open(os.path.join(d, f + ".tmp"), "wb") as out:
            for p in parts:
                with open(os.path.join(p, f), "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 24)
        os.rename(os.path.join(d, f + ".tmp"), os.path.join(d, f))
    for p in parts[1:]:
        shutil.rmtree(p, ignore_errors=True)
    return d


def du(path):
    total = 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            try:
                total += os.path.getsize(os.path.join(dirpath, n))
            except OSError:
                pass
    return total


def peak_heap_mb(gc_log):
    """Largest heap in use after a GC (live data plus what survived), from -Xlog:gc. G1 lets the heap fill up
    to -Xmx before collecting, so the size before a GC says little; after-GC is what the run really holds."""
    peak = 0
    with open(gc_log) as f:
        for line in f:
            m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
            if m:
                peak = max(peak, int(m.group(2)))
    return peak


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_floor(data, work, isal=False):
    """The floor: the files gunzipped (the JDK's zlib, or with isal the pipeline's ISA-L reader) and scanned."""
    name = "floor-isal" if isal else "floor"
    r = run_measured(["java", "-Xmx1g", "-cp", JAR, os.path.join(ROOT, "bench", "Floor.java")]
                     + (["--isal"] if isal else []) + [os.path.join(data, f) for f in FILES], ROOT,
                     os.path.join(work, name + ".out"), os.path.join(work, name + ".err"))
    text = open(os.path.join(work, name + ".out")).read()
    m = re.search(r"floor(?: \(ISA-L\))?: (\d+) codes", text)
    r["codes"] = int(m.group(1)) if m else 0
    return r


def run_pipeline(data, work, args, redis_dir, api_port=None):
    kafka_dir = os.path.join(work, "kafka")
    shutil.rmtree(kafka_dir, ignore_errors=True)
    gc_log = os.path.join(work, "gc.log")
    cmd = ["java", f"-Xmx{args.xmx}", f"-Xlog:gc:file={gc_log}"] + args.jvm_opt + [
        f"-Dcoupon.input-dir={data}",
        f"-Dcoupon.kafka.embedded-dir={kafka_dir}",
        f"-Dcoupon.redis.embedded-dir={redis_dir}",
        "-Dcoupon.sample.generate-if-empty=false",
        f"-Dcoupon.kafka.codes-per-record={args.codes_per_record}",
    ] + [f"-D{p}" for p in args.prop] + ["-jar", args.jar, "--once"]
    r = run_measured(cmd, ROOT, os.path.join(work, "pipeline.out"), os.path.join(work, "pipeline.err"))
    out = open(os.path.join(work, "pipeline.out")).read()
    err = open(os.path.join(work, "pipeline.err")).read()
    r["summary"] = out.strip() or err.strip().splitlines()[-1]
    r["codes"] = sum(int(n) for n in re.findall(r"=(\d+) codes", out))
    m = re.search(r"(\d+) valid codes \(of (\d+) distinct\)(?:, -?\d+ added, -?\d+ removed)? in ([\d.]+) s", out)
    r["valid"], r["distinct"], r["run_s"] = (int(m.group(1)), int(m.group(2)), float(m.group(3))) if m else (0, 0, 0)
    m = re.search(r"([\d.]+) s from process start", out)
    r["to_swap"] = float(m.group(1)) if m else 0
    topic_bytes = sum(du(os.path.join(kafka_dir, d)) for d in os.listdir(kafka_dir)
                      if d.startswith("couponbase")) if os.path.isdir(kafka_dir) else 0
    r["broker_b_per_code"] = topic_bytes / r["codes"] if r["codes"] else 0
    r["heap_mb"] = peak_heap_mb(gc_log) if os.path.exists(gc_log) else 0
    shutil.rmtree(kafka_dir, ignore_errors=True)
    return r


def api_load(data, work, args):
    """Starts the service, runs wrk against GET /coupons/{code} while its start-up run is in flight."""
    import urllib.request
    port = free_port()
    kafka_dir, redis_dir = os.path.join(work, "kafka"), os.path.join(work, "redis")
    shutil.rmtree(kafka_dir, ignore_errors=True)
    shutil.rmtree(redis_dir, ignore_errors=True)
    cmd = ["java", f"-Xmx{args.xmx}"] + args.jvm_opt + [
        f"-Dcoupon.input-dir={data}", f"-Dcoupon.kafka.embedded-dir={kafka_dir}",
        f"-Dcoupon.redis.embedded-dir={redis_dir}", "-Dcoupon.sample.generate-if-empty=false",
        f"-Dcoupon.http.port={port}", "-Dcoupon.schedule.run-on-start=true"] + [f"-D{p}" for p in args.prop] + [
        "-jar", args.jar]
    log = open(os.path.join(work, "service.err"), "w")
    svc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"

    def meta():
        try:
            return urllib.request.urlopen(base + "/coupons", timeout=5).read().decode()
        except Exception:
            return ""
    try:
        deadline = time.monotonic() + 120
        while '"runInFlight"' not in meta() and time.monotonic() < deadline:
            time.sleep(0.5)
        t0 = time.monotonic()
        wrk = subprocess.run(["wrk", "-t2", "-c16", f"-d{args.api_seconds}s", "--latency",
                              base + "/coupons/HAPPYHRS"], capture_output=True, text=True)
        still_running = '"runInFlight"' in meta()
        while '"runInFlight"' in meta() and time.monotonic() < deadline + 600:
            time.sleep(1)
        final = meta()
    finally:
        svc.terminate()
        svc.wait(60)
        shutil.rmtree(kafka_dir, ignore_errors=True)
    out = wrk.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    print(out)
    print(f"API under load: {rps.group(1) if rps else '?'} requests/s, p50 {p50.group(1) if p50 else '?'}, "
          f"p99 {p99.group(1) if p99 else '?'} over {time.monotonic() - t0:.0f} s; run still in flight when wrk "
          f"ended: {still_running}; live set afterwards: {final}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="1")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--xmx", default="1g")
    ap.add_argument("--concat", type=int, default=1, help="N data sets of --scale concatenated per file (3 = 3x)")
    ap.add_argument("--codes-per-record", default="10000")
    ap.add_argument("--skip-floor", action="store_true")
    ap.add_argument("--jvm-opt", action="append", default=[], help="extra JVM option for the pipeline")
    ap.add_argument("--prop", action="append", default=[], help="extra key=value setting for the pipeline")
    ap.add_argument("--jar", default=JAR, help="the pipeline jar to run (another build, for an A/B in one session)")
    ap.add_argument("--api-load", action="store_true", help="only: wrk against the API during a run")
    ap.add_argument("--api-seconds", type=int, default=30)
    args = ap.parse_args()

    ensure_jar()
    data = ensure_data(args.scale, args.concat)
    out_root = os.path.join(ROOT, "bench", "out")
    os.makedirs(out_root, exist_ok=True)
    if args.api_load:
        work = os.path.join(out_root, "api")
        os.makedirs(work, exist_ok=True)
        api_load(data, work, args)
        return 0
    rows = []
    # Redis keeps its data across rounds, as in production: round 1 is a first run ever (the table grows),
    # later rounds size the table from the previous run's count, as every daily run after the first does.
    redis_dir = os.path.join(out_root, "redis")
    shutil.rmtree(redis_dir, ignore_errors=True)
    for i in range(1, args.runs + 1):
        work = os.path.join(out_root, f"run-{i}")
        os.makedirs(work, exist_ok=True)
        floor = None if args.skip_floor else run_floor(data, work)
        floor_isal = None if args.skip_floor else run_floor(data, work, isal=True)
        pipe = run_pipeline(data, work, args, redis_dir)
        rows.append({"floor": floor, "floor_isal": floor_isal, "pipeline": pipe})
        f = (f"floor {floor['wall']:.1f} s wall {floor['cpu']:.1f} s CPU, with ISA-L {floor_isal['wall']:.1f} s wall "
             f"{floor_isal['cpu']:.1f} s CPU; ") if floor else ""
        print(f"round {i}: {f}pipeline {pipe['wall']:.1f} s wall {pipe['cpu']:.1f} s CPU, exit {pipe['exit']}: "
              f"{pipe['summary']}", flush=True)

    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else float("nan")

    def num(v, fmt=".1f"):
        return "-" if v is None else format(v, fmt)

    print()
    print(f"scale {args.scale} x{args.concat}, {args.runs} round(s), -Xmx{args.xmx}, codes-per-record {args.codes_per_record}, "
          f"{os.cpu_count()} cores")
    # the floor is the JDK's zlib plus the scanner (the definition); "ISA-L floor" the same work with the
    # inflater the pipeline itself uses. A ratio is start to swap over the floor's wall time of the same round.
    header = ["round", "floor wall s", "floor CPU s", "ISA-L floor wall s", "ISA-L floor CPU s", "start to swap s",
              "pipe wall s", "pipe CPU s", "user s", "sys s", "ratio", "ratio to ISA-L floor", "RSS MB",
              "heap after GC MB", "broker B/code", "codes/s (M)", "valid"]
    print(" | ".join(header))
    for i, r in enumerate(rows, 1):
        p, fl, fi = r["pipeline"], r["floor"], r["floor_isal"]
        r["ratio"] = p["to_swap"] / fl["wall"] if fl else None
        r["ratio_isal"] = p["to_swap"] / fi["wall"] if fi else None
        print(" | ".join([str(i),
                          num(fl and fl["wall"]), num(fl and fl["cpu"]), num(fi and fi["wall"]), num(fi and fi["cpu"]),
                          num(p["to_swap"]), num(p["wall"]), num(p["cpu"]), num(p.get("user")), num(p.get("sys")),
                          num(r["ratio"], ".2f"), num(r["ratio_isal"], ".2f"),
                          f"{p['rss_mb']:.0f}", f"{p['heap_mb']}",
                          f"{p['broker_b_per_code']:.1f}", f"{p['codes'] / p['wall'] / 1e6:.2f}",
                          str(p["valid"])]))
    ps = [r["pipeline"] for r in rows]
    fls = [r["floor"] for r in rows if r["floor"]]
    fis = [r["floor_isal"] for r in rows if r["floor_isal"]]
    print(" | ".join(["median",
                      num(med([f["wall"] for f in fls])) if fls else "-",
                      num(med([f["cpu"] for f in fls])) if fls else "-",
                      num(med([f["wall"] for f in fis])) if fis else "-",
                      num(med([f["cpu"] for f in fis])) if fis else "-",
                      num(med([p["to_swap"] for p in ps])), num(med([p["wall"] for p in ps])),
                      num(med([p["cpu"] for p in ps])), num(med([p.get("user") for p in ps])),
                      num(med([p.get("sys") for p in ps])),
                      num(med([r["ratio"] for r in rows]), ".2f") if fls else "-",
                      num(med([r["ratio_isal"] for r in rows]), ".2f") if fis else "-",
                      f"{med([p['rss_mb'] for p in ps]):.0f}", f"{med([p['heap_mb'] for p in ps])}",
                      f"{med([p['broker_b_per_code'] for p in ps]):.1f}",
                      f"{med([p['codes'] / p['wall'] / 1e6 for p in ps]):.2f}", "-"]))
    with open(os.path.join(out_root, "results.json"), "a") as f:
        f.write(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "args": vars(args), "rows": rows}) + "\n")
    return 0 if all(r["pipeline"]["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
