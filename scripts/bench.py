#!/usr/bin/env python3
"""Benchmark the back office's reports on a loaded TPC-H database.

    scripts/bench.py --config odoo.conf --db tpch_sf001 [--repeat 7]
        [--as-of 1995-06-17] [--only statistics,ledger,ageing,list]

Each report is timed side by side with a hand-written PostgreSQL query over
Odoo's base tables that gives the same figures (the floor), in one run,
median of several repetitions taken in turn; the figures must be equal to the
cent and the ratio report / SQL at most --max-ratio (goal: 2).

1. statistics: ``sales.contract.performance.report`` grouped by district
   (level 1) x quarter (``_read_group``), its 22 figures (contracted to
   refunded, net invoiced, collected, outstanding) against an aggregate over
   contract lines, sale order lines, stock moves, journal items and partial
   reconciliations.
2. ledger: the collection ledger ``sales.collection.ledger.report`` grouped by
   district (level 1) x month, planned / invoiced / collected / overdue sums,
   against an aggregate over instalments, invoices' receivable lines and
   their partial reconciliations with payments.
3. ageing: the receivable ageing ``sales.receivable.ageing.report`` of all
   customers as of --as-of, grouped by customer, bucket sums, against a query
   over receivable journal items and partial reconciliations (residual at the
   date = balance - partials dated on or before it on the debit side + on the
   credit side). When OCA's ``account_financial_report`` is installed in the
   database, its aged partner balance (the report's data gathering,
   ``_get_report_values``, not the PDF rendering) is timed in the same run,
   with intervals set to the same buckets; its totals per customer are
   checked against the SQL and its ratio printed (no goal). Without it that
   part is skipped with a message (requirements-bench.txt installs it).
4. list: the queries to open one contract's performance list
   (``web_search_read`` on ``sales.contract.line.performance``) for a
   contract of 10 lines and one of 200 lines; the counts must be equal.

Everything runs in one transaction that is rolled back: the database is not
changed. Exit code 0 when every check passes, 1 otherwise.

Odoo is found through ``ODOO_HOME`` (default /opt/odoo) and ``ODOO_PYTHON``
(default /opt/odoo-venv/bin/python).
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal

ODOO_HOME = os.environ.get("ODOO_HOME", "/opt/odoo")
ODOO_PYTHON = os.environ.get("ODOO_PYTHON", "/opt/odoo-venv/bin/python")

PARTS = ("statistics", "ledger", "ageing", "list")
AS_OF = "1995-06-17"
OCA_MODULE = "account_financial_report"

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
# the statistics' figures that combine kinds: net invoiced (invoiced -
# refunded), collected, outstanding (net invoiced total - collected)
STATISTICS_FIGURES = [
    *FIGURES,
    "amount_invoiced_net",
    "amount_invoiced_net_total",
    "amount_collected",
    "amount_outstanding",
]
LEDGER_FIGURES = (
    "planned_amount",
    "invoiced_amount",
    "collected_amount",
    "overdue_amount",
)
AGEING_FIGURES = (
    "residual_amount",
    "not_due_amount",
    "bucket_1_amount",
    "bucket_2_amount",
    "bucket_3_amount",
    "bucket_4_amount",
    "bucket_5_amount",
)
# the buckets' last days (the company default): 1-30, 31-60, 61-90, 91-180,
# over 180; OCA's interval lines are set to the same limits, the last one at
# the oldest item's age (OCA lists every day of an interval: a far limit
# would cost it a list that long per item)
AGEING_LIMITS = (30, 60, 90, 180)

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
UNION ALL
    SELECT c.district_id, date_trunc('quarter', col.date)::date, 'collected',
           0, SUM(col.amount), SUM(col.amount)
      FROM ({collections}) col
      JOIN sales_contract c ON c.id = col.contract_id
     WHERE c.state IN ('active', 'done')
  GROUP BY 1, 2
)
SELECT NULLIF(split_part(d.parent_path, '/', 1), '')::int AS level1, e.quarter,
       {columns}
  FROM events e
  LEFT JOIN sales_district d ON d.id = e.district_id
 WHERE e.quarter IS NOT NULL
GROUP BY 1, 2
"""


