from odoo import fields, models
from odoo.exceptions import UserError


class SalesContractAttachWizard(models.TransientModel):
    _name = "sales.contract.attach.wizard"
    _description = "Attach Existing Orders to a Contract"

    contract_id = fields.Many2one("sales.contract", required=True, ondelete="cascade")
    commercial_partner_id = fields.Many2one(related="contract_id.commercial_partner_id")
    company_id = fields.Many2one(related="contract_id.company_id")
    order_ids = fields.Many2many(
        "sale.order",
        string="Orders",
        domain="[('contract_id', '=', False), ('state', '!=', 'cancel'), "
        "('partner_id.commercial_partner_id', '=', commercial_partner_id), "
        "('company_id', '=', company_id)]",
    )

    def action_attach(self):
        """Attach the orders; each order line executes the contract line of
        the same product. The over-ordering rule applies as for new orders."""
        self.ensure_one()
        contract = self.contract_id
        contract._check_executable()
        if not self.order_ids:
            raise UserError(self.env._("Choose the orders to attach."))
        foreign = self.order_ids.filtered(
            lambda o: (
                o.partner_id.commercial_partner_id != contract.commercial_partner_id
            )
        )
        if foreign:
            raise UserError(
                self.env._(
                    "Orders %(orders)s are not for %(customer)s.",
                    orders=", ".join(foreign.mapped("name")),
                    customer=contract.partner_id.display_name,
                )
            )
        self.order_ids.write({"contract_id": contract.id})
        contract.message_post(
            body=self.env._(
                "Orders attached: %s", ", ".join(self.order_ids.mapped("name"))
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
