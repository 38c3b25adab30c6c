# shellcheck shell=bash
# bench/run section "memory": heap per series of a whole adapter process (target: < 400 bytes per series
# at 100k series; 1M series fit a 1 GiB heap).
#
# For each count N (and 0, the empty adapter): a BenchProvider serving one metric of N series with three
# labels (shard, group, label-2: as (b) and (c)), refreshed hourly so no refresh runs while measuring, and
# an adapter with -Xmx1g reading it. Once a read of the metric answers 200, `jcmd PID GC.run` (a full GC)
# twice, then the heap used from `jcmd PID GC.heap_info`; bytes per series = (used - used empty) / N.
#
# An adapter refuses a reply of more than maxSeries series (default 10,000) or maxReplyBytes bytes (default
# 64 MiB, gRPC's max inbound message size), and a fetch taking longer than its deadline (default 2 s): the
# config raises each, and this section does, and says so: maxSeries to N, the deadline to 60 s, and
# maxReplyBytes only after the default refused the reply (that run's error is shown, then a second run).
#
# Then a refresh of the largest count: the same metric refreshed every MEMORY_REFRESH_INTERVAL seconds, so the
# old sample is served (and alive) while the next reply is read and the new sample built (the fetch deadline is
# then half the interval). Once the adapter's /metrics counts MEMORY_REFRESH_FETCHES fetches of it with result
# ok, and none failed or invalid, a read must still answer: then the heap after GC.
skip_section memory && return 0

MEMORY_SERIES=${BENCH_MEMORY_SERIES:-10000 100000 1000000}
MEMORY_HEAP=${BENCH_MEMORY_HEAP:-1g}  # -Xmx of the adapters: BENCH_MEMORY_HEAP=600m shows what 1M series leave free
MEMORY_LOAD_LIMIT=120       # seconds an adapter gets to serve the metric
MEMORY_REPLY_BYTES=1073741824  # maxReplyBytes after the default refused a reply: 1 GiB
MEMORY_REFRESH_INTERVAL=60  # seconds between fetches in the refresh run (its fetch deadline: 30 s)
MEMORY_REFRESH_FETCHES=2    # fetches read in the refresh run: the first and one refresh
MEMORY_REFRESH_LIMIT=240    # seconds the refresh run gets for them

mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }

# prints the heap used (bytes) of JVM $1 now
heap_used() {
  jcmd "$1" GC.heap_info | awk '/heap/ && / used / {
    for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/,$/, "", v) }
    if (v ~ /K$/) print (v + 0) * 1024; else if (v ~ /M$/) print (v + 0) * 1048576; else print v + 0; exit }'
}

# prints "<full GCs> full GCs took <seconds> s" of JVM $1 so far (jstat's FGC and FGCT columns)
full_gcs() {
  jstat -gcutil "$1" | awk 'NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i}
    NR == 2 {printf "%d full GCs took %.0f s", $col["FGC"], $col["FGCT"]}'
}