# Collections, straight from the partial reconciliations: (contract_id,
# date, amount) for each reconciliation of a contract's posted invoice's
# receivable line with a payment (plus) or of its credit note's with money
# paid back (minus), on its max_date; a counterpart that is an invoice, a
# credit note or an exchange difference entry is no collection.
COLLECTIONS_SQL = """
    SELECT am.sales_contract_id AS contract_id, p.max_date AS date,
           {sign}p.amount AS amount
      FROM account_partial_reconcile p
      JOIN account_move_line aml ON aml.id = p.{own}
      JOIN account_move am ON am.id = aml.move_id
      JOIN account_move_line ol ON ol.id = p.{other}
      JOIN account_move om ON om.id = ol.move_id
     WHERE am.sales_contract_id IS NOT NULL AND am.state = 'posted'
       AND am.move_type IN ('out_invoice', 'out_refund')
       AND aml.display_type = 'payment_term'
       AND om.move_type NOT IN
           ('out_invoice', 'out_refund', 'in_invoice', 'in_refund')
       AND om.id NOT IN (SELECT x.exchange_move_id
                           FROM account_partial_reconcile x
                          WHERE x.exchange_move_id IS NOT NULL)
"""
COLLECTIONS_SQL = "UNION ALL".join(
    COLLECTIONS_SQL.format(sign=sign, own=own, other=other)
    for sign, own, other in (
        ("", "debit_move_id", "credit_move_id"),
        ("-", "credit_move_id", "debit_move_id"),
    )
)

# The collection ledger's figures straight from the base tables, each source
# on its own date: planned on the instalment's due date; invoiced (the
# receivable line's balance: a credit note is negative) on the invoice date;
# collected on the partial reconciliation's max_date (COLLECTIONS_SQL);
# overdue (open today) on the due date when it is before today.
LEDGER_SQL = """
SELECT NULLIF(split_part(d.parent_path, '/', 1), '')::int AS level1, ev.month,
       SUM(ev.planned), SUM(ev.invoiced), SUM(ev.collected), SUM(ev.overdue)
  FROM (
        SELECT i.contract_id, date_trunc('month', i.due_date)::date AS month,
               i.amount AS planned, 0 AS invoiced, 0 AS collected, 0 AS overdue
          FROM sales_contract_instalment i
         WHERE i.due_date IS NOT NULL
     UNION ALL
        SELECT am.sales_contract_id, date_trunc('month', am.invoice_date)::date,
               0, aml.balance, 0, 0
          FROM account_move am
          JOIN account_move_line aml ON aml.move_id = am.id
         WHERE am.sales_contract_id IS NOT NULL AND am.state = 'posted'
           AND am.move_type IN ('out_invoice', 'out_refund')
           AND aml.display_type = 'payment_term'
           AND am.invoice_date IS NOT NULL
     UNION ALL
        SELECT am.sales_contract_id,
               date_trunc('month', COALESCE(aml.date_maturity, aml.date))::date,
               0, 0, 0, aml.amount_residual
          FROM account_move am
          JOIN account_move_line aml ON aml.move_id = am.id
         WHERE am.sales_contract_id IS NOT NULL AND am.state = 'posted'
           AND am.move_type IN ('out_invoice', 'out_refund')
           AND aml.display_type = 'payment_term'
           AND aml.amount_residual <> 0
           AND COALESCE(aml.date_maturity, aml.date) < %(today)s
     UNION ALL
        SELECT col.contract_id, date_trunc('month', col.date)::date,
               0, 0, col.amount, 0
          FROM ({collections}) col
       ) ev
  JOIN sales_contract c ON c.id = ev.contract_id
  LEFT JOIN sales_district d ON d.id = c.district_id
 WHERE c.state IN ('active', 'done') AND ev.month IS NOT NULL
GROUP BY 1, 2
"""

