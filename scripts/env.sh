# Sourced by ./demo and ./run-tests: finds a JDK 21+ and Maven, installing Maven when missing.
# A JAVA_HOME of Java 21 or newer is used as given; otherwise the usual JDK folders are searched.
#
# MAVEN_OPTS: on a JDK 23 or newer, --sun-misc-unsafe-memory-access=allow is added (Maven's Guice and
# Guava use sun.misc.Unsafe, which those JDKs warn about); a MAVEN_OPTS of your own is kept and the
# option appended to it unless it already names one. Older JDKs do not know the option and refuse to
# start with it, so there it is never added, and removed (with a note) from a MAVEN_OPTS that has it.

java_version() {  # prints the major version of the JDK in $1 (8 for "1.8"), or 0
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  v=${v#1.}
  v=${v%%.*}
  case "$v" in
    ''|*[!0-9]*) echo 0 ;;
    *) echo "$v" ;;
  esac
}

if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(java_version "$JAVA_HOME")" -lt 21 ]; then
  if [ -n "${JAVA_HOME:-}" ]; then
    echo "JAVA_HOME=$JAVA_HOME is not a JDK 21 or newer; looking for one in /usr/lib/jvm" >&2
  fi
  JAVA_HOME=
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 \
                   /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
    if [ -x "$candidate/bin/java" ] && [ "$(java_version "$candidate")" -ge 21 ]; then
      JAVA_HOME=$candidate
      break
    fi
  done
fi
if [ -z "${JAVA_HOME:-}" ]; then
  echo "No JDK 21 or newer found: install one and set JAVA_HOME (Helidon 4 needs Java 21+)." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
UNSAFE_OPTION=--sun-misc-unsafe-memory-access
if [ "$(java_version "$JAVA_HOME")" -ge 23 ]; then
  case " ${MAVEN_OPTS:-} " in
    *" $UNSAFE_OPTION="*) ;;
    *) MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }$UNSAFE_OPTION=allow" ;;
  esac
else
  case " ${MAVEN_OPTS:-} " in
    *" $UNSAFE_OPTION="*)
      read -r -a words <<<"$MAVEN_OPTS"
      kept=()
      for word in "${words[@]}"; do
        case "$word" in
          "$UNSAFE_OPTION"=*) echo "MAVEN_OPTS: dropping $word, which Java $(java_version "$JAVA_HOME") does not know" >&2 ;;
          *) kept+=("$word") ;;
        esac
      done
      MAVEN_OPTS="${kept[*]:-}"
      ;;
  esac
fi
if [ -n "${MAVEN_OPTS:-}" ]; then export MAVEN_OPTS; else unset MAVEN_OPTS; fi
unset UNSAFE_OPTION words kept word

if ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Maven with apt-get..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null
  else
    echo "Maven (mvn) is missing: install Apache Maven 3.8 or newer." >&2
    exit 1
  fi
fi
