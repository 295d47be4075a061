"""Offline tests of the receivable ageing maths (sales_backoffice/tools/ageing.py):
the rules the ageing report's SQL applies, checked without Odoo."""

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pytest

AGEING_FILE = (
    Path(__file__).resolve().parent.parent
    / "addons"
    / "sales_backoffice"
    / "tools"
    / "ageing.py"
)


def _load():
    spec = importlib.util.spec_from_file_location("sbo_ageing", AGEING_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ageing = _load()
AS_OF = date(2026, 6, 30)


def test_module_needs_no_odoo():
    assert "odoo" not in AGEING_FILE.read_text()


@pytest.mark.parametrize(
    "days, bucket",
    [
        (-10, 0),
        (0, 0),
        (1, 1),
        (30, 1),
        (31, 2),
        (60, 2),
        (61, 3),
        (90, 3),
        (91, 4),
        (180, 4),
        (181, 5),
        (4000, 5),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert ageing.bucket_index(days) == bucket


def test_bucket_boundaries_other_limits():
    limits = (15, 45, 120, 365)
    assert [ageing.bucket_index(d, limits) for d in (0, 1, 15, 16, 45, 46)] == [
        0,
        1,
        1,
        2,
        2,
        3,
    ]
    assert [ageing.bucket_index(d, limits) for d in (120, 121, 365, 366)] == [
        3,
        4,
        4,
        5,
    ]


def test_bucket_ranges():
    assert ageing.bucket_ranges() == (
        (1, 30),
        (31, 60),
        (61, 90),
        (91, 180),
        (181, None),
    )
    assert ageing.bucket_ranges((10, 20, 30, 40))[-1] == (41, None)


@pytest.mark.parametrize(
    "limits, valid",
    [
        ((30, 60, 90, 180), True),
        ((1, 2, 3, 4), True),
        ((30, 30, 90, 180), False),
        ((60, 30, 90, 180), False),
        ((0, 30, 90, 180), False),
        ((-5, 30, 90, 180), False),
        ((30, 60, 90), False),
        ((30, 60, 90, 180, 365), False),
        ((30.5, 60, 90, 180), False),
        ((True, 60, 90, 180), False),
    ],
)
def test_check_limits(limits, valid):
    assert ageing.check_limits(limits) is valid


def test_days_overdue_uses_due_date_then_date():
    assert ageing.days_overdue(AS_OF, date(2026, 6, 1), date(2026, 5, 1)) == 29
    assert ageing.days_overdue(AS_OF, None, date(2026, 5, 31)) == 30
    assert ageing.days_overdue(AS_OF, date(2026, 7, 30), date(2026, 6, 30)) == -30
    with pytest.raises(TypeError):
        ageing.days_overdue(AS_OF, None, None)


def test_residual_as_of_ignores_later_partials():
    invoice_partials = [
        ("debit", 40.0, date(2026, 5, 10)),  # paid before the as-of date
        ("debit", 60.0, date(2026, 7, 2)),  # paid after it: still owed at it
    ]
    assert ageing.residual_as_of(100.0, invoice_partials, AS_OF) == 60.0
    assert ageing.residual_as_of(100.0, invoice_partials, date(2026, 7, 2)) == 0.0
    assert ageing.residual_as_of(100.0, invoice_partials, date(2026, 5, 9)) == 100.0
    # a payment line (credit) partly used on the as-of date itself
    assert ageing.residual_as_of(-80.0, [("credit", 50.0, AS_OF)], AS_OF) == -30.0
    with pytest.raises(ValueError):
        ageing.residual_as_of(1.0, [("both", 1.0, AS_OF)], AS_OF)


def test_open_credit_sits_negative_in_its_own_bucket():
    aged = ageing.age_line(-25.0, 45)
    assert aged["bucket_2_amount"] == -25.0
    assert sum(aged.values()) == -25.0
    assert ageing.age_line(-25.0, 0)["not_due_amount"] == -25.0


def test_age_lines_totals():
    lines = [
        (100.0, AS_OF + timedelta(days=5), AS_OF),  # not due
        (50.0, AS_OF, AS_OF - timedelta(days=30)),  # due today: not due
        (30.0, AS_OF - timedelta(days=1), None),  # 1 day
        (20.0, None, AS_OF - timedelta(days=31)),  # no due date: 31 days
        (10.0, AS_OF - timedelta(days=181), None),  # over 180
        (-15.0, AS_OF - timedelta(days=100), None),  # open credit, 91-180
        (0.0, AS_OF - timedelta(days=400), None),  # settled: left out
    ]
    totals = ageing.age_lines(lines, AS_OF)
    assert totals == {
        "residual_amount": 195.0,
        "not_due_amount": 150.0,
        "bucket_1_amount": 30.0,
        "bucket_2_amount": 20.0,
        "bucket_3_amount": 0,
        "bucket_4_amount": -15.0,
        "bucket_5_amount": 10.0,
    }
    # the buckets always add up to the residual
    assert sum(v for k, v in totals.items() if k != "residual_amount") == 195.0
