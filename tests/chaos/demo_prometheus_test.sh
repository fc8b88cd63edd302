#!/usr/bin/env bash
# demo_prometheus_test BUILD_DIR SOURCE_DIR -- `scripts/demo up` on free loopback ports, then:
#  - `promtool check metrics` passes on every /metrics (Faultline, partner, server, client);
#  - Debian's Prometheus, with configs/monitoring/prometheus.yml (its ports swapped for this run's), scrapes
#    all four targets (up == 1) and sees the demo's series;
#  - `up` again starts nothing, `down` stops every process, `down` again is a no-op.
# Exit 77 (a ctest SKIP) with the reason when prometheus or promtool is not installed.
set -euo pipefail
build="$1"
src="$2"
for tool in prometheus promtool curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: '$tool' is not installed (Debian's prometheus package; scripts/setup --test-deps installs it)"
    exit 77
  fi
done

work=$(mktemp -d /tmp/faultline-demo-prom-XXXXXX)
prom_pid=""
cleanup() {
  if [[ -n "$prom_pid" ]]; then kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; fi
  DEMO_DIR="$work/demo" BUILD_DIR="$build" "$src/scripts/demo" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Six free ports, held until all are picked so none repeats.
read -r partner proxy api server client prom < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)
export DEMO_DIR="$work/demo" BUILD_DIR="$build" PARTNER_PORT=$partner PROXY_PORT=$proxy FAULTLINE_API_PORT=$api \
       SERVER_PORT=$server CLIENT_METRICS_PORT=$client CLIENT_RATE=20

fail() { echo "FAIL: $*"; for f in "$work"/demo/*.log "$work"/prometheus.log; do [[ -f "$f" ]] && { echo "--- $f"; tail -5 "$f"; }; done; exit 1; }

"$src/scripts/demo" up || fail "scripts/demo up failed"
again=$("$src/scripts/demo" up)
[[ $(grep -c "already running" <<<"$again") -eq 4 ]] || fail "a second 'up' started something: $again"

sleep 1.5  # a second of client traffic, so every family has samples
for port in "$api" "$partner" "$server" "$client"; do
  body=$(curl -sf "http://127.0.0.1:$port/metrics") || fail "no /metrics on 127.0.0.1:$port"
  if ! lint=$(promtool check metrics <<<"$body" 2>&1); then fail "promtool check metrics on :$port: $lint"; fi
  echo "promtool check metrics 127.0.0.1:$port: ok ($(grep -vc '^#' <<<"$body") samples)"
done

sed -e "s/127.0.0.1:8474/127.0.0.1:$api/" -e "s/127.0.0.1:22221/127.0.0.1:$partner/" \
    -e "s/127.0.0.1:8080/127.0.0.1:$server/" -e "s/127.0.0.1:8090/127.0.0.1:$client/" \
    "$src/configs/monitoring/prometheus.yml" >"$work/prometheus.yml"
promtool check config "$work/prometheus.yml" >/dev/null || fail "configs/monitoring/prometheus.yml does not pass promtool check config"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom" >"$work/prometheus.log" 2>&1 &
prom_pid=$!

query() { curl -sf --get "http://127.0.0.1:$prom/api/v1/query" --data-urlencode "query=$1" 2>/dev/null || true; }
ok=0
for _ in $(seq 1 60); do  # 30 s: Prometheus starts, then scrapes every second
  up=$(query 'sum(up)')
  seen=$(query 'count(demo_partner_requests_received_total) + count(demo_requests_total) + count(demo_client_requests_sent_total) + count(faultline_build_info)')
  if grep -q '"value":\[[0-9.]*,"4"\]' <<<"$up" && grep -q '"value":\[[0-9.]*,"[1-9][0-9]*"\]' <<<"$seen"; then ok=1; break; fi
  sleep 0.5
done
((ok == 1)) || fail "Prometheus did not scrape all four targets (sum(up): ${up:-no answer})"
echo "prometheus scraped 4/4 targets: $(query 'up' | grep -o '"job":"[a-z-]*"' | sort | tr '\n' ' ')"

pids=$(cat "$work"/demo/*.pid)
"$src/scripts/demo" down || fail "scripts/demo down failed"
for pid in $pids; do
  if kill -0 "$pid" 2>/dev/null; then fail "pid $pid still runs after 'down'"; fi
done
"$src/scripts/demo" down >/dev/null || fail "a second 'down' failed"
echo "PASS: promtool and Prometheus accept every /metrics; up/down idempotent, nothing left running"
