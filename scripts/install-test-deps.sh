#!/usr/bin/env bash
# Installs the Debian packages the test suite drives: chromium (browser tests), poppler-utils
# (pdfsig verifies sealed PDFs) and fonts-dejavu-core (fonts for rendered PDFs and pages).
# Runs apt-get only when one of them is missing; uses sudo only when not root.
set -euo pipefail

PACKAGES=(chromium poppler-utils fonts-dejavu-core)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

command -v apt-get >/dev/null || {
  echo "Install these packages with your system's package manager: ${missing[*]}" >&2
  exit 1
}
SUDO=()
[ "$(id -u)" -ne 0 ] && SUDO=(sudo)
echo "==> Installing ${missing[*]}" >&2
"${SUDO[@]}" apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "${missing[@]}" >&2
