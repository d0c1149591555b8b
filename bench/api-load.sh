#!/usr/bin/env bash
# Load on the validation API: GET /coupons/{code} from wrk (Debian package "wrk"), against the service on the
# embedded Kafka and Redis with the 3M-code sample. Prints wrk's report and fails unless every request got a 200.
#   bash bench/api-load.sh                # 10 minutes, 2 threads, 16 connections
#   DURATION=30s bash bench/api-load.sh
#   BATCH=1000 DURATION=30s bash bench/api-load.sh   # POST /coupons/check with 1000 codes a request
#   SPREAD=200000 DURATION=30s bash bench/api-load.sh # GET /coupons/{code}, each request a random one of the
#                                                     # sample's first 200,000 codes (more than the near cache keeps)
#   PROPS="-Dcoupon.api.fast-path=false -Dcoupon.api.cache-ms=0" ...   # any settings for the service
# Before the load, redis-benchmark (Debian package redis-tools) sends SISMEMBER to the same Redis for the ratio the
# API is held to (its rate against redis-benchmark's, same machine, same run).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10m}
BATCH=${BATCH:-0}
SPREAD=${SPREAD:-0}
PROPS=${PROPS:-}
PORT=${PORT:-18080}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 2; }
[ -f target/coupon-pipeline.jar ] || mvn -q -DskipTests package
work=$(mktemp -d)
cp -r config routes "$work"/
cd "$work"
# shellcheck disable=SC2086
java -Xmx1g -XX:+ExitOnOutOfMemoryError -Dcoupon.http.port="$PORT" $PROPS -jar "$OLDPWD/target/coupon-pipeline.jar" \
  > service.log 2>&1 &
pid=$!
trap 'rc=$?; kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"; exit $rc' EXIT
for _ in $(seq 1 180); do
  curl -s "localhost:$PORT/coupons" | grep -q '"codes":8' && break
  sleep 1
done
curl -s "localhost:$PORT/coupons/HAPPYHRS" | grep -q '"valid":true' || { tail -20 service.log; exit 1; }
cat > count.lua <<'LUA'
local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests %d, socket errors connect %d read %d write %d timeout %d, non-2xx %d\n",
    summary.requests, e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
url="http://127.0.0.1:$PORT/coupons/HAPPYHRS"
redis_port=$(sed -n 's/.*Started the embedded redis-server on 127.0.0.1:\([0-9]*\).*/\1/p' service.log | head -1)
if command -v redis-benchmark >/dev/null && [ -n "$redis_port" ]; then
  redis-benchmark -p "$redis_port" -c 16 -n 1000000 --csv SISMEMBER coupons:valid HAPPYHRS 2>/dev/null | tail -1 \
    | awk -F, '{gsub(/"/, ""); printf "redis-benchmark SISMEMBER -c 16: %.0f requests/s, p50 %s ms\n", $2, $5}' \
    | tee redis-benchmark.txt
fi
if [ "$SPREAD" -gt 0 ]; then
  (set +o pipefail; gzip -dc data/input/couponbase1.gz 2>/dev/null | head -n "$SPREAD") > codes.txt
  { cat <<'LUA'
local paths = {}
for line in io.lines("codes.txt") do paths[#paths + 1] = "/coupons/" .. line end
math.randomseed(os.time())
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
LUA
    cat count.lua; } > spread.lua
  mv spread.lua count.lua
fi
if [ "$BATCH" -gt 0 ]; then
  # codes of the sample file (most invalid, some valid), the same basket in every request
  codes=$(set +o pipefail; gzip -dc data/input/couponbase1.gz 2>/dev/null | head -n "$BATCH" | sed 's/.*/"&"/' | paste -sd, -)
  { printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
    printf 'wrk.body = [[{"codes":[%s]}]]\n' "$codes"; cat count.lua; } > batch.lua
  mv batch.lua count.lua
  url="http://127.0.0.1:$PORT/coupons/check"
fi
wrk -t2 -c16 -d"$DURATION" --latency -s count.lua "$url" | tee wrk.txt
if [ -s redis-benchmark.txt ] && [ "$BATCH" -eq 0 ]; then
  awk 'NR==FNR && /requests\/s/ {rb=$5} NR>FNR && /^Requests\/sec/ {printf "API / redis-benchmark: %.0f %%\n", 100*$2/rb}' \
    redis-benchmark.txt wrk.txt
fi
grep -h "coupon_api_cache" <(curl -s "localhost:$PORT/observe/metrics") || true
if [ "$BATCH" -gt 0 ]; then
  awk -v n="$BATCH" '/^Requests\/sec/ {printf "codes/s %.0f (%d codes a request)\n", $2 * n, n}' wrk.txt
fi
grep -q "socket errors connect 0 read 0 write 0 timeout 0, non-2xx 0" wrk.txt || { echo "ERRORS under load" >&2;
  grep -c " 500\|Exception" service.log >&2 || true; exit 1; }
echo "zero errors"
