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
skip_section memory && return 0

MEMORY_SERIES=${BENCH_MEMORY_SERIES:-10000 100000 1000000}
MEMORY_HEAP=1g
MEMORY_LOAD_LIMIT=120       # seconds an adapter gets to serve the metric
MEMORY_REPLY_BYTES=1073741824  # maxReplyBytes after the default refused a reply: 1 GiB

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

# starts a provider of one metric of $1 series and an adapter (-Xmx1g, maxReplyBytes $2 or the default)
# reading it; waits until the metric is served; sets MEM_USED (bytes) and MEM_SECONDS (launch to served)
# or MEM_ERROR; stops both
memory_run() {
  local series=$1 reply_bytes=${2:-} name=mem$1 port aport provider adapter log
  log=$WORK/adapter-$name${reply_bytes:+-raised}.log
  MEM_USED='' MEM_ERROR='' MEM_SECONDS=-
  start_provider "$name" --metrics 1 --series "$series" --labels 3 --interval 3600
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
    MEM_USED=$(heap_used_after_gc "$adapter")
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
} >>"$SECTIONS_MD"
