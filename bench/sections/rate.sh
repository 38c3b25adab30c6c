# shellcheck shell=bash
# bench/run section "rate": latency at a fixed request rate (target: p99 < 1 ms at 5,000 req/s) for the
# limit and read-path targets (a), (b) and (c), on the adapters and limit bench/run started.
#
# Open loop, with latency from the time a request was due: RATE_CLIENTS h2load processes side by side,
# each one connection with --rps RATE/RATE_CLIENTS. h2load paces a connection on a timer and sends the
# requests due whatever the responses (up to -m in flight, set far above what the rate keeps in flight;
# late timers catch up). Its per-request log has each request's send time and duration; with one
# connection per log the k-th request sent was due at h2load's timer tick for it (see due_time_log), so its
# latency is counted from then: time a request waited because the client or the machine fell behind is in the latency, not
# hidden (coordinated omission). "from send" is h2load's own figure, for comparison; "send lag" is how
# late the latest send was.
skip_section rate && return 0

RATE=${BENCH_RATE:-5000}
RATE_SECONDS=${BENCH_RATE_SECONDS:-10}
RATE_CLIENTS=10
RATE_STREAMS=100

# rewrites h2load --log-file $1 of one connection at $2 req/s: the duration column becomes the time from
# when the request was due to the end of its response, and a fourth column the send lag, both in µs.
# h2load paces --rps on a timer of max(10 ms, 1/rps): the first request goes out at once, then each tick
# sends the rps x tick requests due by then (5 every 10 ms at 500 req/s), so request k is due at tick
# ceil(k / per tick). A request sent before its tick (a late timer catching up) counts from its send.
due_time_log() {
  sort -n -k1,1 "$1" | awk -F'\t' -v OFS='\t' -v rate="$2" '
    NR == 1 { first = $1; tick = rate < 100 ? 1e6 / rate : 10000; per = rate * tick / 1e6 }
    {
      k = NR - 1; j = int(k / per); if (j * per < k) j++
      due = first + j * tick; if (due > $1) due = $1
      print $1, $2, $1 + $3 - due, $1 - due
    }'
}

rate_rows=()
# runs target $1 at URL $2: 1 s at the rate as a warm-up, then RATE_SECONDS measured
at_rate() {
  local name=$1 url=$2 dir=$WORK/rate-${#rate_rows[@]} per=$((RATE / RATE_CLIENTS)) i runs=()
  local args=(-c 1 -m "$RATE_STREAMS" -t 1 --rps "$per")
  echo "  $name at $RATE req/s" >&2
  mkdir -p "$dir"
  for ((i = 0; i < RATE_CLIENTS; i++)); do
    timeout "$LOAD_LIMIT" h2load "${args[@]}" -n "$per" "$url" >/dev/null 2>&1 &
    runs+=("$!")
  done
  wait "${runs[@]}" || true
  runs=()
  for ((i = 0; i < RATE_CLIENTS; i++)); do
    timeout "$((RATE_SECONDS + LOAD_LIMIT))" h2load "${args[@]}" -n "$((per * RATE_SECONDS))" \
      --log-file="$dir/$i.log" "$url" >"$dir/$i.txt" 2>&1 &
    runs+=("$!")
  done
  wait "${runs[@]}" || true
  for ((i = 0; i < RATE_CLIENTS; i++)); do
    due_time_log "$dir/$i.log" "$per"
  done >"$dir/due.log"
  local ok sent lag from_send
  ok=$(awk -F'\t' '$2 >= 200 && $2 < 300 {n++} END {printf "%d", n}' "$dir/due.log")
  # requests over the span of sends, summed over the connections
  sent=$(for ((i = 0; i < RATE_CLIENTS; i++)); do
    awk -F'\t' 'NR == 1 || $1 < a {a = $1} $1 > b {b = $1} END {if (NR > 1) print (NR - 1) * 1e6 / (b - a)}' "$dir/$i.log"
  done | awk '{s += $1} END {printf "%.0f", s}')
  lag=$(awk -F'\t' '$4 > m {m = $4} END {printf "%.1f", m / 1000}' "$dir/due.log")
  from_send=$(cat "$dir"/[0-9]*.log | latencies /dev/stdin | cut -d'|' -f2 | tr -d ' ')
  rate_rows+=("$name|$ok of $((per * RATE_SECONDS * RATE_CLIENTS))|$sent|$lag|$(latencies "$dir/due.log")|$from_send")
}

RATE_TARGETS=(
  "limit|$LIMIT"
  "(a) no-selector read, 3 series|$A/small-0"
  "(b) selector, 10 of 1,000 series|$A/k1-0?labelSelector=group%3D7"
  "(c) selector, 10 of 10,000 series|$A/k10-0?labelSelector=group%3D7"
)
# two rounds, the second in reverse order, each target's round with the lower p99 kept: as the read table's
# rounds, so the machine's drift does not fall on whichever target comes first
n_rate=${#RATE_TARGETS[@]}
rate_all=() # rate_all[(round - 1) * n_rate + i]: target i's row in that round
for round in 1 2; do
  for ((k = 0; k < n_rate; k++)); do
    i=$(( round == 1 ? k : n_rate - 1 - k ))
    at_rate "${RATE_TARGETS[i]%%|*}" "${RATE_TARGETS[i]#*|}"
    rate_all[(round - 1) * n_rate + i]=${rate_rows[${#rate_rows[@]}-1]}
  done
done
rate_rows=()
for ((i = 0; i < n_rate; i++)); do
  first=${rate_all[i]} second=${rate_all[n_rate + i]}
  p99_1=$(echo "$first" | cut -d'|' -f6 | tr -d ' ') p99_2=$(echo "$second" | cut -d'|' -f6 | tr -d ' ')
  if awk -v a="$p99_1" -v b="$p99_2" 'BEGIN {exit !((a + 0) <= (b + 0))}'; then
    rate_rows+=("$first|1 ($p99_1 / $p99_2)")
  else
    rate_rows+=("$second|2 ($p99_1 / $p99_2)")
  fi
done

{
  echo "## Latency at a fixed $RATE req/s"
  echo
  echo "$RATE_CLIENTS \`h2load -c 1 -m $RATE_STREAMS -t 1 --rps $((RATE / RATE_CLIENTS)) -n $((RATE / RATE_CLIENTS * RATE_SECONDS))\`" \
    "side by side: $RATE req/s over $RATE_CLIENTS connections for $RATE_SECONDS s, open loop, after 1 s at the"
  echo "same rate. Latency (ms) from the time each request was due by h2load's schedule (its 10 ms timer tick for"
  echo "the request on its connection) to the end of its response, so time lost to a client or machine that fell behind counts;"
  echo "\"p99 from send\" is h2load's own measure (from the actual send), \"send lag\" the latest a send went out"
  echo "(ms). 2xx: successful responses of those scheduled. Adapter A, its providers and the limit run alone (the second adapter stopped"
  echo "after the read table). Two rounds, the second in reverse order; each row is the target's round with the lower p99."
  echo "Target: p99 < 1 ms for (a), (b) and (c)."
  echo
  echo "| target | 2xx | sent req/s | send lag | p50 | p99 | p99.9 | max | p99 from send | round (p99 of each) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  for row in "${rate_rows[@]}"; do
    echo "| ${row//|/ | } |" | tr -s ' '
  done
  echo
} >>"$SECTIONS_MD"