# The ageing straight from the definition: every posted receivable line dated
# on or before the as-of date, its residual at that date = balance - the
# partials dated on or before it where it is the debit line + those where it
# is the credit line; days overdue = as-of date - due date (the line's date
# without one), bucketed 0 or less (not due), 1-30, 31-60, 61-90, 91-180,
# over 180; per commercial partner.
AGEING_SQL = """
WITH settled AS (
    SELECT s.line_id, SUM(s.amount) AS amount
      FROM (SELECT p.debit_move_id AS line_id, p.amount
              FROM account_partial_reconcile p
             WHERE p.max_date <= %(as_of)s
         UNION ALL
            SELECT p.credit_move_id, -p.amount
              FROM account_partial_reconcile p
             WHERE p.max_date <= %(as_of)s) s
  GROUP BY s.line_id
),
open_items AS (
    SELECT partner.commercial_partner_id AS partner_id,
           aml.balance - COALESCE(settled.amount, 0) AS residual,
           %(as_of)s::date - COALESCE(aml.date_maturity, aml.date) AS days
      FROM account_move_line aml
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN res_partner partner ON partner.id = aml.partner_id
      LEFT JOIN settled ON settled.line_id = aml.id
     WHERE acc.account_type = 'asset_receivable'
       AND aml.parent_state = 'posted'
       AND aml.date <= %(as_of)s
)
SELECT partner_id, SUM(residual),
       SUM(residual) FILTER (WHERE days <= 0),
       SUM(residual) FILTER (WHERE days BETWEEN 1 AND %(l1)s),
       SUM(residual) FILTER (WHERE days BETWEEN %(l1)s + 1 AND %(l2)s),
       SUM(residual) FILTER (WHERE days BETWEEN %(l2)s + 1 AND %(l3)s),
       SUM(residual) FILTER (WHERE days BETWEEN %(l3)s + 1 AND %(l4)s),
       SUM(residual) FILTER (WHERE days > %(l4)s)
  FROM open_items
 WHERE residual <> 0
GROUP BY partner_id
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


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"not a date (YYYY-MM-DD): {value!r}"
        ) from error


def _parts(value):
    parts = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(unknown) or '(none given)'}: "
            f"choose among {', '.join(PARTS)}"
        )
    return parts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", "-c", required=True, help="Odoo configuration file")
    parser.add_argument("--db", "-d", required=True, help="a loaded TPC-H database")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions (median)")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument(
        "--as-of",
        type=_date,
        default=datetime.date.fromisoformat(AS_OF),
        help=f"the ageing's as-of date (default {AS_OF})",
    )
    parser.add_argument(
        "--only",
        type=_parts,
        default=list(PARTS),
        help=f"comma-separated parts to run (default: {','.join(PARTS)})",
    )
    return parser.parse_args(argv)


def cents(value):
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _sum(kind, value="amount"):
    return f"COALESCE(SUM(e.{value}) FILTER (WHERE e.kind = '{kind}'), 0)"


def _column(figure):
    prefix, kind, *total = figure.split("_")
    value = "qty" if prefix == "qty" else ("amount_total" if total else "amount")
    return f"{_sum(kind, value)} AS {figure}"


def hand_written_query():
    from odoo.tools import SQL  # noqa: PLC0415

    net_total = (
        f"{_sum('invoiced', 'amount_total')} - {_sum('refunded', 'amount_total')}"
    )
    columns = [
        *map(_column, FIGURES),
        f"{_sum('invoiced')} - {_sum('refunded')} AS amount_invoiced_net",
        f"{net_total} AS amount_invoiced_net_total",
        f"{_sum('collected')} AS amount_collected",
        f"{net_total} - {_sum('collected')} AS amount_outstanding",
    ]
    # built from constants only
    return SQL(
        HAND_WRITTEN_SQL.format(columns=", ".join(columns), collections=COLLECTIONS_SQL)
    )


def ledger_query(today):
    from odoo.tools import SQL  # noqa: PLC0415

    return SQL(LEDGER_SQL.format(collections=COLLECTIONS_SQL), today=today)


def ageing_query(as_of):
    from odoo.tools import SQL  # noqa: PLC0415

    limits = dict(zip(("l1", "l2", "l3", "l4"), AGEING_LIMITS, strict=True))
    return SQL(AGEING_SQL, as_of=as_of, **limits)


def _groups(groups, figures):
    """{(group key, ...): {figure: value}} of ``_read_group`` rows; a record
    in the key is its id (None when empty)."""
    result = {}
    width = len(figures)
    for row in groups:
        key = tuple(getattr(item, "id", item) or None for item in row[:-width])
        result[key] = dict(zip(figures, row[-width:], strict=True))
    return result


def _rows(env, query, width, figures):
    env.cr.execute(query)
    return {
        tuple(row[:width]): dict(zip(figures, row[width:], strict=True))
        for row in env.cr.fetchall()
    }


def run_report(env):
    groups = env["sales.contract.performance.report"]._read_group(
        [],
        ["district_level1_id", "date:quarter"],
        [f"{f}:sum" for f in STATISTICS_FIGURES],
    )
    return _groups(groups, STATISTICS_FIGURES)


def run_sql(env, query):
    return _rows(env, query, 2, STATISTICS_FIGURES)


def run_ledger(env):
    groups = env["sales.collection.ledger.report"]._read_group(
        [],
        ["district_level1_id", "date:month"],
        [f"{f}:sum" for f in LEDGER_FIGURES],
    )
    return _groups(groups, LEDGER_FIGURES)


def run_ledger_sql(env, query):
    return _rows(env, query, 2, LEDGER_FIGURES)


def run_ageing(env, as_of):
    report = env["sales.receivable.ageing.report"].with_context(
        as_of_date=as_of.isoformat()
    )
    groups = report._read_group(
        [], ["partner_id"], [f"{f}:sum" for f in AGEING_FIGURES]
    )
    return _groups(groups, AGEING_FIGURES)


def run_ageing_sql(env, query):
    return _rows(env, query, 1, AGEING_FIGURES)


def differences(report, hand, figures):
    diffs = []
    for key in set(report) | set(hand):
        for figure in figures:
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


def side_by_side(runners, repeat):
    """Run each (label, function) once to warm up (caches, plans), then all
    of them in turn ``repeat`` times: {label: (times, last result)}."""
    for _label, function in runners:
        function()
    times = {label: [] for label, _function in runners}
    results = {}
    for _index in range(repeat):
        for label, function in runners:
            seconds, results[label] = timed(function)
            times[label].append(seconds)
    return {label: (times[label], results[label]) for label, _function in runners}


def compare(title, measured, floor, contenders, figures):
    """Print the medians of ``measured`` ({label: (times, result)}), the ratio
    of each contender (label, goal or None) to the ``floor`` and whether its
    figures equal the floor's to the cent; True when all are equal and every
    ratio with a goal is at most it."""
    floor_times, floor_result = measured[floor]
    floor_median = statistics.median(floor_times)
    counts = ", ".join(f"{label}: {len(measured[label][1])}" for label, _ in contenders)
    print(f"{title}: {len(floor_result)} groups ({floor}; {counts})")
    width = max(len(label) for label in measured)
    for label, (times, _result) in measured.items():
        print(
            f"  {label:<{width}} : median {statistics.median(times) * 1000:9.1f} ms "
            f"over {len(times)} runs ({_ms(times)})"
        )
    ok = True
    for label, goal in contenders:
        times, result = measured[label]
        median = statistics.median(times)
        ratio = median / floor_median if floor_median else float("inf")
        aim = f"goal <= {goal:g}" if goal else "no goal"
        print(f"  ratio {label} / {floor} : {ratio:.2f} ({aim})")
        if goal and ratio > goal:
            ok = False
        diffs = differences(result, floor_result, figures)
        if diffs:
            ok = False
            print(f"  {label}: FIGURES DIFFER from {floor}: {len(diffs)}, e.g.:")
            for key, figure, a, b in sorted(diffs, key=str)[:10]:
                print(f"    {key} {figure}: {label} {a}, {floor} {b}")
        else:
            print(f"  {label}: figures equal to the cent (all groups, all figures)")
    return ok


def bench_statistics(env, args):
    query = hand_written_query()
    measured = side_by_side(
        [
            ("report _read_group", lambda: run_report(env)),
            ("hand-written SQL", lambda: run_sql(env, query)),
        ],
        args.repeat,
    )
    return compare(
        "Statistics by district (level 1) x quarter",
        measured,
        "hand-written SQL",
        [("report _read_group", args.max_ratio)],
        STATISTICS_FIGURES,
    )


def bench_ledger(env, args):
    from odoo import fields  # noqa: PLC0415

    # the ledger's overdue is what is open today: the same today for both
    today = fields.Date.context_today(env["sales.collection.ledger.report"])
    query = ledger_query(today)
    measured = side_by_side(
        [
            ("ledger _read_group", lambda: run_ledger(env)),
            ("hand-written SQL", lambda: run_ledger_sql(env, query)),
        ],
        args.repeat,
    )
    totals = {
        figure: sum(
            cents(row[figure]) for row in measured["hand-written SQL"][1].values()
        )
        for figure in LEDGER_FIGURES
    }
    ok = compare(
        "Collection ledger by district (level 1) x month",
        measured,
        "hand-written SQL",
        [("ledger _read_group", args.max_ratio)],
        LEDGER_FIGURES,
    )
    print("  totals: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return ok


def _oca_interval_lines(oldest):
    from odoo import Command  # noqa: PLC0415

    starts = (1, *(limit + 1 for limit in AGEING_LIMITS))
    ends = (*AGEING_LIMITS, max(oldest, AGEING_LIMITS[-1] + 1))
    return [
        Command.create({"name": f"{start}-{end}", "inferior_limit": end})
        for start, end in zip(starts, ends, strict=True)
    ]


def oca_aged_balance(env, as_of):
    """(runner, None) timing OCA's aged partner balance as of ``as_of`` on the
    receivable accounts of every company with receivable items, its buckets
    set to the report's, totals per partner name; (None, why) without it."""
    from odoo import Command, fields  # noqa: PLC0415
    from odoo.modules.module import get_module_path  # noqa: PLC0415
    from odoo.tools import SQL  # noqa: PLC0415

    report_name = f"report.{OCA_MODULE}.aged_partner_balance"
    if report_name not in env:
        if not get_module_path(OCA_MODULE, display_warning=False):
            return None, (
                f"OCA's {OCA_MODULE} is not available to this Odoo "
                "(pip install --no-deps -r requirements-bench.txt): skipped"
            )
        return None, (
            f"OCA's {OCA_MODULE} is not installed in database {env.cr.dbname} "
            f"(install it on a copy: odoo-bin -i {OCA_MODULE}): skipped"
        )
    env.cr.execute(
        SQL(
            """SELECT aml.company_id,
                      MAX(%s::date - COALESCE(aml.date_maturity, aml.date))
                 FROM account_move_line aml
                 JOIN account_account acc ON acc.id = aml.account_id
                WHERE acc.account_type = 'asset_receivable'
                  AND aml.parent_state = 'posted'
             GROUP BY aml.company_id""",
            as_of,
        )
    )
    jobs = []
    for company_id, oldest in env.cr.fetchall():
        company = env["res.company"].browse(company_id)
        company_env = env(context=dict(env.context, allowed_company_ids=[company_id]))
        config = company_env["account.age.report.configuration"].create(
            {"name": "bench", "line_ids": _oca_interval_lines(oldest)}
        )
        accounts = company_env["account.account"].search(
            [
                ("account_type", "=", "asset_receivable"),
                ("company_ids", "in", company.ids),
            ]
        )
        wizard = company_env["aged.partner.balance.report.wizard"].create(
            {
                "company_id": company_id,
                "date_at": as_of,
                "target_move": "posted",
                "account_ids": [Command.set(accounts.ids)],
                "age_partner_config_id": config.id,
            }
        )
        data = wizard._prepare_report_data()
        # as the report action passes it: through JSON
        data["date_at"] = fields.Date.to_string(data["date_at"])
        jobs.append((company_env[report_name], data, config.line_ids))

    def run():
        totals = {}
        for report, data, lines in jobs:
            values = report._get_report_values(None, data)
            for account in values["aged_partner_balance"]:
                for partner in account["partners"]:
                    row = totals.setdefault(
                        partner["name"], dict.fromkeys(AGEING_FIGURES, 0.0)
                    )
                    row["residual_amount"] += partner["residual"]
                    row["not_due_amount"] += partner["current"]
                    for figure, line in zip(AGEING_FIGURES[2:], lines, strict=True):
                        row[figure] += partner[line]
        return totals

    return run, None


