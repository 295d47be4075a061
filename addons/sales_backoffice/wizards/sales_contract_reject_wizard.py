from odoo import fields, models


class SalesContractRejectWizard(models.TransientModel):
    _name = "sales.contract.reject.wizard"
    _description = "Reject a Sales Contract"

    contract_id = fields.Many2one("sales.contract", required=True, ondelete="cascade")
    reason = fields.Text(required=True)

    def action_reject(self):
        self.ensure_one()
        self.contract_id.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
