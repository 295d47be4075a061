#!/usr/bin/env bash
# `make run`: create (or update) the demo database and serve Odoo on
# http://127.0.0.1:8069.
#
#   DB=name     database (default sales_backoffice_demo)
#   PORT=n      HTTP port (default: http_port of odoo.conf, 8069)
#   MODULES=a,b modules to install/update (default sales_backoffice)
#
# A new database gets the modules with their demo data; an existing one in
# which the modules are installed is updated (-u) instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/odoo_env.sh

DB="${DB:-sales_backoffice_demo}"
MODULES="${MODULES:-sales_backoffice}"
PORT="${PORT:-}"
if [[ ! "$DB" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
    odoo_env_die "DB='$DB' is not a valid database name (letters, digits, _ . -)"
fi

# -i for the modules not installed yet in $DB, -u for the installed ones
to_install="$MODULES"
to_update=""
if odoo_env_db_exists "$DB"; then
    installed="$(psql -d "$DB" -X -tAq -c \
        "SELECT name FROM ir_module_module WHERE state = 'installed'" 2>/dev/null || true)"
    to_install=""
    IFS=',' read -r -a mods <<<"$MODULES"
    for m in "${mods[@]}"; do
        if grep -qx "$m" <<<"$installed"; then
            to_update="${to_update:+$to_update,}$m"
        else
            to_install="${to_install:+$to_install,}$m"
        fi
    done
fi

args=(-d "$DB" --db-filter="^${DB}\$" --without-demo=)
[[ -n "$to_install" ]] && args+=(-i "$to_install")
[[ -n "$to_update" ]] && args+=(-u "$to_update")
echo "==> $DB: install [${to_install:-none}] update [${to_update:-none}] (with demo data)"
log="$RUN_DIR/logs/run-init-$DB.log"
if ! odoo_bin "${args[@]}" --stop-after-init --logfile="$log"; then
    tail -n 40 "$log" >&2 || true
    odoo_env_die "initialising database $DB failed; full log: $log"
fi
if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" >&2; then
    echo "WARNING: errors were logged while initialising $DB (full log: $log)" >&2
fi

serve=(-d "$DB" --db-filter="^${DB}\$")
[[ -n "$PORT" ]] && serve+=(--http-port="$PORT")
port="${PORT:-$(sed -n 's/^http_port *= *//p' "$ODOO_CONF")}"
cat <<EOF

==> Odoo is starting on  http://127.0.0.1:${port:-8069}/web
    database: $DB
    login:    admin   password: admin   (Odoo's default admin on a new database)
    stop with Ctrl-C
EOF
exec "$ODOO_PYTHON" "$ODOO_BIN" -c "$ODOO_CONF" "${serve[@]}"
