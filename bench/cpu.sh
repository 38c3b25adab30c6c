# shellcheck shell=bash
# CPU time of processes, for bench/run and its sections (sourced).

# prints the user + system CPU time, in clock ticks (getconf CLK_TCK a second), that processes $@ have used
# so far, summed; a process already gone counts 0. From /proc/PID/stat: fields 14 and 15, counted after
# the command in parentheses, which may hold spaces.
cpu_ticks() {
  local pid
  for pid in "$@"; do
    awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || true
  done | awk '{s += $1} END {print s + 0}'
}
