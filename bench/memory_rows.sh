# Memory under load (issue 17), sourced by bench/run-bench after its helpers: each row starts a
# fresh proxy so its peak RSS (VmHWM) belongs to that workload alone, and prints Faultline's figure
# next to HAProxy's measured in the same run, with the ratio and the goal.
#
#   - 1 MiB responses at c=200 (wrk → proxy → nginx): peak RSS <= 2x HAProxy, throughput >= 1.0x;
#     RSS 10 s after the load stops <= 1.5x what it was before the load
#   - 50 downloads of 4 MiB behind a 1000 KB/s bandwidth toxic: peak RSS <= 48 MiB, each download
#     within 3 % of the rate (Faultline only: HAProxy has no bandwidth toxic)
#   - CPU per request at c=50 keep-alive, proxy pinned alone on a core: <= 0.9x HAProxy; printed
#     beside it, bench-floor's (a bare edge-triggered relay), the floor any proxy's ratio has here
#
# Needs from run-bench: bin, work, wrk_seconds, nginx_port, nginx_files, pids, free_port,
# wait_listening, start_faultline, start_haproxy, stop_pid, rss_kib, api, faultline_api, log.

hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Starts a fresh proxy of `kind` in front of nginx; sets mem_pid and mem_port.
mem_start_proxy() {  # kind [taskset cpu list]
  free_port
  mem_port=$port
  if [[ $1 == faultline ]]; then
    start_faultline mem "$mem_port" "$nginx_port"; mem_pid=$faultline_pid
  elif [[ $1 == floor ]]; then
    "$bin/bench-floor" --listen "127.0.0.1:$mem_port" --upstream "127.0.0.1:$nginx_port" >>"$work/floor.log" 2>&1 &
    mem_pid=$!
    pids+=("$mem_pid")
  else
    start_haproxy mem "$mem_port" "$nginx_port"; mem_pid=$haproxy_pid
  fi
  wait_listening "$mem_port" "$1" "$mem_pid"
  [[ -z ${2:-} ]] || taskset -a -p -c "$2" "$mem_pid" >/dev/null 2>&1 || true
  sleep 0.5
}

# wrk against the fresh proxy; prints requests/s.
mem_wrk_rps() {  # port connections path [cpus]
  local out prefix=()
  [[ -z ${4:-} ]] || prefix=(taskset -c "$4")
  out=$(timeout $((wrk_seconds + 30)) "${prefix[@]}" wrk -t1 -c"$2" -d"${wrk_seconds}s" --timeout 10s \
          "http://127.0.0.1:$1$3" 2>>"$work/errors.log") || { echo fail; return; }
  if grep -q -E 'Non-2xx|Socket errors' <<<"$out"; then
    echo "wrk via port $1$3: $(grep -E 'Non-2xx|Socket errors' <<<"$out")" >>"$work/errors.log"
    echo fail
    return
  fi
  awk '/^Requests\/sec:/ {printf "%.1f", $2}' <<<"$out"
}

mem_big_responses() {
  local kind
  for kind in faultline haproxy; do
    [[ $kind == faultline ]] && ((use_faultline == 0)) && continue
    log "$kind: 1 MiB responses, wrk c=200, ${wrk_seconds}s (fresh proxy)"
    mem_start_proxy "$kind"
    local before rps
    before=$(rss_kib "$mem_pid")
    rps=$(mem_wrk_rps "$mem_port" 200 /1m)
    result[m_big_mbps,$kind]=$(awk -v r="$rps" 'BEGIN {if (r == "fail") print "fail"; else printf "%.0f", r * 1.048576}')
    result[m_big_peak,$kind]=$(awk -v k="$(hwm_kib "$mem_pid")" 'BEGIN {printf "%.1f", k / 1024}')
    log "$kind: waiting 10 s after the load"
    sleep 10
    result[m_big_after,$kind]=$(awk -v a="$(rss_kib "$mem_pid")" -v b="$before" 'BEGIN {printf "%.2f", a / b}')
    result[m_big_before,$kind]=$(awk -v b="$before" 'BEGIN {printf "%.1f", b / 1024}')
    stop_pid "$mem_pid"
  done
}

