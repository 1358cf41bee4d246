#!/usr/bin/env bash
# Set up and run the whole mscgraph test suite on a fresh Debian 12 machine with Python 3.11:
# Debian packages the tests drive (Chromium, Virtuoso, raptor/rasqal, Java for HermiT, CJK fonts),
# a virtualenv with mscgraph and its test extras, ruff, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium raptor2-utils rasqal-utils default-jre-headless virtuoso-opensource fonts-noto-cjk)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian package starts a system Virtuoso on the default ports; the tests run their own.
if command -v service >/dev/null 2>&1; then service virtuoso-opensource-7 stop >/dev/null 2>&1 || true; fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q ".[test]"

.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy  # --strict on src: [tool.mypy] in pyproject.toml
.venv/bin/python -m pytest "$@"
