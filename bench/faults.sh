#!/usr/bin/env bash
# Runs the fault suite (src/test/java/dev/couponpipeline/fault) N times and prints every case's recovery line,
# then the median per case. The same suite runs once in CI (mvn verify); this is for numbers worth quoting.
# usage: bash bench/faults.sh [N] [CLASS] [DISTINCT]
#   N rounds (default 3); CLASS FaultToleranceIT (one broker; about 5 minutes a round on 2 cores) or ClusterFaultIT
#   (three brokers); DISTINCT codes per file set (ClusterFaultIT only; CI runs it with 200000), e.g.
#   bash bench/faults.sh 3 ClusterFaultIT 2000000
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
class="${2:-FaultToleranceIT}"
distinct="${3:-200000}"
out=bench/out/faults-$class-$distinct
mkdir -p "$out"
mvn -q -B -ntp -DskipTests package
for i in $(seq 1 "$rounds"); do
  mvn -q -B -ntp verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test="$class" \
    -Dfault.distinct="$distinct"
  grep '^FAULT' "target/failsafe-reports/dev.couponpipeline.fault.$class-output.txt" > "$out/round-$i.txt"
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
