#!/usr/bin/env python3
"""Load TPC-H data into an Odoo database and compare its statistics,
collections and receivables with DuckDB.

    scripts/tpch_compare.py --config odoo.conf --db tpch_sf001 --sf 0.01 \
        [--subset] [--until 1995-06-17] [--no-load]

Creates the database when missing (installs ``sales_backoffice_tpch`` with
``odoo-bin -i ... --stop-after-init --without-demo=all``), loads the TPC-H
orders through the ORM committing per chunk of days (an interrupted load
resumes after its last committed chunk), prints the load throughput, then
compares with the figures DuckDB computes from the TPC-H tables:

* the statistics report (``sales.contract.performance.report``) grouped by
  district (region and nation) x quarter;
* the collection ledger (``sales.collection.ledger.report``): collected
  amount by district (region and nation) x month;
* the receivable ageing (``sales.receivable.ageing.report``) as of
  1995-06-17 by customer: not due and the five buckets.

It prints a table per comparison and PASS or FAIL. ``--until``: replay only
the events dated on or before that date and compare only what is dated up
to it (everything the collection comparisons need is dated on or before
1995-06-17; a later run without ``--until`` resumes the rest). Exit code: 0
PASS, 1 FAIL (mismatch), 2 error.

Odoo is found through ``ODOO_HOME`` (default /opt/odoo) and ``ODOO_PYTHON``
(default /opt/odoo-venv/bin/python): run with another interpreter, the
script re-executes itself with ``ODOO_PYTHON``.
"""

import argparse
import datetime
import os
import subprocess
import sys
import time

ODOO_HOME = os.environ.get("ODOO_HOME", "/opt/odoo")
ODOO_PYTHON = os.environ.get("ODOO_PYTHON", "/opt/odoo-venv/bin/python")
MODULE = "sales_backoffice_tpch"
LEDGER_MODEL = "sales.collection.ledger.report"
AGEING_MODEL = "sales.receivable.ageing.report"


def ensure_odoo():
    """Make ``import odoo`` work: add ODOO_HOME to the path, or re-execute
    with ODOO_PYTHON."""
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
    parser.add_argument(
        "--db", "-d", required=True, help="database (created if missing)"
    )
    parser.add_argument("--sf", type=float, default=0.01, help="TPC-H scale factor")
    parser.add_argument(
        "--subset", action="store_true", help="load the test subset only"
    )
    parser.add_argument(
        "--chunk-days", type=int, default=31, help="days per committed chunk"
    )
    parser.add_argument(
        "--until",
        type=datetime.date.fromisoformat,
        default=None,
        help="replay and compare only what is dated on or before this date "
        "(YYYY-MM-DD)",
    )
    parser.add_argument("--no-load", action="store_true", help="compare only")
    return parser.parse_args(argv)


def module_state(db):
    """State of the TPC-H module in ``db``; None when the database (or its
    Odoo schema) does not exist."""
    import psycopg2  # noqa: PLC0415

    from odoo import sql_db  # noqa: PLC0415
    from odoo.service import db as db_service  # noqa: PLC0415

    if not db_service.exp_db_exist(db):
        return None
    with sql_db.db_connect(db).cursor() as cr:
        try:
            cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [MODULE])
        except psycopg2.Error:
            return None
        row = cr.fetchone()
    return row[0] if row else None


def install(config, db):
    command = [
        ODOO_PYTHON,
        os.path.join(ODOO_HOME, "odoo-bin"),
        "-c",
        config,
        "-d",
        db,
        "-i",
        MODULE,
        "--stop-after-init",
        "--without-demo=all",
        "--http-interface=127.0.0.1",
        "--no-http",
    ]
    print(f"Installing {MODULE} into {db}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    subprocess.run(command, check=True)
    print(f"Installed in {time.monotonic() - started:.0f}s", flush=True)


def main(argv=None):
    args = parse_args(argv)
    ensure_odoo()
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    if module_state(args.db) != "installed":
        install(args.config, args.db)

    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        loader = env["sales.backoffice.tpch.loader"]
        started = time.monotonic()
        data = loader._tpch_data(sf=args.sf, subset=args.subset)
        summary = data.summary()
        print(
            f"TPC-H sf={args.sf}{' (subset)' if args.subset else ''}: "
            f"{summary['orders']} orders, {summary['lines']} lines, "
            f"generated in {time.monotonic() - started:.1f}s",
            flush=True,
        )
        if not args.no_load:
            stats = loader.load(
                sf=args.sf,
                subset=args.subset,
                data=data,
                commit=True,
                chunk_days=args.chunk_days,
                log=lambda message: print(message, flush=True),
                until=args.until,
            )
            replayed = stats["orders_replayed"]
            seconds = stats["replay_seconds"]
            print(
                "Load statistics: "
                + ", ".join(f"{k}={v}" for k, v in sorted(stats.items()))
            )
            if replayed:
                print(
                    f"Load throughput: {replayed} orders in {seconds:.0f}s = "
                    f"{replayed / seconds:.2f} orders/s (master data: "
                    f"{stats['masters_seconds']:.0f}s)",
                    flush=True,
                )
            else:
                print("Load: nothing left to replay (already loaded)")
        started = time.monotonic()
        comparison = loader.compare(data, until=args.until)
        print(f"Statistics compared in {time.monotonic() - started:.1f}s")
        print("\n".join(loader.format_comparison(comparison)))
        mismatches = sum(
            len(differences) for _e, _a, differences in comparison.values()
        )
        missing = [model for model in (LEDGER_MODEL, AGEING_MODEL) if model not in env]
        if missing:
            print(
                f"SKIPPED: {', '.join(missing)} not installed (update sales_backoffice)"
            )
        if len(missing) < 2:
            started = time.monotonic()
            receivables = loader.compare_receivables(data, until=args.until)
            print(f"Receivables compared in {time.monotonic() - started:.1f}s")
            print("\n".join(loader.format_receivables_comparison(receivables)))
            mismatches += sum(
                len(differences) for _e, _a, differences, _f in receivables.values()
            )
        cr.rollback()
    if mismatches:
        print(f"FAIL: {mismatches} figures differ between the Odoo reports and DuckDB")
        return 1
    if missing:
        print(
            "PASS (without "
            + ", ".join(missing)
            + "): the Odoo reports compared equal the DuckDB figures to the cent"
        )
        return 0
    print("PASS: the Odoo reports equal the DuckDB figures to the cent")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(2)
