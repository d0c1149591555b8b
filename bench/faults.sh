#!/usr/bin/env bash
# Runs the fault suite (src/test/java/dev/couponpipeline/fault) N times and prints every case's recovery line,
# then the median per case. The same suite runs once in CI (mvn verify); this is for numbers worth quoting.
# usage: bash bench/faults.sh [N]   (default 3; about 5 minutes per round on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
out=bench/out/faults
mkdir -p "$out"
mvn -q -B -ntp -DskipTests package
for i in $(seq 1 "$rounds"); do
  mvn -q -B -ntp verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FaultToleranceIT
  grep '^FAULT' target/failsafe-reports/dev.couponpipeline.fault.FaultToleranceIT-output.txt > "$out/round-$i.txt"
  echo "round $i:"; cat "$out/round-$i.txt"
done
python3 - "$out" "$rounds" <<'PY'
import re, statistics, sys, pathlib
out, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
cases = {}
for i in range(1, rounds + 1):
    for line in (out / f"round-{i}.txt").read_text().splitlines():
        m = re.match(r"FAULT (.*?): .*?in (\d+) ms", line)
        if m:
            cases.setdefault(m.group(1), []).append(int(m.group(2)))
print(f"\nmedian of {rounds} rounds (ms):")
for case, ms in cases.items():
    print(f"  {statistics.median(ms):>8.0f}  {case}  {sorted(ms)}")
PY
