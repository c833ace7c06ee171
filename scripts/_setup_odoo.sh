#!/usr/bin/env bash
# Sets up Odoo 18.0 Community in the repository's virtual environment .venv, for scripts/demo,
# scripts/test and .ci/run (they call it when their Python cannot import Odoo 18):
#   1. the Debian packages Odoo needs (apt-get when root, otherwise prints the sudo command);
#   2. the Odoo source: $ODOO_SRC, or a shallow clone of upstream's 18.0 branch in .odoo-src;
#   3. .venv, made with $PYTHON (default python3; Odoo 18 runs on Python 3.10 to 3.12);
#   4. Odoo's requirements.txt (cbor2==5.6.2 on Python >= 3.11, where the pinned 5.4.2 does not
#      build), `pip install -e` of the source (which it leaves unchanged), websocket-client (Odoo's
#      browser tests need it);
#   5. a .pth file in .venv's site-packages holding the source folder, so that `import odoo`
#      still finds Odoo once OCA addons installed from PyPI have created site-packages/odoo/;
#   6. this repository's requirements.txt (test and lint tools).
# Safe to run again: it completes or repairs .venv. Usage: scripts/_setup_odoo.sh
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
VENV_STAMP="$VENV/.core-facility-setup-done"
PYTHON="${PYTHON:-python3}"
ODOO_GIT_URL="https://github.com/odoo/odoo"
ODOO_BRANCH="18.0"

say() { echo "== setup: $*"; }
die() {
    echo "error: $*" >&2
    exit 2
}

# 1. Debian packages: build dependencies of python-ldap and psycopg2 (and the compiler, Python
# headers and venv module of Debian's python3), wkhtmltopdf for PDF reports, CJK fonts for the
# Chinese names in them, poppler-utils for reading PDFs.
DEBS=(libldap2-dev libsasl2-dev libpq-dev wkhtmltopdf fonts-noto-cjk poppler-utils
      build-essential python3-dev python3-venv)
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
    missing=()
    for deb in "${DEBS[@]}"; do
        dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$deb")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" = 0 ]; then
            say "installing Debian packages: ${missing[*]}"
            export DEBIAN_FRONTEND=noninteractive
            if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; }; then
                die "apt-get could not install ${missing[*]}"
            fi
        else
            die "Odoo needs these Debian packages; install them, then run the command again:
    sudo apt-get update && sudo apt-get install -y ${missing[*]}"
        fi
    fi
else
    echo "warning: not a Debian-like system: make sure the equivalents of ${DEBS[*]} are" \
        "installed (see Odoo's documentation)." >&2
fi

# 2. The Odoo source.
if [ -n "${ODOO_SRC:-}" ]; then
    SRC="$ODOO_SRC"
    [ -d "$SRC" ] || die "ODOO_SRC=$SRC is not a directory"
else
    SRC="$REPO_ROOT/.odoo-src"
    if [ ! -e "$SRC/odoo/release.py" ]; then
        command -v git >/dev/null || die "git is needed to fetch Odoo (apt-get install git), or set
  ODOO_SRC to an Odoo 18.0 source tree"
        [ ! -e "$SRC" ] || die "$SRC is not an Odoo source tree: remove it and run again"
        say "cloning Odoo $ODOO_BRANCH from $ODOO_GIT_URL into $SRC"
        rm -rf "$SRC.partial"
        git clone --depth 1 --branch "$ODOO_BRANCH" "$ODOO_GIT_URL" "$SRC.partial" \
            || die "could not clone $ODOO_GIT_URL; set ODOO_SRC to an Odoo 18.0 source tree"
        mv "$SRC.partial" "$SRC"
    fi
fi
SRC="$(cd "$SRC" && pwd -P)"
for file in odoo/release.py setup.py requirements.txt; do
    [ -f "$SRC/$file" ] || die "$SRC is not an Odoo source tree ($file is missing)"
done
grep -Eq '^version_info = \(18, *0,' "$SRC/odoo/release.py" \
    || die "$SRC is not Odoo 18.0 ($(grep -E '^version_info' "$SRC/odoo/release.py"))"
say "Odoo source: $SRC"

# 3. The virtual environment.
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "" 2>/dev/null; then
    "$PYTHON" -c "" 2>/dev/null || die "PYTHON=$PYTHON cannot be run; set PYTHON to a Python 3.11"
    "$PYTHON" - <<'PY' || die "Odoo 18 runs on Python 3.10 to 3.12; set PYTHON to such a python3"
import sys
sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))
PY
    say "creating $VENV with $("$PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "could not create $VENV (Debian: apt-get install python3-venv)"
fi
VPY="$VENV/bin/python"
rm -f "$VENV_STAMP"
pip_install() {
    "$VPY" -m pip install --quiet --disable-pip-version-check "$@"
}

# 4. Odoo's requirements with the pins this Python needs, then Odoo itself.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
req="$tmp/requirements.txt"
if "$VPY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    grep -viE '^[[:space:]]*cbor2([^a-z0-9_.-]|$)' "$SRC/requirements.txt" >"$req" || true
    echo "cbor2==5.6.2" >>"$req"
else
    cp "$SRC/requirements.txt" "$req"
fi
say "installing Odoo's Python requirements (a few minutes)"
pip_install -r "$req"
say "installing Odoo from $SRC (pip install -e)"
# setuptools would write odoo.egg-info into the source tree: send it to a temporary folder, so
# that the source (ODOO_SRC may be shared) is left as it was.
printf '[egg_info]\negg_base = %s\n' "$tmp" >"$tmp/setup.cfg"
DIST_EXTRA_CONFIG="$tmp/setup.cfg" pip_install -e "$SRC"
pip_install websocket-client

# 5. The .pth fix: the source folder on sys.path, ahead of any site-packages/odoo/ namespace.
site="$("$VPY" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
printf '%s\n' "$SRC" >"$site/odoo_source.pth"

# 6. This repository's tools.
say "installing $REPO_ROOT/requirements.txt"
pip_install -r "$REPO_ROOT/requirements.txt"

"$VPY" -c 'import odoo.release as r; assert r.version_info[0] == 18; print("Odoo", r.version)' \
    || die "Odoo does not import in $VENV"
touch "$VENV_STAMP"
say "done: $VENV ($VPY)"
