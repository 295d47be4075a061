from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

MANAGER_GROUP = "sales_backoffice.sales_backoffice_group_manager"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    contract_id = fields.Many2one(
        "sales.contract",
        string="Sales Contract",
        index="btree_not_null",
        copy=False,
        tracking=True,
        check_company=True,
        domain="[('state', '=', 'active'), "
        "('commercial_partner_id', '=', commercial_partner_id)]",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    contract_overrun_approved = fields.Boolean(
        string="Overrun Approved",
        copy=False,
        tracking=True,
        help="A back-office manager allowed this order to go beyond the "
        "quantities remaining on its contract.",
    )

    def _get_invoice_grouping_keys(self):
        # an invoice bills one contract, so that its collections are that
        # contract's
        return [*super()._get_invoice_grouping_keys(), "sales_contract_id"]

    def _prepare_invoice(self):
        values = super()._prepare_invoice()
        values["sales_contract_id"] = self.contract_id.id
        return values

    @api.constrains("contract_id", "partner_id")
    def _check_contract_partner(self):
        for order in self.filtered("contract_id"):
            if (
                order.contract_id.commercial_partner_id
                != order.partner_id.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "Order %(order)s is for %(customer)s but contract "
                        "%(contract)s is with %(contract_customer)s: an order "
                        "executes a contract of its own customer only.",
                        order=order.name,
                        customer=order.partner_id.display_name,
                        contract=order.contract_id.name,
                        contract_customer=order.contract_id.partner_id.display_name,
                    )
                )
            if order.currency_id != order.contract_id.currency_id:
                raise ValidationError(
                    self.env._(
                        "Order %(order)s is in %(currency)s but contract "
                        "%(contract)s is in %(contract_currency)s: use a pricelist "
                        "in the contract's currency.",
                        order=order.name,
                        currency=order.currency_id.name,
                        contract=order.contract_id.name,
                        contract_currency=order.contract_id.currency_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_overrun_rights(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_overrun_rights([vals])
        if "contract_id" in vals:
            self._check_contract_change(vals["contract_id"])
        res = super().write(vals)
        if "contract_id" in vals:
            self.order_line._match_contract_line()
        if vals.get("contract_overrun_approved"):
            self.order_line.contract_line_id.contract_id._log_overrun_approval(
                self.order_line.filtered("contract_line_id")
            )
        if "state" in vals or "contract_overrun_approved" in vals:
            self.order_line._check_contract_remaining()
        return res

    def _check_contract_change(self, contract_id):
        moved = self.filtered(
            lambda o: (
                o.state == "sale" and o.contract_id and o.contract_id.id != contract_id
            )
        )
        if moved:
            raise UserError(
                self.env._(
                    "Orders %(orders)s are confirmed under contract %(contract)s: "
                    "they cannot move to another contract. Cancel them and order "
                    "again from the right contract.",
                    orders=", ".join(moved.mapped("name")),
                    contract=", ".join(moved.contract_id.mapped("name")),
                )
            )

    def _check_overrun_rights(self, vals_list):
        if any(vals.get("contract_overrun_approved") for vals in vals_list) and (
            not self.env.su and not self.env.user.has_group(MANAGER_GROUP)
        ):
            raise AccessError(
                self.env._(
                    "Only a Back Office Manager can approve ordering beyond a contract."
                )
            )