mem_slow_downloads() {
  ((use_faultline == 1)) || return 0
  local count=50 rate=1000
  log "faultline: $count downloads of 4 MiB behind bandwidth $rate KB/s (fresh proxy)"
  mem_start_proxy faultline
  local before
  before=$(rss_kib "$mem_pid")
  if ! api POST /proxies/mem/toxics \
      "{\"name\":\"slow\",\"type\":\"bandwidth\",\"stream\":\"downstream\",\"attributes\":{\"rate\":$rate}}"; then
    result[m_slow_peak,faultline]=fail
    stop_pid "$mem_pid"
    return 0
  fi
  # One curl running all downloads at once (-Z --parallel-immediate): 50 curl processes starting
  # together on 2 cores delayed their own requests by up to 0.4 s, which the rate then counted.
  local i urls=()
  for i in $(seq "$count"); do urls+=(-o /dev/null "http://127.0.0.1:$mem_port/4m"); done
  curl -s --no-progress-meter -Z --parallel-immediate --parallel-max "$count" -m 60 \
    -w '%{size_download} %{time_pretransfer} %{time_total}\n' "${urls[@]}" >"$work/slow.all" 2>>"$work/errors.log" &
  local curl_pid=$! peak=0 k
  while kill -0 "$curl_pid" 2>/dev/null; do
    k=$(hwm_kib "$mem_pid"); ((k > peak)) && peak=$k
    sleep 0.2
  done
  wait "$curl_pid" || true
  peak=$(hwm_kib "$mem_pid")
  # Rate of each download from the request to its last byte (the connect is not the toxic's).
  # Not from the first byte: the toxic releases 100 ms pieces, so the first byte itself waits for
  # its piece, and timing from it would leave out 100 ms of 4.2 s (+2.4 % on every download).
  result[m_slow_worst,faultline]=$(cat "$work/slow.all" | awk -v r="$rate" '
    $1 > 0 && $3 > $2 { d = ($1 / 1000 / ($3 - $2) - r) / r * 100; if (d < 0) d = -d; if (d > w) w = d; n++ }
    END { if (n == 0) print "fail"; else printf "%.1f", w }')
  result[m_slow_done,faultline]=$(cat "$work/slow.all" | awk '$1 == 4194304 {n++} END {print n + 0}')
  result[m_slow_peak,faultline]=$(awk -v k="$peak" 'BEGIN {printf "%.1f", k / 1024}')
  log "faultline: waiting 10 s after the downloads"
  sleep 10
  result[m_slow_after,faultline]=$(awk -v a="$(rss_kib "$mem_pid")" -v b="$before" 'BEGIN {printf "%.2f", a / b}')
  stop_pid "$mem_pid"
}

# All three proxies run at once, pinned to the same core (an idle one costs nothing), and are
# measured in turn over several rounds: a slice of a noisy shared machine then weighs on every
# column alike instead of deciding one of them (single 10 s runs moved the ratio by +-5 %).
mem_cpu_per_request() {
  local proxy_cpu=1 client_cpu=0 kind round rounds=4
  (($(nproc) >= 2)) || { proxy_cpu=""; client_cpu=""; }
  # floor: bench-floor, a bare edge-triggered epoll relay (one recv and one send per direction,
  # nothing else): what no proxy's user-space work can go below on this machine.
  local kinds=(haproxy floor)
  ((use_faultline == 1)) && kinds=(faultline haproxy floor)
  local -A cpu_pid cpu_port ticks requests
  for kind in "${kinds[@]}"; do
    mem_start_proxy "$kind" "$proxy_cpu"
    cpu_pid[$kind]=$mem_pid
    cpu_port[$kind]=$mem_port
    ticks[$kind]=0
    requests[$kind]=0
  done
  local wrk_seconds=$(((wrk_seconds + 1) / 2))  # per round (mem_wrk_rps reads it)
  for round in $(seq "$rounds"); do
    for kind in "${kinds[@]}"; do
      log "$kind: CPU per request, wrk c=50 keep-alive, proxy pinned on cpu ${proxy_cpu:-any} (round $round of $rounds)"
      local t0 t1 rps
      t0=$(cpu_ticks "${cpu_pid[$kind]}")
      rps=$(mem_wrk_rps "${cpu_port[$kind]}" 50 / "$client_cpu")
      t1=$(cpu_ticks "${cpu_pid[$kind]}")
      if [[ $rps == fail || ${requests[$kind]} == fail ]]; then
        requests[$kind]=fail
        continue
      fi
      ticks[$kind]=$((ticks[$kind] + t1 - t0))
      requests[$kind]=$(awk -v n="${requests[$kind]}" -v r="$rps" -v s="$wrk_seconds" 'BEGIN {printf "%.0f", n + r * s}')
    done
  done
  for kind in "${kinds[@]}"; do
    result[m_cpu,$kind]=$(awk -v t="${ticks[$kind]}" -v n="${requests[$kind]}" -v hz="$(getconf CLK_TCK)" 'BEGIN {
      if (n == "fail" || n == 0) { print "fail"; exit } printf "%.2f", t / hz / n * 1e6 }')
    stop_pid "${cpu_pid[$kind]}"
  done
}

mem_rows_run() {
  mem_big_responses
  mem_slow_downloads
  mem_cpu_per_request
}

mem_ratio() {  # key [kind] -> kind (default faultline) / haproxy
  awk -v f="${result[$1,${2:-faultline}]:-fail}" -v h="${result[$1,haproxy]:-fail}" 'BEGIN {
    if (f == "fail" || h == "fail" || h == 0) print "n/a"; else printf "%.2fx", f / h }'
}

