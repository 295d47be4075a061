"""Month / quarter / year rows of the printed reports, without Odoo."""

import datetime
import importlib.util
from pathlib import Path

SOURCE = (
    Path(__file__).resolve().parents[1]
    / "addons/sales_backoffice/reports/period_rows.py"
)
spec = importlib.util.spec_from_file_location("period_rows", SOURCE)
period_rows_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(period_rows_module)
period_rows = period_rows_module.period_rows


def month(year, number):
    return datetime.date(year, number, 1)


def test_quarters_and_years_are_the_sums_of_their_months():
    months = [
        (month(2025, 11), {"a": 1.0}),
        (month(2025, 12), {"a": 2.0}),
        (month(2026, 1), {"a": 4.0}),
        (month(2026, 5), {"a": 8.0}),
    ]
    rows = period_rows(months, ["a"], "Total")
    assert [(r["label"], r["kind"], r["values"]["a"]) for r in rows] == [
        ("2025-11", "month", 1.0),
        ("2025-12", "month", 2.0),
        ("Q4 2025", "quarter", 3.0),
        ("2025", "year", 3.0),
        ("2026-01", "month", 4.0),
        ("Q1 2026", "quarter", 4.0),
        ("2026-05", "month", 8.0),
        ("Q2 2026", "quarter", 8.0),
        ("2026", "year", 12.0),
        ("Total", "total", 15.0),
    ]


def test_missing_measures_count_as_zero_and_rounding_applies_to_sums():
    rows = period_rows(
        [(month(2026, 1), {"a": 0.004}), (month(2026, 2), {"a": 0.004, "b": 1.0})],
        ["a", "b"],
        "Total",
        rounding=lambda value: round(value, 2),
    )
    assert rows[0]["values"] == {"a": 0.0, "b": 0.0}
    assert rows[-1]["values"] == {"a": 0.01, "b": 1.0}


def test_no_month_gives_only_the_total():
    assert period_rows([], ["a"], "Total") == [
        {"label": "Total", "kind": "total", "values": {"a": 0.0}}
    ]
