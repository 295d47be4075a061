#!/usr/bin/env bash
# `make bench`: thin wrapper around scripts/bench.py.
#
#   scripts/bench.sh [DB=sales_backoffice_tpch] [extra args...]
#
# Runs  $ODOO_PYTHON scripts/bench.py --config .run/odoo.conf --db $DB
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extra=()
for arg in "$@"; do
    case "$arg" in
    DB=*) DB="${arg#DB=}" ;;
    *) extra+=("$arg") ;;
    esac
done
DB="${DB:-sales_backoffice_tpch}"
if [[ ! -f scripts/bench.py ]]; then
    echo "ERROR: scripts/bench.py does not exist yet (it comes with the sales_backoffice_tpch addon); nothing to run" >&2
    exit 1
fi
source scripts/odoo_env.sh
exec "$ODOO_PYTHON" scripts/bench.py --config "$ODOO_CONF" --db "$DB" "${extra[@]}"
