# shellcheck shell=bash
# Sourced by the other scripts:
#
#   source scripts/odoo_env.sh               # full setup (Odoo, PostgreSQL, ...)
#   source scripts/odoo_env.sh --tools-only  # only ODOO_PYTHON + requirements.txt
#
# Full setup:
#   * resolves ODOO_HOME (default /opt/odoo) and ODOO_PYTHON (default
#     /opt/odoo-venv/bin/python) and checks that they hold Odoo 18.0;
#   * installs requirements.txt into ODOO_PYTHON (skipped while the stamp
#     .run/requirements.stamp matches requirements.txt);
#   * installs the Debian packages chromium, wkhtmltopdf, poppler-utils when
#     missing (as root, with apt-get), or fails saying what is missing;
#   * starts PostgreSQL when it is not running and makes sure the current OS
#     user has a PostgreSQL superuser role;
#   * renders the effective Odoo config .run/odoo.conf from odoo.conf.
#
# On any problem it prints ONE message saying what is missing and exits 1.
# It exports: REPO_ROOT RUN_DIR ODOO_HOME ODOO_PYTHON ODOO_CONF ODOO_BIN
# ODOO_DATA_DIR.

_odoo_env_mode=full
if [[ "${1:-}" == "--tools-only" ]]; then
    _odoo_env_mode=tools
fi

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$REPO_ROOT/.run"
ODOO_HOME="${ODOO_HOME:-/opt/odoo}"
ODOO_PYTHON="${ODOO_PYTHON:-/opt/odoo-venv/bin/python}"
ODOO_CONF="$RUN_DIR/odoo.conf"
ODOO_BIN="$ODOO_HOME/odoo-bin"
ODOO_DATA_DIR="$RUN_DIR/data"
export REPO_ROOT RUN_DIR ODOO_HOME ODOO_PYTHON ODOO_CONF ODOO_BIN ODOO_DATA_DIR
mkdir -p "$RUN_DIR/logs"

_ODOO_HINT="set ODOO_HOME to a tree holding odoo-bin and ODOO_PYTHON to an interpreter where \`import odoo\` works; see README Prerequisites"

odoo_env_die() {
    echo "ERROR: $*" >&2
    exit 1
}

odoo_env_is_root() {
    [[ "$(id -u)" == "0" ]]
}

# apt-get install the given Debian packages (root only); apt-get update first.
odoo_env_apt_install() {
    echo "odoo_env: installing Debian packages: $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || odoo_env_die "apt-get update failed (needed to install: $*)"
    apt-get install -y -qq "$@" >&2 || odoo_env_die "apt-get install $* failed"
}

odoo_env_check_python() {
    if [[ ! -x "$ODOO_PYTHON" ]] || ! "$ODOO_PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        odoo_env_die "Odoo 18.0 Python not found: ODOO_PYTHON=$ODOO_PYTHON cannot be run as a Python >= 3.10 interpreter; $_ODOO_HINT"
    fi
}

odoo_env_check_odoo() {
    if [[ ! -f "$ODOO_BIN" ]]; then
        odoo_env_die "Odoo 18.0 not found: no odoo-bin in ODOO_HOME=$ODOO_HOME; $_ODOO_HINT"
    fi
    # make `import odoo` (pytest-odoo, scripts) use the same tree as odoo-bin
    export PYTHONPATH="$ODOO_HOME${PYTHONPATH:+:$PYTHONPATH}"
    local out
    if ! out="$("$ODOO_PYTHON" -c 'import odoo.release as r; print(r.major_version)' 2>&1)"; then
        odoo_env_die "Odoo 18.0 not found: \`import odoo\` fails with ODOO_PYTHON=$ODOO_PYTHON (${out##*$'\n'}); $_ODOO_HINT"
    fi
    if [[ "$out" != "18.0" ]]; then
        odoo_env_die "Odoo 18.0 not found: ODOO_HOME=$ODOO_HOME holds Odoo $out, this project needs 18.0; $_ODOO_HINT"
    fi
}

# pip-install requirements.txt into ODOO_PYTHON, once per content of the file.
# Odoo addon wheels (odoo-addon-*) are installed with --no-deps: their only
# other dependency is `odoo` itself, which is the tree at ODOO_HOME and not a
# package pip could (or should) fetch.
odoo_env_requirements() {
    local req="$REPO_ROOT/requirements.txt" stamp="$RUN_DIR/requirements.stamp" want
    [[ -f "$req" ]] || return 0
    want="$(cat "$req" <("$ODOO_PYTHON" -c 'import sys; print(sys.prefix)') | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    echo "odoo_env: installing requirements.txt into $ODOO_PYTHON" >&2
    local plain="$RUN_DIR/requirements-plain.txt" addons="$RUN_DIR/requirements-odoo-addons.txt"
    grep -v -i -E '^[[:space:]]*odoo-addon-' "$req" >"$plain" || true
    grep -i -E '^[[:space:]]*odoo-addon-' "$req" >"$addons" || true
    local pip=("$ODOO_PYTHON" -m pip install -q --disable-pip-version-check)
    if odoo_env_is_root; then
        pip+=(--root-user-action=ignore)
    fi
    if ! "$ODOO_PYTHON" -m pip --version >/dev/null 2>&1; then
        odoo_env_die "pip is not available in ODOO_PYTHON=$ODOO_PYTHON (needed to install requirements.txt)"
    fi
    if grep -q -E '^[[:space:]]*[^#[:space:]]' "$plain"; then
        "${pip[@]}" -r "$plain" >&2 || odoo_env_die "pip install -r requirements.txt failed for $ODOO_PYTHON"
    fi
    if [[ -s "$addons" ]]; then
        "${pip[@]}" --no-deps -r "$addons" >&2 || odoo_env_die "pip install of the Odoo addon wheels in requirements.txt failed for $ODOO_PYTHON"
    fi
    echo "$want" >"$stamp"
}

