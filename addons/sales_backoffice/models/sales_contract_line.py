from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class SalesContractLine(models.Model):
    _name = "sales.contract.line"
    _description = "Sales Contract Line"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "sales.contract", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="contract_id.currency_id", store=True)
    state = fields.Selection(related="contract_id.state", store=True)
    partner_id = fields.Many2one(related="contract_id.partner_id")
    product_id = fields.Many2one(
        "product.product",
        required=True,
        check_company=True,
        domain="[('sale_ok', '=', True)]",
        index=True,
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    product_uom_qty = fields.Float(
        string="Quantity", digits="Product Unit of Measure", required=True, default=1.0
    )
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_product_uom_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        domain="[('category_id', '=', product_uom_category_id)]",
    )
    product_uom_category_id = fields.Many2one(related="product_id.uom_id.category_id")
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        precompute=True,
        readonly=False,
    )
    discount = fields.Float(string="Discount (%)", digits="Discount")
    tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes",
        compute="_compute_tax_ids",
        store=True,
        precompute=True,
        readonly=False,
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
    )
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_amount", store=True, precompute=True
    )
    price_tax = fields.Monetary(
        string="Tax", compute="_compute_amount", store=True, precompute=True
    )
    price_total = fields.Monetary(
        string="Total", compute="_compute_amount", store=True, precompute=True
    )
    sale_line_ids = fields.One2many(
        "sale.order.line", "contract_line_id", string="Order Lines"
    )
    qty_ordered_all = fields.Float(
        string="Ordered (incl. quotations)",
        digits="Product Unit of Measure",
        compute="_compute_qty_ordered_all",
        help="Quantity on every order of this line that is not cancelled, "
        "quotations included: what the contract's remaining quantity is "
        "checked against.",
    )
    qty_to_order = fields.Float(
        string="To Order",
        digits="Product Unit of Measure",
        compute="_compute_qty_ordered_all",
    )
    # the line's performance as of the context's performance_date (today)
    qty_ordered = fields.Float(
        string="Ordered",
        digits="Product Unit of Measure",
        compute="_compute_performance",
    )
    qty_delivered = fields.Float(
        string="Delivered",
        digits="Product Unit of Measure",
        compute="_compute_performance",
    )
    qty_returned = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        compute="_compute_performance",
    )
    qty_invoiced = fields.Float(
        string="Invoiced",
        digits="Product Unit of Measure",
        compute="_compute_performance",
    )
    qty_remaining = fields.Float(
        string="Remaining",
        digits="Product Unit of Measure",
        compute="_compute_performance",
        help="Contracted minus delivered net of returns.",
    )
    delivered_rate = fields.Float(string="Delivered %", compute="_compute_performance")

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id:
                line.name = line.product_id.get_product_multiline_description_sale()

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            if not line.product_uom_id or (
                line.product_id.uom_id.category_id != line.product_uom_id.category_id
            ):
                line.product_uom_id = line.product_id.uom_id

    @api.depends("product_id", "product_uom_id")
    def _compute_price_unit(self):
        for line in self:
            if line.product_id:
                line.price_unit = line.product_id.uom_id._compute_price(
                    line.product_id.lst_price,
                    line.product_uom_id or line.product_id.uom_id,
                )

    @api.depends("product_id", "contract_id.fiscal_position_id")
    def _compute_tax_ids(self):
        for line in self:
            taxes = line.product_id.taxes_id._filter_taxes_by_company(line.company_id)
            line.tax_ids = line.contract_id.fiscal_position_id.map_tax(taxes)

    def _prepare_base_line_for_taxes_computation(self):
        self.ensure_one()
        return self.env["account.tax"]._prepare_base_line_for_taxes_computation(
            self,
            tax_ids=self.tax_ids,
            quantity=self.product_uom_qty,
            partner_id=self.contract_id.partner_id,
            currency_id=self.currency_id or self.company_id.currency_id,
            price_unit=self.price_unit,
            discount=self.discount,
            product_id=self.product_id,
        )

    @api.depends("product_uom_qty", "discount", "price_unit", "tax_ids")
    def _compute_amount(self):
        AccountTax = self.env["account.tax"]
        for line in self:
            base_line = line._prepare_base_line_for_taxes_computation()
            AccountTax._add_tax_details_in_base_line(base_line, line.company_id)
            line.price_subtotal = base_line["tax_details"][
                "raw_total_excluded_currency"
            ]
            line.price_total = base_line["tax_details"]["raw_total_included_currency"]
            line.price_tax = line.price_total - line.price_subtotal

    @api.depends(
        "sale_line_ids.product_uom_qty",
        "sale_line_ids.product_uom",
        "sale_line_ids.state",
    )
    def _compute_qty_ordered_all(self):
        groups = self.env["sale.order.line"]._read_group(
            [("contract_line_id", "in", self.ids), ("state", "!=", "cancel")],
            ["contract_line_id", "product_uom"],
            ["product_uom_qty:sum"],
        )
        ordered = {}
        for contract_line, uom, qty in groups:
            ordered[contract_line.id] = ordered.get(
                contract_line.id, 0.0
            ) + uom._compute_quantity(qty, contract_line.product_uom_id, round=False)
        for line in self:
            line.qty_ordered_all = ordered.get(line.id, 0.0)
            line.qty_to_order = line.product_uom_qty - line.qty_ordered_all

    @api.depends_context("performance_date")
    def _compute_performance(self):
        # one query for the whole recordset: the performance view has one
        # row per contract line, with the line's id
        fnames = [
            "qty_ordered",
            "qty_delivered",
            "qty_returned",
            "qty_invoiced",
            "qty_remaining",
            "delivered_rate",
        ]
        real_ids = [line_id for line_id in self.ids if isinstance(line_id, int)]
        rows = (
            {
                row["id"]: row
                for row in self.env["sales.contract.line.performance"].search_read(
                    [("id", "in", real_ids)], fnames
                )
            }
            if real_ids
            else {}
        )
        for line in self:
            row = rows.get(line.id, {})
            for fname in fnames:
                line[fname] = row.get(fname, 0.0)
            if not row:
                line.qty_remaining = line.product_uom_qty

    @api.constrains("product_uom_qty")
    def _check_quantity(self):
        for line in self:
            if line.product_uom_qty <= 0:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s, line %(product)s: the quantity "
                        "must be positive (it is %(qty)s).",
                        contract=line.contract_id.display_name,
                        product=line.product_id.display_name,
                        qty=line.product_uom_qty,
                    )
                )

    @api.constrains("product_id")
    def _check_product_sellable(self):
        for line in self:
            if not line.product_id.sale_ok:
                raise ValidationError(
                    self.env._(
                        'Product %(product)s cannot be sold (its "Can be Sold" '
                        "option is off), so it cannot be put on contract %(contract)s.",
                        product=line.product_id.display_name,
                        contract=line.contract_id.display_name,
                    )
                )

    @api.constrains("discount")
    def _check_discount(self):
        for line in self:
            if not 0 <= line.discount <= 100:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s, line %(product)s: the discount "
                        "must be between 0 and 100%%.",
                        contract=line.contract_id.display_name,
                        product=line.product_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        contracts = self.env["sales.contract"].browse(
            {vals["contract_id"] for vals in vals_list if vals.get("contract_id")}
        )
        totals = {contract.id: contract.amount_total for contract in contracts}
        lines = super().create(vals_list)
        lines.contract_id._check_lines_editable()
        lines.contract_id._rescale_collection_plan(totals)
        return lines

    def write(self, vals):
        contracts = self.contract_id
        totals = {contract.id: contract.amount_total for contract in contracts}
        res = super().write(vals)
        contracts._check_lines_editable()
        (contracts | self.contract_id)._rescale_collection_plan(totals)
        if {"product_uom_qty", "product_uom_id"} & set(vals):
            # a contracted quantity below what was ordered
            self.sale_line_ids._check_contract_remaining()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ordered(self):
        self.contract_id._check_lines_editable()
        ordered = self.filtered(
            lambda line: line.sale_line_ids.filtered(lambda sol: sol.state != "cancel")
        )
        if ordered:
            raise UserError(
                self.env._(
                    "Contract lines %(lines)s have orders: they cannot be deleted.",
                    lines=", ".join(ordered.mapped("display_name")),
                )
            )

    def unlink(self):
        contracts = self.contract_id
        totals = {contract.id: contract.amount_total for contract in contracts}
        res = super().unlink()
        contracts.exists()._rescale_collection_plan(totals)
        return res

    def _compute_display_name(self):
        for line in self:
            line.display_name = (
                f"{line.contract_id.name} - {line.product_id.display_name or ''}"
            )
