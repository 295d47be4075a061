"""Receivable ageing maths: plain values in, plain values out, no ORM.

The SQL of ``sales.receivable.ageing.report`` applies the same rules to every
open receivable line at once; these functions state them for one line (the
statement, the tests, any other caller) and are tested without a database.

* The residual of a receivable line as of a date D is its balance minus the
  partial reconciliations on its debit side plus those on its credit side,
  counting only the partials whose ``max_date`` (the later of the two matched
  lines' dates) is on or before D: a payment made after D does not count at D.
* Days overdue = D - due date (the line's date when it has no due date);
  zero or less is "not yet due".
* Buckets: not due, then 1 to limit 1, limit 1 + 1 to limit 2, ..., and over
  the last limit. An open credit (a negative residual: an unused refund or
  payment) sits, negative, in the bucket of its own due date.
"""

from datetime import date as Date

DEFAULT_LIMITS = (30, 60, 90, 180)
# the report's columns, in bucket order: not due, then one per range
BUCKET_FIELDS = (
    "not_due_amount",
    "bucket_1_amount",
    "bucket_2_amount",
    "bucket_3_amount",
    "bucket_4_amount",
    "bucket_5_amount",
)


def check_limits(limits):
    """True when ``limits`` are four whole numbers of days, 1 or more and
    strictly increasing (30, 60, 90, 180)."""
    limits = tuple(limits)
    return (
        len(limits) == len(DEFAULT_LIMITS)
        and all(
            isinstance(limit, int) and not isinstance(limit, bool) for limit in limits
        )
        and limits[0] >= 1
        and all(a < b for a, b in zip(limits, limits[1:], strict=False))
    )


def days_overdue(as_of, date_maturity, date=None):
    """Days between the due date (``date`` when there is none) and ``as_of``."""
    due = date_maturity or date
    if not isinstance(as_of, Date) or not isinstance(due, Date):
        raise TypeError("days_overdue needs the as-of date and a due date")
    return (as_of - due).days


def bucket_index(days, limits=DEFAULT_LIMITS):
    """0 for not yet due (``days`` <= 0), then 1 .. len(limits) + 1."""
    if days <= 0:
        return 0
    for index, limit in enumerate(limits, start=1):
        if days <= limit:
            return index
    return len(limits) + 1


def bucket_ranges(limits=DEFAULT_LIMITS):
    """(first day, last day) of each overdue bucket, None for no end:
    ((1, 30), (31, 60), (61, 90), (91, 180), (181, None))."""
    starts = (0, *limits[:-1])
    ranges = [(start + 1, end) for start, end in zip(starts, limits, strict=True)]
    ranges.append((limits[-1] + 1, None))
    return tuple(ranges)


def residual_as_of(balance, partials, as_of):
    """``partials``: (side, amount, max_date) of the line's partial
    reconciliations, side "debit" when the line is their debit line."""
    residual = balance
    for side, amount, max_date in partials:
        if max_date > as_of:
            continue
        if side == "debit":
            residual -= amount
        elif side == "credit":
            residual += amount
        else:
            raise ValueError(f"side must be 'debit' or 'credit', not {side!r}")
    return residual


def age_line(residual, days, limits=DEFAULT_LIMITS):
    """{bucket field: amount} of one open line: its residual, signed, in the
    one bucket its days overdue fall in, zero in the others."""
    amounts = dict.fromkeys(BUCKET_FIELDS, 0)
    amounts[BUCKET_FIELDS[bucket_index(days, limits)]] = residual
    return amounts


def age_lines(lines, as_of, limits=DEFAULT_LIMITS):
    """Totals per bucket, and "residual_amount", of ``lines``: (residual,
    date_maturity, date) each, the lines with a zero residual left out."""
    totals = dict.fromkeys(("residual_amount", *BUCKET_FIELDS), 0)
    for residual, date_maturity, date in lines:
        if not residual:
            continue
        aged = age_line(residual, days_overdue(as_of, date_maturity, date), limits)
        for field, amount in aged.items():
            totals[field] += amount
        totals["residual_amount"] += residual
    return totals
