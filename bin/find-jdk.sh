# Sourced by ./mvnw and ./tandem: make JAVA_HOME point at a JDK 25 or newer.
# Order: $JAVA_HOME if it is >= 25, then $JAVA25_HOME, then the JDKs installed in the usual folders
# (/usr/lib/jvm, /usr/java, /opt, ~/.sdkman, ~/.jdks), newest first. Prints an error and fails if none.
tandem_java_feature() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
  fi
}
tandem_find_jdk() {
  for candidate in "${JAVA_HOME:-}" "${JAVA25_HOME:-}"; do
    [ -n "$candidate" ] || continue
    v=$(tandem_java_feature "$candidate")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$candidate"; return 0; fi
  done
  best=""; bestv=0
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/*jdk* /opt/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$candidate" ] || continue
    v=$(tandem_java_feature "$candidate")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best="$candidate"; bestv=$v; fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}
if TANDEM_JDK=$(tandem_find_jdk); then
  JAVA_HOME="$TANDEM_JDK"; export JAVA_HOME
else
  echo "Tandem needs a JDK 25 or newer: none found in \$JAVA_HOME, \$JAVA25_HOME, /usr/lib/jvm, /opt, ~/.sdkman or ~/.jdks." >&2
  echo "Install one (for example Debian's openjdk-25-jdk or Temurin 25) or set JAVA_HOME to it." >&2
  exit 1
fi