mem_rows_report() {
  echo
  echo "| memory under load (issue 17), fresh proxy per row | faultline | haproxy | ratio | goal |"
  echo "|---|---|---|---|---|"
  echo "| 1 MiB responses, wrk c=200: throughput (MB/s) | ${result[m_big_mbps,faultline]:-n/a} | ${result[m_big_mbps,haproxy]:-n/a} | $(mem_ratio m_big_mbps) | >= 1.0x |"
  echo "| 1 MiB responses, wrk c=200: peak RSS (MiB) | ${result[m_big_peak,faultline]:-n/a} | ${result[m_big_peak,haproxy]:-n/a} | $(mem_ratio m_big_peak) | <= 2x |"
  echo "| 1 MiB responses: RSS 10 s after the load / before it (before: ${result[m_big_before,faultline]:-?} / ${result[m_big_before,haproxy]:-?} MiB) | ${result[m_big_after,faultline]:-n/a}x | ${result[m_big_after,haproxy]:-n/a}x | | <= 1.5x |"
  echo "| 50 x 4 MiB behind bandwidth 1000 KB/s: peak RSS (MiB) | ${result[m_slow_peak,faultline]:-n/a} | - | | <= 48 MiB |"
  echo "| 50 x 4 MiB behind bandwidth 1000 KB/s: worst rate error (%), complete downloads | ${result[m_slow_worst,faultline]:-n/a} %, ${result[m_slow_done,faultline]:-0}/50 | - | | <= 3 % |"
  echo "| 50 x 4 MiB: RSS 10 s after / before | ${result[m_slow_after,faultline]:-n/a}x | - | | <= 1.5x |"
  echo "| CPU per request, wrk c=50 keep-alive, proxy pinned, 4 interleaved rounds (µs) | ${result[m_cpu,faultline]:-n/a} | ${result[m_cpu,haproxy]:-n/a} | $(mem_ratio m_cpu) | <= 0.9x |"
  echo "| the same, through bench-floor (a bare edge-triggered relay: the floor) | ${result[m_cpu,floor]:-n/a} | ${result[m_cpu,haproxy]:-n/a} | $(mem_ratio m_cpu floor) | |"
}
