# shellcheck shell=bash
# bench/run section "refresh" (issue 11, section 4): one BenchProvider, one adapter, one channel.
#   1. interval metrics: fetches/s sustained and the adapter's CPU per 1,000 fetches/s;
#   2. push metrics: Watch events/s fired, sent (what the adapter took), the fetches they became after
#      coalescing, and the adapter's CPU;
#   3. Describe of 10,000 metrics: adapter launch to all registered and to all first values, against
#      the same with one metric.
# Fetches, events fired and sent are the provider's own counts (its `stats` lines); CPU is utime+stime
# from /proc/PID/stat over the measured window, after a warm-up. Bounded: about 2 minutes.
#
# Sourced by bench/run (appends markdown to $SECTIONS_MD; starts and stops its own provider and
# adapters), or run alone: bench/sections/refresh.sh (builds what is missing, prints the markdown).
# Environment:
#   BENCH_SKIP                containing "refresh": skipped (by bench/run)
#   BENCH_REFRESH_WARMUP      seconds before each window (default 15: the JIT needs it)
#   BENCH_REFRESH_WINDOW      seconds measured (default 20)
#   BENCH_REFRESH_METRICS     interval metrics (default 1000)
#   BENCH_REFRESH_INTERVAL_MS their interval (default 100: 10,000 fetches/s wanted)
#   BENCH_REFRESH_PUSH        push metrics (default 1000)
#   BENCH_REFRESH_FIRE_RATE   events fired per second over all push metrics (default 20000; 0: as fast
#                             as one thread can)
#   BENCH_REFRESH_DESCRIBE    metrics for the Describe measurement (default 10000)
#   BENCH_REFRESH_JAVA_OPTS   extra JVM options for the adapters, e.g. a JFR recording

