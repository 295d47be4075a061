from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    contract_line_id = fields.Many2one(
        "sales.contract.line",
        index="btree_not_null",
        copy=False,
        domain="[('contract_id', '=', parent.contract_id), "
        "('product_id', '=', product_id)]",
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.filtered(lambda line: not line.contract_line_id)._match_contract_line()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if "product_id" in vals:
            self._match_contract_line()
        return res

    def _match_contract_line(self):
        """Link each line of an order made under a contract to the contract
        line of its product, so that a line added by hand counts too."""
        for line in self.filtered(lambda sol: not sol.display_type):
            contract = line.order_id.contract_id
            current = line.contract_line_id
            if (
                current.contract_id == contract
                and current.product_id == line.product_id
            ):
                continue
            line.contract_line_id = contract.line_ids.filtered(
                lambda cl, product=line.product_id: cl.product_id == product
            )[:1]

    @api.constrains("contract_line_id", "product_id", "order_id")
    def _check_contract_line(self):
        for line in self.filtered("contract_line_id"):
            contract = line.contract_line_id.contract_id
            if line.order_id.contract_id != contract:
                raise ValidationError(
                    self.env._(
                        "Order line %(line)s refers to contract %(contract)s, "
                        "but its order %(order)s is not attached to that contract.",
                        line=line.name,
                        contract=contract.name,
                        order=line.order_id.name,
                    )
                )
            if line.product_id != line.contract_line_id.product_id:
                raise ValidationError(
                    self.env._(
                        "Order line %(product)s cannot execute contract line "
                        "%(contract_line)s: the products differ.",
                        product=line.product_id.display_name,
                        contract_line=line.contract_line_id.display_name,
                    )
                )

    @api.constrains("contract_line_id", "product_uom_qty", "product_uom")
    def _check_contract_remaining(self):
        """Refuse these order lines when they take a contract line beyond its
        quantity, unless a manager approved the overrun on their order."""
        lines = self.filtered(
            lambda sol: (
                sol.contract_line_id
                and sol.state != "cancel"
                and not sol.order_id.contract_overrun_approved
            )
        )
        contract_lines = lines.contract_line_id
        contract_lines.invalidate_recordset(["qty_ordered_all", "qty_to_order"])
        for contract_line in contract_lines:
            if contract_line.qty_to_order >= -1e-6:
                continue
            orders = lines.filtered(
                lambda sol, cl=contract_line: sol.contract_line_id == cl
            ).order_id
            raise ValidationError(
                self.env._(
                    "Contract %(contract)s allows %(contracted)s %(uom)s of "
                    "%(product)s; the orders would take %(ordered)s. Reduce the "
                    "ordered quantity to at most what remains, or ask a back-office "
                    "manager to approve ordering beyond the contract on order "
                    "%(orders)s.",
                    contract=contract_line.contract_id.display_name,
                    contracted=contract_line.product_uom_qty,
                    uom=contract_line.product_uom_id.name,
                    product=contract_line.product_id.display_name,
                    ordered=contract_line.qty_ordered_all,
                    orders=", ".join(orders.mapped("name")),
                )
            )
