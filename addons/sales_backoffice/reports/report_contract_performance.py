from odoo import api, fields, models


class ReportContractPerformance(models.AbstractModel):
    _name = "report.sales_backoffice.report_contract_performance"
    _description = "Contract Performance List (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        as_of = (
            (data or {}).get("performance_date")
            or self.env.context.get("performance_date")
            or fields.Date.context_today(self)
        )
        # the client sends no ids for a report printed with data
        docids = docids or (data or {}).get("contract_ids") or []
        contracts = self.env["sales.contract"].browse(docids)
        performance = self.env["sales.contract.line.performance"].with_context(
            performance_date=as_of
        )
        lines = performance.search([("contract_id", "in", contracts.ids)])
        lines_by_contract = {contract.id: lines.browse() for contract in contracts}
        for line in lines:
            lines_by_contract[line.contract_id.id] |= line
        collections = self.env["sales.contract.performance"].with_context(
            performance_date=as_of
        )
        collections_by_contract = {
            row.contract_id.id: row
            for row in collections.search([("contract_id", "in", contracts.ids)])
        }
        return {
            "collections_by_contract": collections_by_contract,
            "doc_ids": docids,
            "doc_model": "sales.contract",
            "docs": contracts,
            "as_of_date": fields.Date.to_date(as_of),
            "lines_by_contract": lines_by_contract,
            "milestones_by_contract": {
                c.id: c.with_context(performance_date=as_of).milestone_ids
                for c in contracts
            },
        }
