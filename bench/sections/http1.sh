# shellcheck shell=bash
# bench/run section "http1": the limit and targets (a), (b), (c) over HTTP/1.1 with wrk (TLS, no ALPN h2),
# the protocol a client without HTTP/2 (curl --http1.1, scripts, some proxies) uses; the HPA's client
# speaks HTTP/2, the main table. Each target: a 3 s warm-up, then BENCH_HTTP1_SECONDS (default 10) measured,
# `wrk -t 1 -c 10 --latency`; its latency distribution gives p50/p90/p99.
skip_section http1 && return 0

HTTP1_SECONDS=${BENCH_HTTP1_SECONDS:-10}
HTTP1_ARGS=(-t 1 -c 10 --latency)

http1_rows=()
# loads URL $2 (target named $1) with wrk and adds a row: req/s, ratio to the section's limit, p50/p90/p99
http1_measure() {
  local name=$1 url=$2 out=$WORK/wrk-${#http1_rows[@]}.txt
  echo "  $name (HTTP/1.1)" >&2
  timeout "$LOAD_LIMIT" wrk "${HTTP1_ARGS[@]}" -d 3s "$url" >/dev/null 2>&1 || true
  timeout "$((HTTP1_SECONDS + LOAD_LIMIT))" wrk "${HTTP1_ARGS[@]}" -d "${HTTP1_SECONDS}s" "$url" >"$out" 2>&1 || true
  local rps p50 p90 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p90=$(awk '$1 == "90%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {n += 1} END {print n + 0}' "$out")
  http1_rows+=("$name|${rps:-failed}|${p50:-?}|${p90:-?}|${p99:-?}|$errors")
}

http1_measure "limit" "$LIMIT"
http1_measure "(a) no-selector read, 3 series" "$A/small-0"
http1_measure "(b) selector, 10 of 1,000 series" "$A/k1-0?labelSelector=group%3D7"
http1_measure "(c) selector, 10 of 10,000 series" "$A/k10-0?labelSelector=group%3D7"

{
  echo "## HTTP/1.1 (wrk)"
  echo
  echo "\`wrk ${HTTP1_ARGS[*]} -d ${HTTP1_SECONDS}s\` over TLS after 3 s of warm-up, the same for every target:"
  echo "req/s, the ratio to this section's limit run, and wrk's latency distribution. Non-2xx: responses"
  echo "that were not 2xx, plus 1 if wrk saw socket errors. The HPA speaks HTTP/2 (the table at the top)."
  echo
  echo "| target | req/s | ratio to limit | p50 | p90 | p99 | non-2xx |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  limit_rps=$(echo "${http1_rows[0]}" | cut -d'|' -f2)
  for row in "${http1_rows[@]}"; do
    IFS='|' read -r name rps p50 p90 p99 errors <<<"$row"
    ratio=$(awk -v a="$rps" -v b="$limit_rps" 'BEGIN {if (b > 0 && a + 0 > 0) printf "%.0f%%", 100 * a / b; else print "?"}')
    echo "| $name | $rps | $ratio | $p50 | $p90 | $p99 | $errors |"
  done
  echo
} >>"$SECTIONS_MD"
