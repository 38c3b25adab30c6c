# shellcheck shell=bash
# bench/run section "jmh": the JMH microbenchmarks of the bench module (selector parse and match, the
# selector cache, quantity formatting, value-list encoding, lookup among 10,000 metrics, selection among
# 1,000 and 10,000 series, the 404 answer), with short bounded settings (about 3 min: 35 benchmark runs,
# each 2 s of warm-up and 1.5 s measured in one fork), as a markdown table.
#
# BENCH_JMH_ARGS replaces the JMH options (default below); a regular expression among them picks
# benchmarks, e.g. BENCH_JMH_ARGS="-f 1 -wi 3 -i 5 LookupBench".
skip_section jmh && return 0

JMH_ARGS=${BENCH_JMH_ARGS:--f 1 -wi 2 -w 1s -i 3 -r 500ms}
JMH_LIMIT=300 # seconds the whole run may take
# shellcheck disable=SC2086 # the options are words
timeout "$JMH_LIMIT" java -jar "$BENCH_JAR" $JMH_ARGS -rf csv -rff "$WORK/jmh.csv" >"$WORK/jmh.log" 2>&1 \
  || echo "JMH did not finish (log: $WORK/jmh.log)" >&2

{
  echo "## Microbenchmarks (JMH)"
  echo
  echo "\`java -jar $BENCH_JAR $JMH_ARGS\` (JMH 1.37; the adapters and providers started above stay up," \
    "idle but refreshing, so these numbers share the cores with them). Average time per operation;"
  echo "error is JMH's 99.9% confidence half-width, large with this few iterations. To run them yourself:"
  echo "\`mvn -B -ntp package -DskipTests -pl adapter,bench -am\`, then \`java -jar $BENCH_JAR\` (all, with"
  echo "JMH's default, longer settings), \`java -jar $BENCH_JAR -l\` (the list), or a regexp such as"
  echo "\`java -jar $BENCH_JAR -f 1 -wi 3 -i 5 LookupBench\`."
  echo
  if [ -s "$WORK/jmh.csv" ]; then
    python3 - "$WORK/jmh.csv" <<'PY'
import csv, sys

rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
params = [i for i, name in enumerate(head) if name.startswith("Param: ")]


def number(x):
    return "{:,.0f}".format(x) if abs(x) >= 100 else "{:.3g}".format(x)


print("| benchmark | mode | score | error | units |")
print("|---|---|---:|---:|---|")
for row in body:
    # io.externalmetrics.adapter.cache.LookupBench.miss -> LookupBench.miss, then the parameters set
    name = ".".join(row[0].split(".")[-2:])
    given = ["%s=%s" % (head[i][len("Param: "):], row[i]) for i in params if row[i]]
    if given:
        name += " (" + ", ".join(given) + ")"
    name = name.replace("|", "\\|")
    error = number(float(row[5])) if row[5] and row[5] != "NaN" else "-"
    print("| %s | %s | %s | %s | %s |" % (name, row[1], number(float(row[4])), error, row[6]))
PY
  else
    echo "No results: JMH failed or ran out of time; see $WORK/jmh.log."
  fi
  echo
} >>"$SECTIONS_MD"