def _by_partner_id(env, by_name, partner_ids):
    """OCA's totals keyed by partner name, keyed like ours by partner id (a
    name that is no known partner's, or several's, stays a name)."""
    names = {}
    for partner in env["res.partner"].browse(partner_ids):
        names.setdefault(partner.display_name, []).append(partner.id)
    return {
        (names[name][0],) if len(names.get(name, ())) == 1 else (name,): row
        for name, row in by_name.items()
    }


def bench_ageing(env, args):
    as_of = args.as_of
    query = ageing_query(as_of)
    runners = [
        ("ageing _read_group", lambda: run_ageing(env, as_of)),
        ("hand-written SQL", lambda: run_ageing_sql(env, query)),
    ]
    contenders = [("ageing _read_group", args.max_ratio)]
    oca, why = oca_aged_balance(env, as_of)
    if oca:
        runners.append(("OCA aged partner balance", oca))
        contenders.append(("OCA aged partner balance", None))
    measured = side_by_side(runners, args.repeat)
    if oca:
        times, by_name = measured["OCA aged partner balance"]
        hand = measured["hand-written SQL"][1]
        partner_ids = [key[0] for key in hand]
        measured["OCA aged partner balance"] = (
            times,
            _by_partner_id(env, by_name, partner_ids),
        )
    total = sum(
        (
            cents(row["residual_amount"])
            for row in measured["hand-written SQL"][1].values()
        ),
        Decimal(0),
    )
    ok = compare(
        f"Receivable ageing of all customers as of {as_of}, by customer",
        measured,
        "hand-written SQL",
        contenders,
        AGEING_FIGURES,
    )
    print(f"  total open: {total}")
    if oca:
        report_median = statistics.median(measured["ageing _read_group"][0])
        oca_median = statistics.median(measured["OCA aged partner balance"][0])
        print(f"  ratio OCA / ageing report : {oca_median / report_median:.2f}")
    else:
        print(f"  {why}")
    return ok


