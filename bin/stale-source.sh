#!/bin/sh
# Prints the first source of the tree at $1 changed after the file $2 (nothing if none): what makes
# ./tandem build again. Sources are the project's own: the root pom.xml, each module's pom.xml and
# what is under its src/main (.java files and main resources); the command runs no test code. Nothing
# else counts: not build output (every target/ folder holds JMH's generated sources and test
# resources that are .java files, and counting them made a fresh clone rebuild on its first run
# after a full build), and not a user's own program kept in the checkout (README's recipes compile
# one there; counting it rebuilt Tandem, under running nodes, on every edit).
root=$1
stamp=$2
for m in "$root"/tandem-*/; do
  m=${m%/}
  [ -f "$m/pom.xml" ] && set -- "$@" "$m/pom.xml"
  [ -d "$m/src/main" ] && set -- "$@" "$m/src/main"
done
shift 2
find "$root/pom.xml" "$@" \( -name target -o -name node_modules \) -prune -o \
  \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$stamp" -print 2>/dev/null |
  head -n 1
