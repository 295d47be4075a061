from odoo import api, fields, models


class ReportCustomerStatement(models.AbstractModel):
    """Statement of account of customers (res.partner): their open items as
    of a date (``as_of_date`` in the data or the context, today by default),
    per contract, with the ageing buckets of the current company."""

    _name = "report.sales_backoffice.report_customer_statement"
    _description = "Customer Statement of Account (PDF)"

    @api.model
    def _as_of(self, data):
        return fields.Date.to_date(
            (data or {}).get("as_of_date")
            or self.env.context.get("as_of_date")
            or fields.Date.context_today(self)
        )

    @api.model
    def _get_report_values(self, docids, data=None):
        # the client sends no ids for a report printed with data
        docids = docids or (data or {}).get("partner_ids") or []
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        as_of = self._as_of(data)
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "as_of_date": as_of,
            "statements": self.env["sales.receivable.ageing.report"]._statements(
                partners, self.env.company, as_of
            ),
        }


class ReportContractStatement(models.AbstractModel):
    """Statement of account of contracts: the customer's open items on each
    contract as of a date, with the ageing buckets of its company."""

    _name = "report.sales_backoffice.report_contract_statement"
    _description = "Contract Statement of Account (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        docids = docids or (data or {}).get("contract_ids") or []
        contracts = self.env["sales.contract"].browse(docids)
        as_of = self.env["report.sales_backoffice.report_customer_statement"]._as_of(
            data
        )
        Ageing = self.env["sales.receivable.ageing.report"]
        return {
            "doc_ids": contracts.ids,
            "doc_model": "sales.contract",
            "docs": contracts,
            "as_of_date": as_of,
            "statements": {
                contract.id: Ageing._statements(
                    contract.partner_id, contract.company_id, as_of, contract
                )[contract.commercial_partner_id.id]
                for contract in contracts
            },
        }
