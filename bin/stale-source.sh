#!/bin/sh
# Prints the first source of the tree at $1 changed after the file $2 (nothing if none): what makes
# ./tandem build again. Sources are .java files, pom.xml files and main resources outside src/test
# (the command runs no test code). Build output is not: every target/ folder holds JMH's generated
# sources and test resources that are .java files, and counting them made a fresh clone rebuild on
# its first run after a full build.
root=$1
stamp=$2
find "$root" \( -path "$root/.git" -o -name target -o -name node_modules -o -path '*/src/test' \) -prune -o \
  \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$stamp" -print 2>/dev/null |
  head -n 1
