# bench/run section "rate": latency at a fixed request rate (target: p99 < 1 ms at 5,000 req/s) for the
# limit and read-path targets (a), (b) and (c), on the adapters and limit bench/run started.
#
# h2load --rps paces each connection on a timer: the requests due are sent when due whatever the
# responses, up to the connection's stream cap (-m); only beyond it would they wait and their wait go
# unmeasured (coordinated omission). So: a cap far above what the rate keeps in flight, and a check that
# the requests went out on schedule: "send lag" is how far the k-th request sent lagged the k-th slot of
# the schedule (first send + k / rate), the largest over the run; a few ms of it is the connections'
# different start times, more means the client or the machine fell behind and the latencies understate.
skip_section rate && return 0

RATE=${BENCH_RATE:-5000}
RATE_SECONDS=${BENCH_RATE_SECONDS:-10}
RATE_CLIENTS=10
RATE_STREAMS=100

# prints "sent req/s | send lag ms" of an h2load --log-file $1 run at $2 req/s
send_schedule() {
  awk -F'\t' '{print $1}' "$1" | sort -n | awk -v rate="$2" '
    NR == 1 { first = $1 }
    { lag = ($1 - first) - (NR - 1) * 1e6 / rate; if (lag > worst) worst = lag; last = $1 }
    END { if (NR < 2) { print "? | ?"; exit } printf "%.0f | %.1f\n", (NR - 1) * 1e6 / (last - first), worst / 1000 }'
}

rate_rows=()
# runs target $1 at URL $2: a 1 s warm-up at the rate, then RATE_SECONDS measured
at_rate() {
  local name=$1 url=$2 log=$WORK/rate-${#rate_rows[@]}.log out=$WORK/rate-${#rate_rows[@]}.txt
  local args=(-c "$RATE_CLIENTS" -m "$RATE_STREAMS" -t 1 --rps "$((RATE / RATE_CLIENTS))")
  echo "  $name at $RATE req/s" >&2
  timeout "$LOAD_LIMIT" h2load "${args[@]}" -n "$RATE" "$url" >/dev/null 2>&1 || true
  timeout "$((RATE_SECONDS + LOAD_LIMIT))" h2load "${args[@]}" -n "$((RATE * RATE_SECONDS))" --log-file="$log" \
    "$url" >"$out" 2>&1 || true
  local statuses over
  statuses=$(sed -n 's/^status codes: //p' "$out" | sed 's/, 0 [0-9]xx//g; s/^0 2xx, //')
  over=$(awk -F'\t' '$2 != -1 && $3 > 1000 {n++} END {printf "%d", n}' "$log")
  rate_rows+=("$name|${statuses:-?}|$(send_schedule "$log" "$RATE")|$(latencies "$log")|$over")
}

at_rate "limit" "$LIMIT"
at_rate "(a) no-selector read, 3 series" "$A/small-0"
at_rate "(b) selector, 10 of 1,000 series" "$A/k1-0?labelSelector=group%3D7"
at_rate "(c) selector, 10 of 10,000 series" "$A/k10-0?labelSelector=group%3D7"

{
  echo "## Latency at a fixed $RATE req/s"
  echo
  echo "\`h2load -c $RATE_CLIENTS -m $RATE_STREAMS -t 1 --rps $((RATE / RATE_CLIENTS)) -n $((RATE * RATE_SECONDS))\`" \
    "($RATE req/s over $RATE_CLIENTS connections for $RATE_SECONDS s, after 1 s at the same rate). Latency (ms)"
  echo "from send to end of response, from h2load's per-request log. h2load sends each request when due whatever"
  echo "the responses (open loop) up to $RATE_STREAMS in flight per connection; \"send lag\": how far behind the"
  echo "schedule the sends fell at worst (a few ms is the connections' staggered starts; more means the latencies"
  echo "understate). Target: p99 < 1 ms for (a), (b) and (c)."
  echo
  echo "| target | status codes | sent req/s | send lag | p50 | p99 | p99.9 | max | over 1 ms |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${rate_rows[@]}"; do
    echo "| ${row//|/ | } |" | tr -s ' '
  done
  echo
} >>"$SECTIONS_MD"
