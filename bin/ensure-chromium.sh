#!/usr/bin/env bash
# Makes sure Chromium is at /usr/bin/chromium, for the render tests of the lab's and the advisor's
# reports. The build runs it before those modules' tests (the parent pom's ensure-chromium step), so that `./mvnw -B verify` needs nothing installed
# by hand: it installs Debian's chromium with apt-get when it runs as root or with passwordless sudo.
# Otherwise it fails and says how to install it; the render tests are never skipped silently.
#
# TANDEM_CHROMIUM overrides the path it checks (its own tests use it).
set -euo pipefail
chromium=${TANDEM_CHROMIUM:-/usr/bin/chromium}
how="Install it (Debian or Ubuntu: sudo apt-get install chromium) so that $chromium exists, then run the build again."

if [ -x "$chromium" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  sudo="sudo -n"
else
  echo "ensure-chromium: the render tests of the lab's and advisor's reports need Chromium at $chromium, which is missing, and the" \
    "build cannot install it: it runs as $(id -un), without root and without passwordless sudo. $how" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: the render tests of the lab's and advisor's reports need Chromium at $chromium, which is missing, and this" \
    "machine has no apt-get to install it with. $how" >&2
  exit 1
fi

# Modules built side by side (mvn -T): the lab's and the advisor's steps may both get here; one
# installs, the other waits for it (apt-get would fail on dpkg's lock) and finds it there.
if command -v flock >/dev/null 2>&1 && exec 9>>"${TMPDIR:-/tmp}/tandem-ensure-chromium-$(id -u).lock"; then
  flock 9
fi
if [ -x "$chromium" ]; then
  exit 0
fi

echo "ensure-chromium: installing Debian's chromium for the reports' render tests (apt-get, ${sudo:-as root})"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1; then
  echo "ensure-chromium: apt-get could not install chromium; its last lines:" >&2
  tail -n 20 "$log" >&2
  echo "ensure-chromium: the render tests of the lab's and advisor's reports need Chromium at $chromium. $how" >&2
  exit 1
fi
if [ ! -x "$chromium" ]; then
  echo "ensure-chromium: apt-get installed chromium, but $chromium is still missing. $how" >&2
  exit 1
fi
echo "ensure-chromium: installed $("$chromium" --version 2>/dev/null || echo "$chromium")"
