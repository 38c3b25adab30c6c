# shellcheck shell=bash
# bench/run section "start": process start to /readyz 200 and to the first value served (a read of a
# provider's metric answering 200), median of BENCH_START_RUNS launches (default 3), for the fat jar
# (`java -jar adapter/target/...-all.jar`) and for the start script of the distribution (bin/ of the
# adapter's dist tarball, unpacked under $WORK), each reading the small provider bench/run started.
#
# Time is taken from just before the launch to the first curl answering 200, polling every 10 ms; a curl
# costs a few ms, so the resolution is about 20 ms. The start script is measured as it is: whether it gave
# the JVM an AOT cache is read from the JVM's command line (jcmd VM.command_line) after the last launch,
# and whether the JVM used it from jcmd VM.info ("CDS archive(s) mapped"; a cache that does not match
# the class path is ignored, silently, and then nothing is mapped).
skip_section start && return 0

START_RUNS=${BENCH_START_RUNS:-3}
START_STEP=0.01

# the adapter module's package phase makes the tarball (the root pom's maven-assembly-plugin, dist/)
DIST_TAR=${ADAPTER_JAR%-all.jar}.tar.gz
[ -f "$DIST_TAR" ] || { echo "no distribution tarball $DIST_TAR: the build did not make it" >&2; exit 1; }
DIST_DIR=$WORK/dist
mkdir -p "$DIST_DIR"
tar -xzf "$DIST_TAR" -C "$DIST_DIR"
DIST_BIN=$DIST_DIR/$(basename "$DIST_TAR" .tar.gz)/bin/externalmetrics-adapter

# milliseconds since $1 (a date +%s%N) when GET $2 first answers 200; fails after READY_LIMIT
ms_until_200() {
  local deadline=$((SECONDS + READY_LIMIT))
  until [ "$(curl -sk -o /dev/null -w '%{http_code}' "$2")" = 200 ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "$2 did not answer 200 within ${READY_LIMIT}s" >&2; exit 1; }
    sleep "$START_STEP"
  done
  echo $(( ($(date +%s%N) - $1) / 1000000 ))
}

# CPU time (user + system) process $1 has used so far, ms: less disturbed by other load than wall time
cpu_ms() {
  echo $(($(cpu_ticks "$1") * 1000 / $(getconf CLK_TCK)))
}

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

start_rows=()
# launches the adapter $START_RUNS times with the command after $1 (the row's name) and an adapter config
# appended; adds a row; leaves START_JVM_ARGS and START_CDS: the JVM arguments of the last launch and
# its VM.info line on the CDS archive (where an AOT cache is mapped)
start_times() {
  local name=$1 ready=() value=() cpu=() i port pid begin
  shift
  echo "  $name" >&2
  for ((i = 1; i <= START_RUNS; i++)); do
    port=$(free_port)
    adapter_config "$WORK/adapter-start.yaml" "$port" "small=$SMALL"
    begin=$(date +%s%N)
    "$@" --config "$WORK/adapter-start.yaml" >"$WORK/start-${name// /-}-$i.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    ready+=("$(ms_until_200 "$begin" "https://127.0.0.1:$port/readyz")")
    cpu+=("$(cpu_ms "$pid")")
    value+=("$(ms_until_200 "$begin" "https://127.0.0.1:$port/$API/small-0")")
    if [ "$i" = "$START_RUNS" ]; then
      START_JVM_ARGS=$(jcmd "$pid" VM.command_line 2>/dev/null | sed -n 's/^jvm_args: //p')
      START_CDS=$(jcmd "$pid" VM.info 2>/dev/null | grep -m1 'CDS archive(s)' || true)
    fi
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
  start_rows+=("$name | $(median "${ready[@]}") | ${ready[*]} | $(median "${cpu[@]}") | $(median "${value[@]}") | ${value[*]}")
}

start_times "fat jar" java -jar "$ADAPTER_JAR"
start_times "start script, AOT_CACHE=off" env AOT_CACHE=off "$DIST_BIN"
start_times "start script" "$DIST_BIN"
aot=$(printf '%s\n' "$START_JVM_ARGS" | grep -o -E -- '-XX:AOTCache=[^ ]+' || true)
if [ -n "$aot" ]; then
  cache=${aot#-XX:AOTCache=}
  AOT_NOTE="the start script ran the JVM with \`-XX:AOTCache=${cache#"$DIST_DIR"/}\`"
  [ -f "$cache" ] && AOT_NOTE="$AOT_NOTE ($(du -m "$cache" | cut -f1) MB)" || AOT_NOTE="$AOT_NOTE (no such file)"
  case $START_CDS in
    *"not mapped"*) AOT_NOTE="$AOT_NOTE, which it did NOT use (VM.info: CDS archive(s) not mapped)" ;;
    *mapped*) AOT_NOTE="$AOT_NOTE, which it used (VM.info: CDS archive(s) mapped)" ;;
    *) AOT_NOTE="$AOT_NOTE; whether it was used is unknown (no CDS line in VM.info)" ;;
  esac
else
  AOT_NOTE="no AOT cache: the start script's JVM had no -XX:AOTCache (its JVM arguments: ${START_JVM_ARGS:-none})"
fi

{
  echo "## Start"
  echo
  echo "From launching the adapter (one provider, the small one above) to \`/readyz\` answering 200 and to the first"
  echo "value served (\`GET .../small-0\` answering 200), ms, median of $START_RUNS launches (each launch's times"
  echo "listed), polled every 10 ms with curl (resolution about 20 ms). Fat jar: \`java -jar $ADAPTER_JAR\`;"
  echo "start script: \`bin/externalmetrics-adapter\` of the unpacked \`${DIST_TAR#adapter/target/}\`, with its AOT cache"
  echo "turned off (\`AOT_CACHE=off\`) and as shipped: $AOT_NOTE. CPU ms at ready: the JVM's user + system time"
  echo "when \`/readyz\` first answered 200 (median), which other load on the machine disturbs less than wall time."
  echo "Target: start to ready < 0.8 s."
  echo
  echo "| launch | to /readyz 200 | launches | CPU ms at ready | to first value | launches |"
  echo "|---|---:|---|---:|---:|---|"
  for row in "${start_rows[@]}"; do
    echo "| $row |"
  done
  echo
} >>"$SECTIONS_MD"
