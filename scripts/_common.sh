# Shared helpers of scripts/demo and scripts/test. Sourced, not run.
# Finds the installed Odoo 18 and a reachable PostgreSQL, or stops with a message saying what to do.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
export TZ=UTC
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-$(id -un)}"

die() {
    echo "error: $*" >&2
    exit 2
}

# Sets ODOO_ADDONS_PATH (Odoo's own addons + ours) or dies with instructions.
find_odoo() {
    local probe
    if ! probe="$("$PYTHON" - 2>&1 <<'PY'
import os, sys
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
print(",".join(paths))
PY
)"; then
        die "Odoo 18 is not available to $PYTHON ($probe).
  Install Odoo 18.0 Community from source (see README, 'Getting Odoo'):
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo /opt/odoo18
    pip install -r /opt/odoo18/requirements.txt && pip install -e /opt/odoo18
  or point PYTHON at an interpreter where 'import odoo' works."
    fi
    [ -n "$probe" ] || die "Odoo is installed but its addons (mail, portal...) were not found next to it."
    ODOO_ADDONS_PATH="$REPO_ROOT/addons,$probe"
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

odoo_bin() {
    "$PYTHON" -m odoo "$@"
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
