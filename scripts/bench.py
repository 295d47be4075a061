#!/usr/bin/env python3
"""Benchmark the contract statistics on a loaded TPC-H database.

    scripts/bench.py --config odoo.conf --db tpch_sf001 [--repeat 7]

1. Times the statistics report grouped by district (level 1) x quarter
   (``_read_group`` on ``sales.contract.performance.report``) and an
   equivalent hand-written PostgreSQL aggregate over Odoo's base tables
   (contract lines, sale order lines, stock moves, journal items), side by
   side in one run, median of several repetitions; checks both give the same
   figures and prints their ratio (goal: at most 2).
2. Counts the queries to open one contract's performance list
   (``web_search_read`` on ``sales.contract.line.performance``) for a
   contract of 10 lines and one of 200 lines, made inside a transaction that
   is rolled back; the counts must be equal.

Exit code 0 when the figures are equal, the ratio is at most --max-ratio and
the query counts are equal; 1 otherwise.

Odoo is found through ``ODOO_HOME`` (default /opt/odoo) and ``ODOO_PYTHON``
(default /opt/odoo-venv/bin/python).
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal

ODOO_HOME = os.environ.get("ODOO_HOME", "/opt/odoo")
ODOO_PYTHON = os.environ.get("ODOO_PYTHON", "/opt/odoo-venv/bin/python")

FIGURES = [
    f"{prefix}_{kind}{suffix}"
    for kind in (
        "contracted",
        "ordered",
        "delivered",
        "returned",
        "invoiced",
        "refunded",
    )
    for prefix, suffix in (("qty", ""), ("amount", ""), ("amount", "_total"))
]

# The same figures as the report, straight from the base tables: each source
# aggregated by district and quarter, then pivoted. Delivered and returned
# values: the order line's net price for the moved quantity rounded per move,
# plus its percent taxes rounded per move. Same units of measure assumed on
# contract, order and invoice lines (true of the TPC-H load).
HAND_WRITTEN_SQL = """
WITH tax_rate AS (
    SELECT rel.sale_order_line_id AS line_id, SUM(t.amount) / 100.0 AS rate
      FROM account_tax_sale_order_line_rel rel
      JOIN account_tax t ON t.id = rel.account_tax_id
     WHERE t.amount_type = 'percent'
  GROUP BY rel.sale_order_line_id
),
events AS (
    SELECT c.district_id, date_trunc('quarter', c.date_signed)::date AS quarter,
           'contracted' AS kind, SUM(cl.product_uom_qty) AS qty,
           SUM(cl.price_subtotal) AS amount, SUM(cl.price_total) AS amount_total
      FROM sales_contract_line cl
      JOIN sales_contract c ON c.id = cl.contract_id
     WHERE c.state IN ('active', 'done') AND c.date_signed IS NOT NULL
  GROUP BY 1, 2
UNION ALL
    SELECT c.district_id,
           date_trunc('quarter', (so.date_order AT TIME ZONE 'UTC'
               AT TIME ZONE COALESCE(NULLIF(cp.tz, ''), 'UTC'))::date)::date,
           'ordered', SUM(sol.product_uom_qty), SUM(sol.price_subtotal),
           SUM(sol.price_total)
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
      JOIN sales_contract_line cl ON cl.id = sol.contract_line_id
      JOIN sales_contract c ON c.id = cl.contract_id
      JOIN res_company co ON co.id = so.company_id
      JOIN res_partner cp ON cp.id = co.partner_id
     WHERE so.state = 'sale' AND c.state IN ('active', 'done')
  GROUP BY 1, 2
UNION ALL
    SELECT c.district_id,
           date_trunc('quarter', (m.date AT TIME ZONE 'UTC'
               AT TIME ZONE COALESCE(NULLIF(cp.tz, ''), 'UTC'))::date)::date,
           CASE WHEN dest.usage = 'customer' THEN 'delivered' ELSE 'returned' END,
           SUM(m.quantity), SUM(v.untaxed),
           SUM(v.untaxed + ROUND(v.untaxed * COALESCE(tr.rate, 0), 2))
      FROM stock_move m
      JOIN stock_location src ON src.id = m.location_id
      JOIN stock_location dest ON dest.id = m.location_dest_id
      JOIN sale_order_line sol ON sol.id = m.sale_line_id
      JOIN sales_contract_line cl ON cl.id = sol.contract_line_id
      JOIN sales_contract c ON c.id = cl.contract_id
      JOIN res_company co ON co.id = m.company_id
      JOIN res_partner cp ON cp.id = co.partner_id
      LEFT JOIN tax_rate tr ON tr.line_id = sol.id
      CROSS JOIN LATERAL (
          SELECT ROUND(m.quantity * sol.price_unit
                       * (1 - COALESCE(sol.discount, 0) / 100.0), 2) AS untaxed
      ) v
     WHERE m.state = 'done' AND c.state IN ('active', 'done')
       AND ((dest.usage = 'customer' AND src.usage <> 'customer')
         OR (src.usage = 'customer' AND dest.usage <> 'customer'))
  GROUP BY 1, 2, 3
UNION ALL
    SELECT c.district_id, date_trunc('quarter', am.invoice_date)::date,
           CASE WHEN am.move_type = 'out_invoice' THEN 'invoiced' ELSE 'refunded' END,
           SUM(aml.quantity), SUM(aml.price_subtotal), SUM(aml.price_total)
      FROM account_move_line aml
      JOIN account_move am ON am.id = aml.move_id
      JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
      JOIN sale_order_line sol ON sol.id = rel.order_line_id
      JOIN sales_contract_line cl ON cl.id = sol.contract_line_id
      JOIN sales_contract c ON c.id = cl.contract_id
     WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')
       AND aml.display_type = 'product' AND am.invoice_date IS NOT NULL
       AND c.state IN ('active', 'done')
  GROUP BY 1, 2, 3
)
SELECT NULLIF(split_part(d.parent_path, '/', 1), '')::int AS level1, e.quarter,
       {columns}
  FROM events e
  LEFT JOIN sales_district d ON d.id = e.district_id
 WHERE e.quarter IS NOT NULL
