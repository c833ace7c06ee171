# shellcheck shell=bash disable=SC2034  # sets variables for the scripts that source it
# Shared helpers of scripts/demo, scripts/test and .ci/run. Sourced, not run.
# Finds Odoo 18 (or sets it up in the repository's .venv), a reachable PostgreSQL and a browser,
# or stops with a message saying what to do.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
# Written by scripts/_setup_odoo.sh once .venv is complete.
VENV_STAMP="$VENV/.core-facility-setup-done"
# The interpreter: $PYTHON when given, else the repository's .venv when there is one, else python3.
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$VENV/bin/python" ]; then PYTHON="$VENV/bin/python"; else PYTHON=python3; fi
fi
export TZ=UTC
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-$(id -un)}"

die() {
    echo "error: $*" >&2
    exit 2
}

warn() {
    echo "warning: $*" >&2
}

# The environment variables both commands read, for their --help.
env_help() {
    cat <<'EOF'
Environment:
  PGHOST, PGPORT      PostgreSQL server (default 127.0.0.1, 5432)
  PGUSER, PGPASSWORD  PostgreSQL role, which must be allowed to create databases
                      (default: your login name, no password)
  ODOO_PORT           HTTP port of the demo server (default 8069; scripts/demo only)
  PYTHON              Python interpreter where 'import odoo' gives Odoo 18 (default: the
                      repository's .venv when it exists, else python3)
  ODOO_SRC            Odoo 18.0 source tree to install when Odoo must be set up (default: a
                      shallow clone of https://github.com/odoo/odoo, branch 18.0, in .odoo-src)
  CI                  when true (as CI sets it), scripts/test fails if Chromium is missing,
                      instead of letting Odoo skip the browser tests

When $PYTHON cannot import Odoo 18, Odoo 18.0 Community is first set up in the repository's .venv
(scripts/_setup_odoo.sh: Debian packages, Odoo's requirements, 'pip install -e' of ODOO_SRC, this
repository's requirements.txt); later runs use that .venv.
EOF
}

is_ci() {
    case "${CI:-}" in
        [Tt][Rr][Uu][Ee] | 1 | [Yy][Ee][Ss]) return 0 ;;
        *) return 1 ;;
    esac
}

# Probes interpreter $1 for Odoo 18. Prints "ADDONS_PATHS|LAUNCHER" and succeeds, or prints the
# reason and fails. LAUNCHER is a real Python script that starts Odoo (the environment's `odoo`
# console script, or the odoo-bin of the source tree): Odoo re-executes `sys.executable sys.argv`
# to restart itself (SIGHUP, memory limits, module updates), which `python -m odoo` cannot survive.
probe_odoo() {
    "$1" - 2>&1 <<'PY'
import os, sys, sysconfig
try:
    import odoo
    from odoo import release
except Exception as exc:  # noqa: BLE001
    print(f"cannot import odoo: {exc}")
    sys.exit(1)
if release.version_info[0] != 18:
    print(f"Odoo {release.version} is installed; Core Facility needs Odoo 18.0")
    sys.exit(1)
root = os.path.dirname(odoo.__file__)
paths = [p for p in (os.path.join(root, "addons"), os.path.join(os.path.dirname(root), "addons"))
         if os.path.isdir(os.path.join(p, "mail"))]
if not paths:
    print("Odoo is installed but its addons (mail, portal...) were not found next to it")
    sys.exit(1)
dirs = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
try:
    dirs.append(sysconfig.get_path("scripts", f"{os.name}_user"))
except KeyError:
    pass
candidates = [os.path.join(d, "odoo") for d in dirs if d]
candidates.append(os.path.join(os.path.dirname(root), "odoo-bin"))
for path in candidates:
    try:
        with open(path, encoding="utf-8", errors="replace") as script:
            head = script.read(4096)
    except OSError:
        continue
    if head.startswith("#!") and "odoo" in head and "cli" in head:
        print(",".join(paths) + "|" + os.path.abspath(path))
        sys.exit(0)
print("Odoo is importable but neither its 'odoo' script nor odoo-bin was found: "
      "reinstall it with 'pip install -e' of its source tree")
sys.exit(1)
PY
}

# Sets PYTHON, ODOO_ADDONS_PATH (ours + Odoo's own addons) and ODOO_BIN. When $PYTHON has no
# Odoo 18, uses the repository's .venv, setting it up first if needed; dies if that fails.
find_odoo() {
    local probe reason
    if [ "$PYTHON" = "$VENV/bin/python" ] && [ ! -e "$VENV_STAMP" ]; then
        probe="the set-up of $VENV did not finish"
    elif probe="$(probe_odoo "$PYTHON")"; then
        ODOO_ADDONS_PATH="$REPO_ROOT/addons,${probe%%|*}"
        ODOO_BIN="${probe#*|}"
        return 0
    fi
    reason="$probe"
    if [ "$PYTHON" != "$VENV/bin/python" ] && [ -e "$VENV_STAMP" ] \
        && probe="$(probe_odoo "$VENV/bin/python")"; then
        echo "Odoo 18 is not available to $PYTHON ($reason); using $VENV." >&2
    else
        echo "Odoo 18 is not available to $PYTHON ($reason)." >&2
        echo "Setting up Odoo 18.0 Community in $VENV (once; a few minutes)..." >&2
        PYTHON="$PYTHON" "$REPO_ROOT/scripts/_setup_odoo.sh" \
            || die "setting up Odoo in $VENV failed (see above). Fix the cause and run the command
  again, or install Odoo 18 yourself (README, 'Getting Odoo') and point PYTHON at it."
        probe="$(probe_odoo "$VENV/bin/python")" \
            || die "Odoo was set up in $VENV but does not start: $probe"
    fi
    PYTHON="$VENV/bin/python"
    ODOO_ADDONS_PATH="$REPO_ROOT/addons,${probe%%|*}"
    ODOO_BIN="${probe#*|}"
}

# One line saying which Odoo runs, for the log.
odoo_banner() {
    echo "== Odoo 18: $PYTHON $ODOO_BIN"
}

# Dies unless PostgreSQL accepts connections with the PG* settings.
check_postgres() {
    local out
    if ! out="$("$PYTHON" - 2>&1 <<'PY'
import psycopg2
psycopg2.connect(dbname="postgres", connect_timeout=5).close()
PY
)"; then
        die "PostgreSQL is not reachable at $PGHOST:$PGPORT as role '$PGUSER':
  ${out##*$'\n'}
  Start PostgreSQL and give your role the right to create databases, or set PGHOST, PGPORT,
  PGUSER and PGPASSWORD (e.g. PGUSER=odoo PGPASSWORD=odoo scripts/test)."
    fi
}

# Runs Odoo through its launcher script, so that its restart (a re-exec of sys.argv) works.
odoo_bin() {
    "$PYTHON" "$ODOO_BIN" "$@"
}

# Prints the path of the browser Odoo's HttpCase would use (same names, same order), or fails.
find_browser() {
    local name
    for name in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$name" && return 0
    done
    return 1
}

# Modules of this repository: every installable addon under addons/.
repo_modules() {
    local modules=()
    for manifest in "$REPO_ROOT"/addons/*/__manifest__.py; do
        [ -e "$manifest" ] || continue
        modules+=("$(basename "$(dirname "$manifest")")")
    done
    local IFS=,
    echo "${modules[*]}"
}
