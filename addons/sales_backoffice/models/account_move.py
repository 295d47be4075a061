from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    sales_contract_id = fields.Many2one(
        "sales.contract",
        compute="_compute_sales_contract_id",
        store=True,
        recursive=True,
        readonly=False,
        index="btree_not_null",
        copy=False,
        help="The contract this invoice or credit note bills: the contract of "
        "its sale orders (invoices are never grouped across contracts), else "
        "that of the invoice it reverses.",
    )

    @api.depends(
        "move_type",
        "invoice_line_ids.sale_line_ids.order_id.contract_id",
        "reversed_entry_id.sales_contract_id",
    )
    def _compute_sales_contract_id(self):
        for move in self:
            if move.move_type not in ("out_invoice", "out_refund"):
                move.sales_contract_id = False
                continue
            contracts = move.invoice_line_ids.sale_line_ids.order_id.contract_id
            if len(contracts) > 1:
                # a hand-made invoice mixing contracts bills none of them
                move.sales_contract_id = False
            else:
                move.sales_contract_id = (
                    contracts or move.reversed_entry_id.sales_contract_id
                )