GROUP BY 1, 2
"""


def ensure_odoo():
    try:
        import odoo  # noqa: F401, PLC0415
    except ImportError:
        sys.path.insert(0, ODOO_HOME)
        try:
            import odoo  # noqa: F401, PLC0415
        except ImportError:
            if os.path.realpath(sys.executable) == os.path.realpath(ODOO_PYTHON):
                raise
            os.execv(
                ODOO_PYTHON, [ODOO_PYTHON, os.path.abspath(__file__), *sys.argv[1:]]
            )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", "-c", required=True, help="Odoo configuration file")
    parser.add_argument("--db", "-d", required=True, help="a loaded TPC-H database")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions (median)")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    return parser.parse_args(argv)


def cents(value):
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _column(figure):
    prefix, kind, *total = figure.split("_")
    value = "qty" if prefix == "qty" else ("amount_total" if total else "amount")
    return f"COALESCE(SUM(e.{value}) FILTER (WHERE e.kind = '{kind}'), 0) AS {figure}"


def hand_written_query():
    from odoo.tools import SQL  # noqa: PLC0415

    # built from constants only
    return SQL(HAND_WRITTEN_SQL.format(columns=", ".join(map(_column, FIGURES))))


def run_report(env):
    Report = env["sales.contract.performance.report"]
    groups = Report._read_group(
        [],
        ["district_level1_id", "date:quarter"],
        [f"{f}:sum" for f in FIGURES],
    )
    return {
        (district.id or None, quarter): dict(zip(FIGURES, values, strict=True))
        for district, quarter, *values in groups
    }


def run_sql(env, query):
    env.cr.execute(query)
    return {
        (row[0], row[1]): dict(zip(FIGURES, row[2:], strict=True))
        for row in env.cr.fetchall()
    }


def differences(report, hand):
    diffs = []
    for key in set(report) | set(hand):
        for figure in FIGURES:
            a = cents(report.get(key, {}).get(figure))
            b = cents(hand.get(key, {}).get(figure))
            if a != b:
                diffs.append((key, figure, a, b))
    return diffs


def _ms(times):
    return ", ".join(f"{t * 1000:.0f}" for t in times)


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main(argv=None):
    args = parse_args(argv)
    ensure_odoo()
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = Registry(args.db)
    ok = True
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT COUNT(*) FROM sales_contract_line")
        lines = cr.fetchone()[0]
        cr.execute("SELECT COUNT(*) FROM sales_contract")
        contracts = cr.fetchone()[0]
        print(f"Database {args.db}: {contracts} contracts, {lines} contract lines")

        # 1. report vs hand-written SQL, side by side
        query = hand_written_query()
        run_report(env)  # warm-up (caches, plans)
        run_sql(env, query)
        report_times, sql_times = [], []
        for _index in range(args.repeat):
            seconds, report = timed(run_report, env)
            report_times.append(seconds)
            seconds, hand = timed(run_sql, env, query)
            sql_times.append(seconds)
        report_median = statistics.median(report_times)
        sql_median = statistics.median(sql_times)
        diffs = differences(report, hand)
        ratio = report_median / sql_median if sql_median else float("inf")
        print(
            f"Statistics by district (level 1) x quarter: {len(report)} groups "
            f"(hand-written SQL: {len(hand)})"
        )
        print(
            f"  report _read_group : median {report_median * 1000:9.1f} ms "
            f"over {args.repeat} runs ({_ms(report_times)})"
        )
        print(
            f"  hand-written SQL   : median {sql_median * 1000:9.1f} ms "
            f"over {args.repeat} runs ({_ms(sql_times)})"
        )
        print(f"  ratio report / SQL : {ratio:.2f} (goal <= {args.max_ratio:g})")
        if diffs:
            ok = False
            print(f"  FIGURES DIFFER: {len(diffs)} differences, e.g.:")
            for key, figure, a, b in sorted(diffs, key=str)[:10]:
                print(f"    {key} {figure}: report {a} SQL {b}")
        else:
            print("  figures: equal to the cent (all groups, all figures)")
        if ratio > args.max_ratio:
            ok = False

        # 2. queries to open a contract's performance list
        loader = env["sales.backoffice.tpch.loader"]
        try:
            warm_up = loader._make_performance_contract(3)
            small = loader._make_performance_contract(10)
            large = loader._make_performance_contract(200)
            loader._open_performance_list(warm_up)
            counts = {}
            for name, contract in (("10 lines", small), ("200 lines", large)):
                times = []
                for _index in range(3):
                    started = time.perf_counter()
                    result, count = loader._open_performance_list(contract)
                    times.append(time.perf_counter() - started)
                counts[name] = count
                print(
                    f"Performance list of a contract of {name}: "
                    f"{len(result['records'])} rows, {count} queries, "
                    f"median {statistics.median(times) * 1000:.1f} ms"
                )
        finally:
            cr.rollback()
        if len(set(counts.values())) != 1:
            ok = False
            print("  QUERY COUNTS DIFFER")
        else:
            print("  query counts: equal")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
