#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages officegym needs, and only those that are missing.
# Idempotent: when everything is present it changes nothing and says so.
set -euo pipefail

# tesseract-ocr(-eng): the OCR of `officegym audit --frames` and `redact --frames`.
PACKAGES=(chromium chromium-headless-shell xvfb xdotool fonts-dejavu-core tesseract-ocr tesseract-ocr-eng python3-venv)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# python3-venv only matters when the python3 in use cannot make a venv on its own.
if [[ " ${missing[*]} " == *" python3-venv "* ]] && python3 -m venv --help >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
  read -r -a missing <<< "${missing[*]}"
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${PACKAGES[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]}; this script installs them with apt-get (Debian/Ubuntu)." >&2
  echo "Install them with your package manager, or set OFFICEGYM_CHROMIUM to a Chromium binary." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
