#!/usr/bin/env bash
# Installs what `make run` / `make test` / `make bench` need on a fresh Debian/Ubuntu
# machine: system packages (as root or with sudo; otherwise one clear message), the
# virtual environment, and the project with its extras. Re-running it is cheap.
#   scripts/bootstrap.sh run|test|bench
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

# fonts-noto-cjk: printed forms; libharfbuzz-subset0: fast CJK font subsetting in
# WeasyPrint (without it a CJK page takes seconds); pango: WeasyPrint's text layout;
# graphviz: state diagrams; poppler-utils: PDF text checks; chromium: browser tests;
# wrk: the load generator of `make bench` (bench/hotpath.py).
packages="fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 graphviz"
if [ "$purpose" != run ]; then
  packages="$packages poppler-utils chromium"
fi
if [ "$purpose" = bench ]; then
  packages="$packages wrk"
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "缺少系统软件包 / missing system packages:$missing (install them with your package manager)" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "缺少系统软件包 / missing system packages:$missing" >&2
    echo "请以 root 运行 / please run: sudo apt-get install -y$missing" >&2
    exit 1
  fi
  echo ">> installing system packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo ">> creating $VENV"
  "$PYTHON" -m venv "$VENV" || {
    echo "无法创建虚拟环境 / cannot create a virtualenv: install python3-venv (Python >= 3.11)" >&2; exit 1; }
  "$VENV/bin/pip" install -q --upgrade pip
fi

extra=""
[ "$purpose" != run ] && extra="[test]"
stamp="$VENV/.installed-${purpose/bench/test}"
if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ] || [ setup.py -nt "$stamp" ]; then
  echo ">> installing the project$extra into $VENV"
  "$VENV/bin/pip" install -q -e ".$extra"
  touch "$stamp"
fi