# stops process $1: SIGTERM, and SIGKILL if it has not ended after 15 s (a JVM thrashing in GC may not)
stop_process() {
  kill "$1" 2>/dev/null || return 0
  local deadline=$((SECONDS + 15))
  while kill -0 "$1" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep "$STEP"; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# prints the heap used (bytes) after two full GCs of JVM $1
heap_used_after_gc() {
  jcmd "$1" GC.run >/dev/null && jcmd "$1" GC.run >/dev/null
  heap_used "$1"
}

# prints the fetches with result $2 the adapter at https://127.0.0.1:$1 has counted (its /metrics), all metrics
adapter_fetches() {
  curl -sk "https://127.0.0.1:$1/metrics" | awk -v r="result=\"$2\"" '
    /^externalmetrics_metric_fetches_total\{/ && index($0, r) {n += $NF} END {printf "%d", n}'
}

# starts a provider of one metric of $1 series and an adapter (-Xmx1g, maxReplyBytes $2 or the default)
# reading it; waits until the metric is served; sets MEM_USED (bytes) and MEM_SECONDS (launch to served)
# or MEM_ERROR; stops both. With $3 "refresh": the metric is refreshed every MEMORY_REFRESH_INTERVAL s, and
# once served, the run waits for MEMORY_REFRESH_FETCHES fetches answered before it checks and measures.
memory_run() {
  local series=$1 reply_bytes=${2:-} refresh=${3:-} name=mem$1 port aport provider adapter log interval=3600
  log=$WORK/adapter-$name${reply_bytes:+-raised}${refresh:+-refresh}.log
  MEM_USED='' MEM_ERROR='' MEM_SECONDS=-
  [ -z "$refresh" ] || { interval=$MEMORY_REFRESH_INTERVAL; name=$name-refresh; }
  start_provider "$name" --metrics 1 --series "$series" --labels 3 --interval "$interval"
  port=$PORT provider=${pids[${#pids[@]}-1]}
  aport=$(free_port)
  {
    printf 'server:\n  address: 127.0.0.1\n  port: %s\nproviders:\n' "$aport"
    printf '  - name: %s\n    target: 127.0.0.1:%s\n    maxSeries: %s\n    deadline: 60s\n' \
      "$name" "$port" "$((series > 0 ? series : 1))"
    [ -z "$reply_bytes" ] || printf '    maxReplyBytes: %s\n' "$reply_bytes"
  } >"$WORK/adapter-$name.yaml"
  java -Xmx$MEMORY_HEAP -XX:+UseG1GC -jar "$ADAPTER_JAR" --config "$WORK/adapter-$name.yaml" >"$log" 2>&1 &
  adapter=$!
  pids+=("$adapter")
  local url="https://127.0.0.1:$aport/$API/$name-0?labelSelector=shard%3D0" begin=$SECONDS frame
  local deadline=$((SECONDS + MEMORY_LOAD_LIMIT))
  until [ "$(curl -sk -o /dev/null -w '%{http_code}' "$url")" = 200 ]; do
    if ! kill -0 "$adapter" 2>/dev/null; then
      MEM_ERROR="adapter exited"
    elif grep -q -m1 'OutOfMemoryError' "$log"; then
      # with the frame that failed to allocate, when a stack was printed; a fetch that ran out of heap is
      # logged as a failed fetch (and retried with backoff) instead
      frame=$(grep -m1 -A1 'OutOfMemoryError' "$log" | sed -n '2s/^[[:space:]]*at /at /p')
      MEM_ERROR="OutOfMemoryError ${frame:-in the fetch: the reply did not fit in the heap (a failed fetch, retried)}"
    elif grep -q -m1 -E 'RESOURCE_EXHAUSTED|more than the limit|DEADLINE_EXCEEDED' "$log"; then
      # the log's own words, one line, without the timestamp and logger
      MEM_ERROR=$(grep -m1 -o -E '(RESOURCE_EXHAUSTED|DEADLINE_EXCEEDED|[^:]*more than the limit)[^"]{0,120}' "$log")
    elif [ "$SECONDS" -ge "$deadline" ]; then
      # how full the heap was then, without collecting, and the full GCs so far: a heap nearly full after
      # many full GCs is a fetch thrashing in GC, one that does not fit; a heap far from full a slow fetch
      MEM_ERROR="no value within ${MEMORY_LOAD_LIMIT} s ($(mib "$(heap_used "$adapter")") MiB of $MEMORY_HEAP used then;"
      MEM_ERROR="$MEM_ERROR $(full_gcs "$adapter"))"
    fi
    [ -z "$MEM_ERROR" ] || break
    sleep "$STEP"
  done
  if [ -z "$MEM_ERROR" ]; then
    MEM_SECONDS=$((SECONDS - begin))
    if [ -n "$refresh" ]; then
      deadline=$((SECONDS + MEMORY_REFRESH_LIMIT))
      local failed
      until [ "$(adapter_fetches "$aport" ok)" -ge "$MEMORY_REFRESH_FETCHES" ]; do
        failed=$(($(adapter_fetches "$aport" error) + $(adapter_fetches "$aport" invalid)))
        if ! kill -0 "$adapter" 2>/dev/null; then
          MEM_ERROR="adapter exited"
        elif [ "$failed" -gt 0 ]; then
          # the log's words: the failed fetch's line, from "failed:" on
          MEM_ERROR="a fetch failed$(grep -m1 -o -E 'failed: [^"]{0,120}' "$log" | sed 's/^failed//')"
        elif [ "$SECONDS" -ge "$deadline" ]; then
          MEM_ERROR="$(adapter_fetches "$aport" ok) fetches read within ${MEMORY_REFRESH_LIMIT} s"
        fi
        [ -z "$MEM_ERROR" ] || break
        sleep 1
      done
      if [ -z "$MEM_ERROR" ] && [ "$(curl -sk -o /dev/null -w '%{http_code}' "$url")" != 200 ]; then
        MEM_ERROR="no value after the refreshes"
      fi
    fi
    [ -n "$MEM_ERROR" ] || MEM_USED=$(heap_used_after_gc "$adapter")
  fi
  stop_process "$adapter"
  stop_process "$provider"
}

memory_rows=()
echo "  empty adapter (a metric of 0 series)" >&2
memory_run 0
EMPTY_USED=$MEM_USED
memory_rows+=("0 (empty) | default | ${MEM_USED:+$(mib "$MEM_USED")}${MEM_ERROR:+not measured: $MEM_ERROR} | - | - | $MEM_SECONDS")
for series in $MEMORY_SERIES; do
  echo "  $series series" >&2
  memory_run "$series"
  limit=default
  if [ -n "$MEM_ERROR" ]; then
    memory_rows+=("$series | default (64 MiB) | not served: ${MEM_ERROR//|//} | - | no | -")
    case $MEM_ERROR in
      RESOURCE_EXHAUSTED*)
        echo "  $series series, maxReplyBytes raised" >&2
        memory_run "$series" "$MEMORY_REPLY_BYTES"
        limit="$(mib "$MEMORY_REPLY_BYTES") MiB"
        ;;
      *) continue ;;
    esac
  fi
  if [ -n "$MEM_ERROR" ]; then
    memory_rows+=("$series | $limit | not served: ${MEM_ERROR//|//} | - | no | -")
  elif [ -n "$EMPTY_USED" ]; then
    per=$(awk -v u="$MEM_USED" -v e="$EMPTY_USED" -v n="$series" 'BEGIN {printf "%.0f", (u - e) / n}')
    memory_rows+=("$series | $limit | $(mib "$MEM_USED") | $per | yes | $MEM_SECONDS")
  else
    memory_rows+=("$series | $limit | $(mib "$MEM_USED") | - | yes | $MEM_SECONDS")
  fi
done

# the largest count again, refreshed while served
refresh_series=${MEMORY_SERIES##* }
echo "  $refresh_series series, refreshed every $MEMORY_REFRESH_INTERVAL s" >&2
memory_run "$refresh_series" "" refresh
if [ -n "$MEM_ERROR" ]; then
  refresh_row="$refresh_series | not served through its refreshes: ${MEM_ERROR//|//} | -"
else
  refresh_row="$refresh_series | refreshes read: $((MEMORY_REFRESH_FETCHES - 1)), none failed, a read answered | $(mib "$MEM_USED")"
fi

{
  echo "## Memory per series"
  echo
  echo "A whole adapter process (\`java -Xmx$MEMORY_HEAP -XX:+UseG1GC -jar\`: G1 as on any machine of 2 cores and 2 GiB or more) holding one metric of N series of"
  echo "three labels (shard=<i>, group=<i/10>, label-2=value-<i mod 7>) from a BenchProvider: heap used after two"
  echo "\`jcmd PID GC.run\` (full GCs) once the metric is served. Bytes per series: (heap used - heap used by the"
  echo "same adapter serving a metric of 0 series) / N. The config raises maxSeries to N (default 10,000) and the"
  echo "fetch deadline to 60 s (default 2 s); maxReplyBytes (default 64 MiB) only when the default refused the"
  echo "reply, shown in its own row. Served: the adapter answered the metric within ${MEMORY_LOAD_LIMIT} s in a"
  echo "$MEMORY_HEAP heap. Target: < 400 bytes per series at 100k; 1M series fit a 1 GiB heap."
  echo
  echo "| series | maxReplyBytes | heap used after GC (MiB) | bytes per series | served in $MEMORY_HEAP | launch to served (s) |"
  echo "|---:|---|---:|---:|---|---:|"
  for row in "${memory_rows[@]}"; do
    echo "| $row |"
  done
  echo
  echo "Refresh: the same adapter and metric of the largest count, refreshed every $MEMORY_REFRESH_INTERVAL s (the"
  echo "old sample served, and alive, while the next reply is read and its sample built; fetch deadline: half the"
  echo "interval) until the adapter's /metrics counts $MEMORY_REFRESH_FETCHES fetches of it read (result ok), none failed"
  echo "or invalid; then a read must answer, and the heap used after two full GCs."
  echo
  echo "| series | refreshes in $MEMORY_HEAP | heap used after GC (MiB) |"
  echo "|---:|---|---:|"
  echo "| $refresh_row |"
  echo
} >>"$SECTIONS_MD"