# Debian packages: chromium (HttpCase / tours), wkhtmltopdf (PDF reports),
# poppler-utils (pdftotext/pdftoppm for checking PDFs).
odoo_env_debs() {
    local missing=()
    if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null \
        && ! command -v google-chrome >/dev/null && ! command -v google-chrome-stable >/dev/null; then
        missing+=(chromium)
    fi
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v pdftoppm >/dev/null || missing+=(poppler-utils)
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if odoo_env_is_root && command -v apt-get >/dev/null; then
        odoo_env_apt_install "${missing[@]}"
    else
        odoo_env_die "missing Debian packages: ${missing[*]} (run as root: apt-get update && apt-get install ${missing[*]}); see README Prerequisites"
    fi
}

# Run a psql command as the `postgres` OS user (to create our role).
_odoo_env_as_postgres() {
    if odoo_env_is_root; then
        if command -v runuser >/dev/null; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    elif command -v sudo >/dev/null && sudo -n -u postgres true 2>/dev/null; then
        sudo -n -u postgres "$@"
    else
        return 1
    fi
}

odoo_env_postgres() {
    if ! command -v pg_isready >/dev/null || ! command -v psql >/dev/null; then
        if odoo_env_is_root && command -v apt-get >/dev/null; then
            odoo_env_apt_install postgresql postgresql-client
        else
            odoo_env_die "PostgreSQL not found (no pg_isready/psql): install PostgreSQL 15 (Debian: apt-get install postgresql); see README Prerequisites"
        fi
    fi
    if ! pg_isready -q; then
        if command -v pg_lsclusters >/dev/null; then
            local ver name _rest started=0
            while read -r ver name _rest; do
                [[ -n "$ver" ]] || continue
                echo "odoo_env: starting PostgreSQL cluster $ver/$name" >&2
                if odoo_env_is_root || [[ "$(id -un)" == "postgres" ]]; then
                    pg_ctlcluster "$ver" "$name" start >&2 || true
                else
                    sudo -n pg_ctlcluster "$ver" "$name" start >&2 || true
                fi
                started=1
            done < <(pg_lsclusters -h 2>/dev/null | awk '$4 != "online"')
            if ((started == 0)) && [[ -z "$(pg_lsclusters -h 2>/dev/null)" ]]; then
                odoo_env_die "PostgreSQL is installed but has no cluster (create one: pg_createcluster 15 main --start)"
            fi
        else
            odoo_env_die "PostgreSQL is not running on the local socket and pg_lsclusters is not available to start it; start PostgreSQL 15 first"
        fi
        local i
        for i in $(seq 1 30); do
            pg_isready -q && break
            sleep 1
        done
        pg_isready -q || odoo_env_die "PostgreSQL did not come up (pg_isready fails); see the PostgreSQL log"
    fi
    local me super
    me="$(id -un)"
    if [[ "$me" == "postgres" ]]; then
        odoo_env_die "do not run Odoo as the postgres OS user (Odoo refuses the postgres role)"
    fi
    super="$(psql -d postgres -X -tAq -c 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user' 2>/dev/null || true)"
    if [[ "$super" == "t" ]]; then
        return 0
    fi
    local sql
    if [[ -z "$super" ]]; then
        sql="CREATE ROLE \"$me\" SUPERUSER LOGIN"
    else
        sql="ALTER ROLE \"$me\" SUPERUSER LOGIN"
    fi
    echo "odoo_env: PostgreSQL: $sql" >&2
    if ! _odoo_env_as_postgres psql -X -q -c "$sql" >&2; then
        odoo_env_die "the OS user '$me' has no PostgreSQL superuser role and it could not be created; run: su postgres -c \"psql -c '$sql'\""
    fi
}

odoo_env_render_conf() {
    "$ODOO_PYTHON" "$REPO_ROOT/scripts/render_odoo_conf.py" \
        "$REPO_ROOT/odoo.conf" "$ODOO_CONF" \
        --repo "$REPO_ROOT" --odoo-home "$ODOO_HOME" \
        --admin-passwd-file "$RUN_DIR/admin_passwd" "$@" \
        || odoo_env_die "could not render $ODOO_CONF from odoo.conf"
    mkdir -p "$ODOO_DATA_DIR" "$RUN_DIR/screenshots"
}

# true when database $1 exists
odoo_env_db_exists() {
    [[ "$(psql -d postgres -X -tAq -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" == "1" ]]
}

# run odoo-bin with the rendered config
odoo_bin() {
    "$ODOO_PYTHON" "$ODOO_BIN" -c "$ODOO_CONF" "$@"
}

odoo_env_check_python
if [[ "$_odoo_env_mode" == full ]]; then
    odoo_env_check_odoo
fi
odoo_env_requirements
if [[ "$_odoo_env_mode" == full ]]; then
    odoo_env_debs
    odoo_env_postgres
    odoo_env_render_conf
fi
unset _odoo_env_mode
