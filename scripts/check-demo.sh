#!/usr/bin/env bash
# Checks how ./demo fails, as a user would see it (./run-tests runs this after Maven):
#   - ADAPTER_PORT taken by another program: exits 1 at once, naming the port, instead of reading
#     from whatever holds it (or, as before, printing "ready" for an adapter that never listened);
#   - the adapter not ready within ADAPTER_WAIT: exits 1 with the end of the adapter's log instead of
#     printing "ready".
# Prints one line per check, "PASS name" or "FAIL name" (with the demo's output), and exits 1 when
# any failed. Each demo run is bounded by `timeout`.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

work=$(mktemp -d)
holder=
cleanup() {
  if [ -n "$holder" ]; then kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Listens on COUNT free loopback ports, prints them on one line, and keeps them SECONDS seconds.
cat > "$work/HoldPorts.java" <<'JAVA'
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

public class HoldPorts {
    public static void main(String[] args) throws Exception {
        List<ServerSocket> sockets = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            sockets.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            line.append(i == 0 ? "" : " ").append(sockets.get(i).getLocalPort());
        }
        System.out.println(line);
        Thread.sleep(Long.parseLong(args[0]) * 1000);
        for (ServerSocket socket : sockets) {
            socket.close();
        }
    }
}
JAVA

# hold_ports SECONDS COUNT: holds COUNT free ports for SECONDS (0: gives them back at once and waits
# for that); sets the array $ports, and $holder to the holding process while it runs.
hold_ports() {
  ports=()
  : >"$work/ports"
  "$JAVA_HOME/bin/java" "$work/HoldPorts.java" "$1" "$2" >"$work/ports" 2>&1 &
  holder=$!
  for _ in $(seq 1 300); do
    read -r -a ports <"$work/ports" || true
    if [ "${#ports[@]}" -eq "$2" ] && [[ ${ports[0]} =~ ^[0-9]+$ ]]; then
      if [ "$1" = 0 ]; then wait "$holder" 2>/dev/null; holder=; fi
      return 0
    fi
    sleep 0.1
  done
  echo "HoldPorts did not print $2 ports: $(cat "$work/ports")" >&2
  return 1
}

failed=0
check() {  # check NAME EXPECTED-EXIT TEXT... < demo output file; the exit code is in $status
  local name=$1 expected=$2 output=$3
  shift 3
  local problem=
  if [ "$status" != "$expected" ]; then
    problem="exit code $status, expected $expected"
  fi
  for text in "$@"; do
    if ! grep -qF -- "$text" "$output"; then problem="${problem:+$problem; }no line containing \"$text\""; fi
  done
  if grep -q ' ready\.$' "$output"; then problem="${problem:+$problem; }it printed \"ready.\""; fi
  if [ -z "$problem" ]; then
    echo "PASS $name"
  else
    echo "FAIL $name: $problem; the demo printed:"
    sed 's/^/    | /' "$output"
    failed=$((failed + 1))
  fi
}

# 1. The adapter's port is taken.
hold_ports 600 1 || exit 1
status=0
ADAPTER_PORT=${ports[0]} timeout -k 10 120 ./demo >"$work/taken.out" 2>&1 || status=$?
check "demo_adapterPortTaken_exitsNamingThePort" 1 "$work/taken.out" "Port ${ports[0]} on 127.0.0.1 is in use"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=

# 2. The adapter is not ready within the wait (none at all, so the check does not race the adapter).
hold_ports 0 2 || exit 1
status=0
ADAPTER_WAIT=0 ADAPTER_PORT=${ports[0]} PROVIDER_PORT=${ports[1]} timeout -k 10 600 ./demo >"$work/late.out" 2>&1 \
  || status=$?
check "demo_adapterNotReadyInTime_exitsWithTheAdapterLog" 1 "$work/late.out" \
  "The adapter was not ready within 0s" "The end of .demo/adapter.log:" "Stopped."

[ "$failed" -eq 0 ]