refresh_section() {
  local warmup=${BENCH_REFRESH_WARMUP:-15} window=${BENCH_REFRESH_WINDOW:-20}
  local metrics=${BENCH_REFRESH_METRICS:-1000} interval_ms=${BENCH_REFRESH_INTERVAL_MS:-100}
  local push=${BENCH_REFRESH_PUSH:-1000} fire_rate=${BENCH_REFRESH_FIRE_RATE:-20000}
  local describe=${BENCH_REFRESH_DESCRIBE:-10000}
  local dir=$WORK/refresh
  local hz
  hz=$(getconf CLK_TCK)
  mkdir -p "$dir"

  rf_own() { # bench/run's cleanup ends process $1 too, should this section stop half way
    if declare -p pids >/dev/null 2>&1; then pids+=("$1"); fi
  }
  rf_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  }
  # waits (up to 60 s) until file $1 of process $2 has a line matching $3
  rf_await() {
    local deadline=$((SECONDS + 60))
    until grep -q "$3" "$1" 2>/dev/null; do
      kill -0 "$2" 2>/dev/null || { echo "process $2 ended (log $1)" >&2; return 1; }
      [ "$SECONDS" -lt "$deadline" ] || { echo "not ready after 60s: $1" >&2; return 1; }
      sleep 0.05
    done
  }
  rf_stats() { # the provider's last counts in log $1: "fetches fired sent"
    grep '^stats ' "$1" | tail -1 | sed 's/^stats fetches=\([0-9]*\) fired=\([0-9]*\) sent=\([0-9]*\).*/\1 \2 \3/'
  }
  rf_errors() { # fetches of adapter on port $1 that did not end ok, so far
    curl -sk "https://127.0.0.1:$1/metrics" \
      | awk '/^externalmetrics_metric_fetches_total/ && !/result="ok"/ {sum += $NF} END {printf "%d", sum}'
  }
  # starts a provider named $1 with the remaining arguments; sets RF_PROVIDER_PID, RF_PROVIDER_PORT
  rf_provider() {
    local name=$1
    shift
    RF_PROVIDER_PORT=$(rf_port)
    java -cp "$BENCH_JAR" io.externalmetrics.bench.BenchProvider --port "$RF_PROVIDER_PORT" --prefix "$name" \
      --stats-ms 100 "$@" >"$dir/provider-$name.log" 2>&1 &
    RF_PROVIDER_PID=$!
    rf_own "$RF_PROVIDER_PID"
    rf_await "$dir/provider-$name.log" "$RF_PROVIDER_PID" listening
  }
  # starts an adapter for provider $1 on port $2; sets RF_ADAPTER_PID, RF_ADAPTER_PORT, RF_ADAPTER_LOG
  rf_adapter() {
    RF_ADAPTER_PORT=$(rf_port)
    RF_ADAPTER_LOG=$dir/adapter-$1.log
    printf 'server:\n  address: 127.0.0.1\n  port: %s\nproviders:\n  - name: %s\n    target: 127.0.0.1:%s\n' \
      "$RF_ADAPTER_PORT" "$1" "$2" >"$dir/adapter-$1.yaml"
    # shellcheck disable=SC2086 # options are words
    java ${BENCH_REFRESH_JAVA_OPTS:-} -jar "$ADAPTER_JAR" --config "$dir/adapter-$1.yaml" >"$RF_ADAPTER_LOG" 2>&1 &
    RF_ADAPTER_PID=$!
    rf_own "$RF_ADAPTER_PID"
  }
  rf_stop() {
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
  }
  # measures provider log $1, adapter $2 (pid) on port $3, provider $4 (pid) over the window; sets
  # RF_SECONDS RF_FETCHES RF_FIRED RF_SENT RF_ADAPTER_CORES RF_PROVIDER_CORES RF_ERRORS
  rf_measure() {
    sleep "$warmup"
    local e0 e1 t0 t1 a0 a1 p0 p1 s0 s1
    e0=$(rf_errors "$3")
    s0=$(rf_stats "$1"); t0=$(date +%s%N); a0=$(cpu_ticks "$2"); p0=$(cpu_ticks "$4")
    sleep "$window"
    s1=$(rf_stats "$1"); t1=$(date +%s%N); a1=$(cpu_ticks "$2"); p1=$(cpu_ticks "$4")
    e1=$(rf_errors "$3")
    RF_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
    read -r RF_FETCHES RF_FIRED RF_SENT < <(awk -v a="$s0" -v b="$s1" -v s="$RF_SECONDS" 'BEGIN {
      split(a, x, " "); split(b, y, " "); printf "%.0f %.0f %.0f\n", (y[1]-x[1])/s, (y[2]-x[2])/s, (y[3]-x[3])/s}')
    RF_ADAPTER_CORES=$(awk -v a="$a0" -v b="$a1" -v s="$RF_SECONDS" -v hz="$hz" 'BEGIN {printf "%.2f", (b-a)/hz/s}')
    RF_PROVIDER_CORES=$(awk -v a="$p0" -v b="$p1" -v s="$RF_SECONDS" -v hz="$hz" 'BEGIN {printf "%.2f", (b-a)/hz/s}')
    RF_ERRORS=$((e1 - e0))
  }
  per_thousand() { # cores $1 per 1,000 fetches/s at $2 fetches/s; and microseconds of CPU per fetch
    awk -v c="$1" -v f="$2" 'BEGIN {if (f > 0) printf "%.3f cores (%.0f µs/fetch)", 1000 * c / f, 1e6 * c / f; else print "-"}'
  }

  echo "Refresh: $metrics interval metrics every $interval_ms ms (warm-up ${warmup}s, window ${window}s)..." >&2
  rf_provider interval --metrics "$metrics" --interval-ms "$interval_ms"
  local ip=$RF_PROVIDER_PID
  rf_adapter interval "$RF_PROVIDER_PORT"
  rf_await "$RF_ADAPTER_LOG" "$RF_ADAPTER_PID" "serving $metrics metrics"
  rf_measure "$dir/provider-interval.log" "$RF_ADAPTER_PID" "$RF_ADAPTER_PORT" "$ip"
  local wanted=$((metrics * 1000 / interval_ms))
  local interval_row
  interval_row="| $metrics interval metrics every $interval_ms ms (wanted: $wanted fetches/s) | $RF_FETCHES | - | - \
| $RF_ADAPTER_CORES | $(per_thousand "$RF_ADAPTER_CORES" "$RF_FETCHES") | $RF_PROVIDER_CORES | $RF_ERRORS |"
  rf_stop "$RF_ADAPTER_PID" "$ip"

  echo "Refresh: $push push metrics, events fired at ${fire_rate}/s (0: as fast as it can)..." >&2
  rf_provider push --metrics 1 --push "$push" --fire-rate "$fire_rate"
  local pp=$RF_PROVIDER_PID
  rf_adapter push "$RF_PROVIDER_PORT"
  rf_await "$RF_ADAPTER_LOG" "$RF_ADAPTER_PID" "serving $((push + 1)) metrics"
  rf_measure "$dir/provider-push.log" "$RF_ADAPTER_PID" "$RF_ADAPTER_PORT" "$pp"
  local push_row
  push_row="| $push push metrics, events fired at ${fire_rate}/s | $RF_FETCHES | $RF_FIRED | $RF_SENT \
| $RF_ADAPTER_CORES | $(per_thousand "$RF_ADAPTER_CORES" "$RF_FETCHES") | $RF_PROVIDER_CORES | $RF_ERRORS |"
  rf_stop "$RF_ADAPTER_PID" "$pp"

  # launch to all registered ("serving N metrics") and to every metric's first fetch, and the CPU then
  local -a describe_rows=()
  local count
  for count in 1 "$describe"; do
    echo "Refresh: Describe of $count metrics..." >&2
    rf_provider "d$count" --metrics "$count"
    local dp=$RF_PROVIDER_PID begin registered fetched cpu_registered cpu_fetched deadline
    begin=$(date +%s%N)
    rf_adapter "d$count" "$RF_PROVIDER_PORT"
    rf_await "$RF_ADAPTER_LOG" "$RF_ADAPTER_PID" "serving $count metrics"
    registered=$(( ($(date +%s%N) - begin) / 1000000 ))
    cpu_registered=$(cpu_ticks "$RF_ADAPTER_PID")
    deadline=$((SECONDS + 60))
    until [ "$(rf_stats "$dir/provider-d$count.log" | cut -d' ' -f1)" -ge "$count" ] 2>/dev/null; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "not every metric fetched after 60s" >&2; break; }
      sleep 0.05
    done
    fetched=$(( ($(date +%s%N) - begin) / 1000000 ))
    cpu_fetched=$(cpu_ticks "$RF_ADAPTER_PID")
    describe_rows+=("| $count | $registered | $(awk -v t="$cpu_registered" -v hz="$hz" 'BEGIN {printf "%.2f", t/hz}') \
| $fetched | $(awk -v t="$cpu_fetched" -v hz="$hz" 'BEGIN {printf "%.2f", t/hz}') |")
    rf_stop "$RF_ADAPTER_PID" "$dp"
  done

  {
    echo
    echo "## Refresh: one provider, one adapter, one channel"
    echo
    echo "Fetches, events fired and events sent: the provider's own counts; CPU: utime+stime of each process"
    echo "from /proc over ${window}s after a ${warmup}s warm-up, in cores (1.00 = one core busy all the time)."
    echo "Events sent are what the adapter took (the provider's SDK coalesces events for a stream that cannot"
    echo "take more); fetches are what they became after the adapter's coalescing (a trigger during a fetch"
    echo "marks it dirty: one more fetch). Fetch errors: the adapter's \`externalmetrics_metric_fetches_total\`"
    echo "not ok, in the window. Provider, adapter and h2load share the machine's $(nproc) cores."
    echo
    echo "| load | fetches/s | events fired/s | events sent/s | adapter CPU | adapter CPU per 1,000 fetches/s | provider CPU | fetch errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    echo "$interval_row" | tr -s ' '
    echo "$push_row" | tr -s ' '
    echo
    echo "Describe: launching the adapter (one provider already up, every metric every 30 s) to its log saying"
    echo "\"serving N metrics\" (all registered), and to the provider having answered N fetches (every first"
    echo "value), with the adapter's CPU seconds (JVM start included) at each point."
    echo
    echo "| metrics | to registered (ms) | CPU then (s) | to every first value (ms) | CPU then (s) |"
    echo "|---:|---:|---:|---:|---:|"
    printf '%s\n' "${describe_rows[@]}" | tr -s ' '
    echo
  } >>"$SECTIONS_MD"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # run alone
  set -euo pipefail
  cd "$(dirname "$0")/../.."
  source scripts/env.sh
  source bench/cpu.sh
  ADAPTER_JAR=adapter/target/externalmetrics-adapter-0.1.0-SNAPSHOT-all.jar
  BENCH_JAR=bench/target/externalmetrics-bench-0.1.0-SNAPSHOT-all.jar
  if [ ! -f "$ADAPTER_JAR" ] || [ ! -f "$BENCH_JAR" ]; then
    echo "Building the adapter and the bench module (tests skipped)..." >&2
    mvn -B -ntp -o -q package -DskipTests -pl adapter,bench -am >/dev/null 2>&1 \
      || mvn -B -ntp -q package -DskipTests -pl adapter,bench -am
  fi
  WORK=bench/target/run-refresh
  rm -rf "$WORK"
  mkdir -p "$WORK"
  SECTIONS_MD=$WORK/sections.md
  : >"$SECTIONS_MD"
  trap 'for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done' EXIT
  refresh_section
  cat "$SECTIONS_MD"
elif ! skip_section refresh; then
  refresh_section
fi
