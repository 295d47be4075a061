from odoo import api, models


class ReportCollectionMonthly(models.AbstractModel):
    _name = "report.sales_backoffice.report_collection_monthly"
    _description = "Monthly Collection Report (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["sales.collection.report.wizard"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "sales.collection.report.wizard",
            "docs": wizards,
            "sections_by_wizard": {wizard.id: _sections(wizard) for wizard in wizards},
        }


def _sections(wizard):
    return [
        (wizard.env._("By month"), wizard.env._("Period"), wizard._month_rows()),
        (
            wizard.env._("By salesperson"),
            wizard.env._("Salesperson"),
            wizard._rows_by("user_id"),
        ),
        (
            wizard.env._("By customer"),
            wizard.env._("Customer"),
            wizard._rows_by("partner_id"),
        ),
    ]
