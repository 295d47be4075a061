from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate, date_utils

from ..reports.period_rows import period_rows

_lt = LazyTranslate(__name__)

# (label, untaxed field, total field) of each column pair of the statistics
STATISTICS_COLUMNS = [
    (_lt("Contracted"), "amount_contracted", "amount_contracted_total"),
    (_lt("Ordered"), "amount_ordered", "amount_ordered_total"),
    (_lt("Delivered"), "amount_delivered", "amount_delivered_total"),
    (_lt("Returned"), "amount_returned", "amount_returned_total"),
    (_lt("Invoiced"), "amount_invoiced", "amount_invoiced_total"),
    (_lt("Refunded"), "amount_refunded", "amount_refunded_total"),
    (_lt("Net Invoiced"), "amount_invoiced_net", "amount_invoiced_net_total"),
]


class ContractStatisticsWizard(models.TransientModel):
    _name = "sales.contract.statistics.wizard"
    _description = "Contract Performance Statistics"

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

    def _report_domain(self):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
        ]
        if self.district_id:
            domain.append(("district_id", "child_of", self.district_id.id))
        return domain

    def _statistics_rows(self):
        """Month rows with quarter and year subtotals for the period. The
        subtotals are sums of the months shown, so they reconcile by
        construction; tests check them against the report grouped by
        quarter and year."""
        self.ensure_one()
        measures = [
            f for __, untaxed, total in STATISTICS_COLUMNS for f in (untaxed, total)
        ]
        groups = self.env["sales.contract.performance.report"]._read_group(
            self._report_domain(),
            ["date:month"],
            [f"{measure}:sum" for measure in measures],
            order="date:month",
        )
        return period_rows(
            [
                (month, dict(zip(measures, sums, strict=True)))
                for month, *sums in groups
            ],
            measures,
            self.env._("Total"),
            self.company_id.currency_id.round,
        )

    def _columns(self):
        # in the user's language: str() of a lazy term looks the language up
        # in the calling frame, which a comprehension does not have
        lang = self.env.lang or "en_US"
        return [
            (label._translate(lang), untaxed, total)
            for label, untaxed, total in STATISTICS_COLUMNS
        ]

    def action_print_pdf(self):
        self.ensure_one()
        return self.env.ref(
            "sales_backoffice.action_report_contract_statistics"
        ).report_action(self)

    def action_export_xlsx(self):
        self.ensure_one()
        return self.env.ref(
            "sales_backoffice.action_report_contract_statistics_xlsx"
        ).report_action(self)

    def action_open_analysis(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_contract_performance_report_action"
        )
        action["domain"] = self._report_domain()
        return action
