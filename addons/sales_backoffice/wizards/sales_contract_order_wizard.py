from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.sales_contract import MANAGER_GROUP


class SalesContractOrderWizard(models.TransientModel):
    _name = "sales.contract.order.wizard"
    _description = "Create a Sale Order from a Contract"

    contract_id = fields.Many2one("sales.contract", required=True, ondelete="cascade")
    line_ids = fields.One2many(
        "sales.contract.order.wizard.line",
        "wizard_id",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    confirm = fields.Boolean(
        string="Confirm the Order",
        help="Confirm the order at once instead of leaving a quotation.",
    )
    allow_overrun = fields.Boolean(
        string="Allow Ordering Beyond the Contract",
        help="Back Office Managers only: the order may exceed the quantities "
        "remaining on the contract; the approval is logged on the contract.",
    )

    @api.depends("contract_id")
    def _compute_line_ids(self):
        for wizard in self:
            wizard.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "contract_line_id": line.id,
                        "quantity": max(line.qty_to_order, 0.0),
                    }
                )
                for line in wizard.contract_id.line_ids
            ]

    def action_create_order(self):
        self.ensure_one()
        contract = self.contract_id
        contract._check_executable()
        negative = self.line_ids.filtered(lambda line: line.quantity < 0)
        if negative:
            raise UserError(
                self.env._(
                    "Quantities to order cannot be negative (%(products)s): "
                    "set them to zero or more.",
                    products=", ".join(negative.product_id.mapped("display_name")),
                )
            )
        lines = self.line_ids.filtered(lambda line: line.quantity > 0)
        if not lines:
            raise UserError(
                self.env._("Give a quantity to order on at least one contract line.")
            )
        values = contract._prepare_sale_order_values()
        if self.allow_overrun and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Back Office Manager can approve ordering beyond a contract."
                )
            )
        values["contract_overrun_approved"] = self.allow_overrun
        values["order_line"] = [
            Command.create(line._prepare_sale_order_line_values()) for line in lines
        ]
        order = self.env["sale.order"].create(values)
        if self.allow_overrun:
            contract._log_overrun_approval(order.order_line)
        if self.confirm:
            order.action_confirm()
        return order._get_records_action(
            name=self.env._("Order from %s", contract.name)
        )
