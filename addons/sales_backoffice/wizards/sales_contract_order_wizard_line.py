from odoo import Command, fields, models


class SalesContractOrderWizardLine(models.TransientModel):
    _name = "sales.contract.order.wizard.line"
    _description = "Line to Order from a Contract"

    wizard_id = fields.Many2one(
        "sales.contract.order.wizard", required=True, ondelete="cascade"
    )
    contract_line_id = fields.Many2one("sales.contract.line", required=True)
    product_id = fields.Many2one(related="contract_line_id.product_id")
    product_uom_id = fields.Many2one(related="contract_line_id.product_uom_id")
    qty_contracted = fields.Float(
        related="contract_line_id.product_uom_qty", string="Contracted"
    )
    qty_to_order = fields.Float(
        related="contract_line_id.qty_to_order", string="Remaining"
    )
    quantity = fields.Float(string="To Order Now", digits="Product Unit of Measure")

    def _prepare_sale_order_line_values(self):
        self.ensure_one()
        line = self.contract_line_id
        return {
            "product_id": line.product_id.id,
            "name": line.name,
            "product_uom_qty": self.quantity,
            "product_uom": line.product_uom_id.id,
            "price_unit": line.price_unit,
            "discount": line.discount,
            "tax_id": [Command.set(line.tax_ids.ids)],
            "contract_line_id": line.id,
        }
