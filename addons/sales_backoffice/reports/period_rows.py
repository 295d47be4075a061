"""Month rows with quarter and year subtotals: plain values, no ORM."""


def period_rows(months, measures, total_label, rounding=None):
    """``months``: ``[(first day of the month, {measure: value}), ...]`` in
    date order. Returns the month rows, a quarter row after each quarter, a
    year row after each year and a grand total: ``{"label", "kind", "values"}``
    with kind month / quarter / year / total. Subtotals are the sums of the
    months shown, so that they reconcile with them by construction."""
    rounding = rounding or (lambda value: value)
    rows = []
    totals = {"quarter": {}, "year": {}, "total": {}}

    def emit(label, kind):
        rows.append(
            {
                "label": label,
                "kind": kind,
                "values": {m: rounding(totals[kind].get(m, 0.0)) for m in measures},
            }
        )
        totals[kind] = {}

    current_quarter = current_year = None
    for month, values in months:
        quarter = (month.year, (month.month - 1) // 3 + 1)
        if current_quarter and quarter != current_quarter:
            emit(f"Q{current_quarter[1]} {current_quarter[0]}", "quarter")
        if current_year and month.year != current_year:
            emit(str(current_year), "year")
        current_quarter, current_year = quarter, month.year
        rows.append(
            {
                "label": month.strftime("%Y-%m"),
                "kind": "month",
                "values": {m: rounding(values.get(m, 0.0)) for m in measures},
            }
        )
        for total in totals.values():
            for measure in measures:
                total[measure] = total.get(measure, 0.0) + values.get(measure, 0.0)
    if current_quarter:
        emit(f"Q{current_quarter[1]} {current_quarter[0]}", "quarter")
        emit(str(current_year), "year")
    emit(total_label, "total")
    return rows
