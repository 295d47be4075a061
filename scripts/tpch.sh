#!/usr/bin/env bash
# `make tpch`: thin wrapper around scripts/tpch_compare.py (TPC-H data loaded
# into Odoo through sales_backoffice_tpch, figures compared with DuckDB's).
#
#   scripts/tpch.sh [SF=0.01] [DB=sales_backoffice_tpch] [UNTIL=1995-06-17] [extra args...]
#   e.g. scripts/tpch.sh DB=tpch_pay UNTIL=1995-06-17  (load and compare up to that date)
#
# SF / DB / UNTIL may also come from the environment.  Runs
#   $ODOO_PYTHON scripts/tpch_compare.py --config .run/odoo.conf --db $DB --sf $SF \
#       [--until $UNTIL] [extra args...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extra=()
for arg in "$@"; do
    case "$arg" in
    SF=*) SF="${arg#SF=}" ;;
    DB=*) DB="${arg#DB=}" ;;
    UNTIL=*) UNTIL="${arg#UNTIL=}" ;;
    *) extra+=("$arg") ;;
    esac
done
SF="${SF:-0.01}"
DB="${DB:-sales_backoffice_tpch}"
if [[ ! -f scripts/tpch_compare.py ]]; then
    echo "ERROR: scripts/tpch_compare.py does not exist yet (it comes with the sales_backoffice_tpch addon); nothing to run" >&2
    exit 1
fi
if [[ -n "${UNTIL:-}" ]]; then
    extra=(--until "$UNTIL" "${extra[@]}")
fi
source scripts/odoo_env.sh
exec "$ODOO_PYTHON" scripts/tpch_compare.py --config "$ODOO_CONF" --db "$DB" --sf "$SF" "${extra[@]}"
