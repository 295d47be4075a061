#!/usr/bin/env bash
# `make tpch`: thin wrapper around scripts/tpch_compare.py (TPC-H data loaded
# into Odoo through sales_backoffice_tpch, figures compared with DuckDB's).
#
#   scripts/tpch.sh [SF=0.01] [DB=sales_backoffice_tpch] [extra args...]
#   e.g. scripts/tpch.sh DB=tpch --until 1995-06-17   (load and compare up to that date)
#
# SF / DB may also come from the environment.  Runs
#   $ODOO_PYTHON scripts/tpch_compare.py --config .run/odoo.conf --db $DB --sf $SF
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extra=()
for arg in "$@"; do
    case "$arg" in
    SF=*) SF="${arg#SF=}" ;;
    DB=*) DB="${arg#DB=}" ;;
    *) extra+=("$arg") ;;
    esac
done
SF="${SF:-0.01}"
DB="${DB:-sales_backoffice_tpch}"
if [[ ! -f scripts/tpch_compare.py ]]; then
    echo "ERROR: scripts/tpch_compare.py does not exist yet (it comes with the sales_backoffice_tpch addon); nothing to run" >&2
    exit 1
fi
source scripts/odoo_env.sh
exec "$ODOO_PYTHON" scripts/tpch_compare.py --config "$ODOO_CONF" --db "$DB" --sf "$SF" "${extra[@]}"
