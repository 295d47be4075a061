from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate, date_utils

from ..reports.period_rows import period_rows

_lt = LazyTranslate(__name__)

# (label, ledger field) of each column of the monthly collection report
COLLECTION_COLUMNS = [
    (_lt("Planned"), "planned_amount"),
    (_lt("Invoiced"), "invoiced_amount"),
    (_lt("Collected"), "collected_amount"),
    (_lt("Outstanding"), "outstanding_amount"),
    (_lt("Overdue"), "overdue_amount"),
]


class CollectionReportWizard(models.TransientModel):
    _name = "sales.collection.report.wizard"
    _description = "Monthly Collection Report"

    def _default_date_from(self):
        return date_utils.start_of(fields.Date.context_today(self), "year")

    def _default_date_to(self):
        return date_utils.end_of(fields.Date.context_today(self), "year")

    date_from = fields.Date(required=True, default=_default_date_from)
    date_to = fields.Date(required=True, default=_default_date_to)
    district_id = fields.Many2one(
        "sales.district",
        help="Only this district and its sub-districts; leave empty for all.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_to < wizard.date_from:
                raise UserError(
                    self.env._("The period ends before it starts: swap the dates.")
                )

    def _ledger_domain(self):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
        ]
        if self.district_id:
            domain.append(("district_id", "child_of", self.district_id.id))
        return domain

    def _measures(self):
        return [name for __, name in COLLECTION_COLUMNS]

    def _with_rate(self, rows):
        for row in rows:
            values = row["values"]
            invoiced = values["invoiced_amount"]
            values["collection_rate"] = round(
                values["collected_amount"] / invoiced * 100.0 if invoiced else 0.0, 2
            )
        return rows

    def _month_rows(self):
        """Month rows with quarter and year subtotals, read from the
        collection ledger grouped by month."""
        self.ensure_one()
        measures = self._measures()
        groups = self.env["sales.collection.ledger.report"]._read_group(
            self._ledger_domain(),
            ["date:month"],
            [f"{measure}:sum" for measure in measures],
            order="date:month",
        )
        rows = period_rows(
            [
                (month, dict(zip(measures, sums, strict=True)))
                for month, *sums in groups
            ],
            measures,
            self.env._("Total"),
            self.company_id.currency_id.round,
        )
        return self._with_rate(rows)

    def _rows_by(self, groupby):
        """The period's figures per salesperson or customer, largest
        collected first, with their total."""
        self.ensure_one()
        measures = self._measures()
        groups = self.env["sales.collection.ledger.report"]._read_group(
            self._ledger_domain(),
            [groupby],
            [f"{measure}:sum" for measure in measures],
            order="collected_amount:sum desc",
        )
        currency = self.company_id.currency_id
        rows = [
            {
                "label": record.display_name or self.env._("None"),
                "kind": "line",
                "values": {
                    m: currency.round(v) for m, v in zip(measures, sums, strict=True)
                },
            }
            for record, *sums in groups
        ]
        rows.append(
            {
                "label": self.env._("Total"),
                "kind": "total",
                "values": {
                    m: currency.round(sum(row["values"][m] for row in rows))
                    for m in measures
                },
            }
        )
        return self._with_rate(rows)

    def _columns(self):
        lang = self.env.lang or "en_US"
        return [(label._translate(lang), name) for label, name in COLLECTION_COLUMNS]

    def action_print_pdf(self):
        self.ensure_one()
        return self.env.ref(
            "sales_backoffice.action_report_collection_monthly"
        ).report_action(self)

    def action_export_xlsx(self):
        self.ensure_one()
        return self.env.ref(
            "sales_backoffice.action_report_collection_monthly_xlsx"
        ).report_action(self)

    def action_open_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_collection_ledger_report_action"
        )
        action["domain"] = self._ledger_domain()
        action["context"] = {}
        return action
