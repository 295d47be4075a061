from odoo import api, models


class ReportContractStatistics(models.AbstractModel):
    _name = "report.sales_backoffice.report_contract_statistics"
    _description = "Contract Performance Statistics (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["sales.contract.statistics.wizard"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "sales.contract.statistics.wizard",
            "docs": wizards,
            "rows_by_wizard": {
                wizard.id: wizard._statistics_rows() for wizard in wizards
            },
        }
