#!/bin/sh
# Starts ${distName} from its unpacked distribution (bin/, lib/, config/), on Java 21 or newer.
#
#   bin/${distName} [arguments...]     the arguments go to the program (--help lists them)
#
# Environment:
#   JAVA_HOME  the JDK or JRE to run on (21 or newer); without it, the java on PATH
#   JAVA_OPTS  options for the JVM, split on spaces (-Xmx512m -Dname=value ...)
#   AOT_CACHE  off: start without lib/${distName}.aot, the JDK's ahead-of-time cache the build made
#              (JDK 25 or newer); by default it is used when present and java is 25 or newer
#
# The AOT cache holds the classes a start and a first read load and link, trained by the build on
# the JDK that built it: it starts the program in about half the time. On another JDK, or with other
# jars in lib/, the JVM ignores it, silently (JAVA_OPTS=-Xlog:aot shows whether it is used).
#
# The JVM replaces this script (exec), so signals such as SIGTERM reach the program itself.
# Written from dist/launcher.sh by the Maven build, which fills in the two names below: the shell
# code after them writes no variable in braces, which the build would take for one of its own.

NAME=${distName}
MAIN_CLASS=${mainClass}

# The distribution's folder, bin/.. of this script, through symbolic links to it.
script=$0
while [ -h "$script" ]; do
  link=$(ls -ld "$script" | sed 's/.* -> //')
  case $link in
    /*) script=$link ;;
    *) script=$(dirname "$script")/$link ;;
  esac
done
APP_HOME=$(cd "$(dirname "$script")/.." && pwd -P) || exit 1

if [ -n "$JAVA_HOME" ]; then
  JAVA=$JAVA_HOME/bin/java
  if [ ! -x "$JAVA" ]; then
    echo "$NAME: JAVA_HOME is $JAVA_HOME, but it has no bin/java; point it at a JDK or JRE 21 or newer" >&2
    exit 1
  fi
else
  JAVA=$(command -v java) || {
    echo "$NAME: no Java found: set JAVA_HOME to a JDK or JRE 21 or newer, or put its bin/ on PATH" >&2
    exit 1
  }
fi

# The major version: "17.0.15" -> 17, "21-ea" -> 21, "1.8.0_392" -> 8. From the JAVA_VERSION line of the
# JDK's release file when JAVA_HOME has one (starting a JVM only to ask takes some 40 ms of the start),
# else from the first 'version "..."' java -version prints.
version=
if [ -n "$JAVA_HOME" ] && [ -f "$JAVA_HOME/release" ]; then
  version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$JAVA_HOME/release" | head -n 1)
fi
if [ -z "$version" ]; then
  version=$("$JAVA" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
fi
major=$(echo "$version" | sed -e 's/^1\.//' -e 's/[^0-9].*//')
if [ -z "$major" ]; then
  echo "$NAME: cannot tell which Java $JAVA is (java -version printed no version); it needs Java 21 or newer" >&2
  exit 1
fi
if [ "$major" -lt 21 ]; then
  echo "$NAME needs Java 21 or newer, and $JAVA is Java $version: set JAVA_HOME to a JDK or JRE 21 or newer" >&2
  exit 1
fi

# The class path: every jar in lib/, in byte order of the names. An AOT cache holds only for the class
# path string it was made with, and java's own lib/* takes the folder's order, which differs between
# file systems; the build trains the cache on this same order (adapter/src/aot/AotTraining.java).
# (Names and JAVA_OPTS below are split on spaces, never expanded as file patterns.)
set -f
classpath=
for jar in $(LC_ALL=C ls "$APP_HOME/lib"); do
  case $jar in
    *.jar)
      if [ -z "$classpath" ]; then classpath=$APP_HOME/lib/$jar; else classpath=$classpath:$APP_HOME/lib/$jar; fi ;;
  esac
done

# Native access is granted because Netty loads its native transport, which newer JDKs otherwise warn
# about on stderr. The JIT compiles a method after ten times as many calls as by default: a start then
# spends about a quarter less CPU (compiling what only the start runs), and a busy read path reaches the
# same compiled code after some tens of thousands of requests more; JAVA_OPTS comes after it, so
# JAVA_OPTS=-XX:CompileThresholdScaling=1 restores the default.
# shellcheck disable=SC2086
set -- -XX:CompileThresholdScaling=10 $JAVA_OPTS --enable-native-access=ALL-UNNAMED -cp "$classpath" \
  "$MAIN_CLASS" "$@"
# The AOT cache, before JAVA_OPTS so that an -Xlog:aot there wins: the JVM's messages about a cache it
# cannot use (another JDK build, changed jars) are turned off, since it then starts as without one.
aot_cache=$APP_HOME/lib/$NAME.aot
if [ "$major" -ge 25 ] && [ -f "$aot_cache" ] && [ "$AOT_CACHE" != off ]; then
  set -- "-XX:AOTCache=$aot_cache" "-Xlog:aot*=off" "$@"
fi
exec "$JAVA" "$@"