def bench_list(env):
    loader = env["sales.backoffice.tpch.loader"]
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
    if len(set(counts.values())) != 1:
        print("  QUERY COUNTS DIFFER")
        return False
    print("  query counts: equal")
    return True


def describe(cr, db):
    cr.execute(
        """SELECT pg_size_pretty(pg_database_size(current_database())),
                  (SELECT COUNT(*) FROM sales_contract),
                  (SELECT COUNT(*) FROM sales_contract_line),
                  (SELECT COUNT(*) FROM account_move_line aml
                     JOIN account_account acc ON acc.id = aml.account_id
                    WHERE acc.account_type = 'asset_receivable'
                      AND aml.parent_state = 'posted'),
                  (SELECT COUNT(*) FROM account_partial_reconcile)"""
    )
    size, contracts, lines, receivable, partials = cr.fetchone()
    print(
        f"Database {db} ({size}): {contracts} contracts, {lines} contract lines, "
        f"{receivable} posted receivable items, {partials} partial reconciliations"
    )


# the model each part reads: missing in a database not updated since
PART_MODELS = {
    "statistics": "sales.contract.performance.report",
    "ledger": "sales.collection.ledger.report",
    "ageing": "sales.receivable.ageing.report",
    "list": "sales.backoffice.tpch.loader",
}


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    ensure_odoo()
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = Registry(args.db)
    ok = True
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        describe(cr, args.db)
        # the code defines the models; the database has them once updated
        cr.execute(
            "SELECT model FROM ir_model WHERE model = ANY(%s)",
            [[PART_MODELS[part] for part in args.only]],
        )
        known = {model for (model,) in cr.fetchall()}
        missing = [part for part in args.only if PART_MODELS[part] not in known]
        if missing:
            models = ", ".join(PART_MODELS[part] for part in missing)
            print(
                f"Database {args.db} has no {models} (part {', '.join(missing)}): "
                "update it on a copy "
                "(odoo-bin -u sales_backoffice) or leave the part out (--only)"
            )
            print("FAIL")
            return 1
        try:
            if "statistics" in args.only:
                ok = bench_statistics(env, args) and ok
            if "ledger" in args.only:
                ok = bench_ledger(env, args) and ok
            if "ageing" in args.only:
                ok = bench_ageing(env, args) and ok
            if "list" in args.only:
                ok = bench_list(env) and ok
        finally:
            cr.rollback()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
