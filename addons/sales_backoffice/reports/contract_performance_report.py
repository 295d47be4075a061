from odoo import api, fields, models
from odoo.tools import SQL

EVENT_KINDS = ("contracted", "ordered", "delivered", "returned", "invoiced", "refunded")

# the documents the dated events are read from: the SQL views that read them
# declare these, so that pending writes are flushed before they are queried
EVENT_SOURCES_DEPENDS = {
    "sale.order": ["state", "date_order", "company_id"],
    "sale.order.line": [
        "contract_line_id",
        "order_id",
        "product_uom_qty",
        "product_uom",
        "price_unit",
        "discount",
        "price_subtotal",
        "price_total",
        "tax_id",
        "invoice_lines",
    ],
    "stock.move": [
        "state",
        "date",
        "quantity",
        "product_uom",
        "sale_line_id",
        "location_id",
        "location_dest_id",
    ],
    "account.tax": ["amount", "amount_type", "price_include_override"],
    "account.move": ["state", "move_type", "invoice_date"],
    "account.move.line": [
        "move_id",
        "display_type",
        "quantity",
        "product_uom_id",
        "price_subtotal",
        "price_total",
    ],
}


class SalesContractPerformanceReport(models.Model):
    """Contract performance statistics: one row per event (a contracted
    line, a confirmed order line, a done stock move, a posted invoice line).

    Each figure counts on its own date: contracted on the contract's sign
    date, ordered on the confirmed order's date, delivered and returned on
    the done stock move's date (in the company's timezone), invoiced and
    refunded on each posted invoice's or refund's invoice date. Rows carry
    the district stored on the contract, so a customer moving later does not
    rewrite history."""

    _name = "sales.contract.performance.report"
    _description = "Contract Performance Statistics"
    _auto = False
    _rec_name = "contract_id"
    _order = "date desc, contract_id"

    date = fields.Date(readonly=True)
    contract_id = fields.Many2one("sales.contract", readonly=True)
    contract_line_id = fields.Many2one("sales.contract.line", readonly=True)
    contract_state = fields.Selection(
        related="contract_id.state", string="Contract Status", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    district_id = fields.Many2one("sales.district", readonly=True)
    district_level1_id = fields.Many2one(
        "sales.district", string="District (level 1)", readonly=True
    )
    district_level2_id = fields.Many2one(
        "sales.district", string="District (level 2)", readonly=True
    )
    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product Template", readonly=True
    )
    categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )

    qty_contracted = fields.Float(readonly=True)
    amount_contracted = fields.Monetary(string="Contracted Untaxed", readonly=True)
    amount_contracted_total = fields.Monetary(string="Contracted Total", readonly=True)
    qty_ordered = fields.Float(readonly=True)
    amount_ordered = fields.Monetary(string="Ordered Untaxed", readonly=True)
    amount_ordered_total = fields.Monetary(string="Ordered Total", readonly=True)
    qty_delivered = fields.Float(readonly=True)
    amount_delivered = fields.Monetary(string="Delivered Untaxed", readonly=True)
    amount_delivered_total = fields.Monetary(string="Delivered Total", readonly=True)
    qty_returned = fields.Float(readonly=True)
    amount_returned = fields.Monetary(string="Returned Untaxed", readonly=True)
    amount_returned_total = fields.Monetary(string="Returned Total", readonly=True)
    qty_invoiced = fields.Float(readonly=True)
    amount_invoiced = fields.Monetary(string="Invoiced Untaxed", readonly=True)
    amount_invoiced_total = fields.Monetary(string="Invoiced Total", readonly=True)
    qty_refunded = fields.Float(readonly=True)
    amount_refunded = fields.Monetary(string="Refunded Untaxed", readonly=True)
    amount_refunded_total = fields.Monetary(string="Refunded Total", readonly=True)
    amount_invoiced_net = fields.Monetary(
        string="Net Invoiced Untaxed",
        readonly=True,
        help="Invoiced minus refunded: a refund is negative in its own period.",
    )
    amount_invoiced_net_total = fields.Monetary(
        string="Net Invoiced Total", readonly=True
    )
    amount_collected = fields.Monetary(
        string="Collected",
        readonly=True,
        help="Customer payments reconciled with the contract's invoices, on "
        "the reconciliation date (net of money paid back on credit notes).",
    )
    amount_outstanding = fields.Monetary(
        string="Outstanding",
        readonly=True,
        help="Net invoiced total minus collected: what the customer still owes.",
    )

    _depends = {
        "sales.contract": [
            "state",
            "date_signed",
            "company_id",
            "currency_id",
            "commercial_partner_id",
            "user_id",
            "team_id",
            "district_id",
        ],
        "sales.contract.line": [
            "contract_id",
            "product_id",
            "product_uom_qty",
            "product_uom_id",
            "price_subtotal",
            "price_total",
        ],
        "sales.district": ["parent_path"],
        **EVENT_SOURCES_DEPENDS,
        "account.move": ["state", "move_type", "invoice_date", "sales_contract_id"],
        "account.move.line": [
            *EVENT_SOURCES_DEPENDS["account.move.line"],
            "balance",
            "amount_residual",
        ],
        "account.partial.reconcile": [
            "debit_move_id",
            "credit_move_id",
            "amount",
            "max_date",
            "exchange_move_id",
        ],
    }

    # ------------------------------------------------------------------
    # The dated events, shared with the performance lists
    # ------------------------------------------------------------------

    @api.model
    def _local_date(self, column, company_alias):
        """The calendar day of a UTC timestamp in the company's timezone."""
        return SQL(
            "(%s AT TIME ZONE 'UTC'"
            " AT TIME ZONE COALESCE(NULLIF(%s.tz, ''), 'UTC'))::date",
            SQL.identifier(*column.split(".")),
            SQL.identifier(company_alias),
        )

    @api.model
    def _events_query(self, with_contracted=True):
        """A narrow union of dated events: (contract_line_id, date, kind,
        qty, amount, amount_total), quantities in the contract line's unit."""
        parts = []
        if with_contracted:
            parts.append(
                SQL("""
                SELECT cl.id::bigint * 8 AS event_id,
                       cl.id AS contract_line_id, cl.contract_id, cl.product_id,
                       c.date_signed AS date,
                       'contracted' AS kind, cl.product_uom_qty AS qty,
                       cl.price_subtotal AS amount, cl.price_total AS amount_total
                  FROM sales_contract_line cl
                  JOIN sales_contract c ON c.id = cl.contract_id
                 WHERE c.state IN ('active', 'done') AND c.date_signed IS NOT NULL
            """)
            )
        parts.append(
            SQL(
                """
            SELECT sol.id::bigint * 8 + 1 AS event_id,
                   sol.contract_line_id, cl.contract_id, cl.product_id,
                   %(order_date)s AS date,
                   'ordered' AS kind,
                   CASE WHEN sol.product_uom = cl.product_uom_id
                        THEN sol.product_uom_qty
                        ELSE sol.product_uom_qty / su.factor * lu.factor END AS qty,
                   sol.price_subtotal AS amount, sol.price_total AS amount_total
              FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id
              JOIN sales_contract_line cl ON cl.id = sol.contract_line_id
              JOIN uom_uom su ON su.id = sol.product_uom
              JOIN uom_uom lu ON lu.id = cl.product_uom_id
              JOIN res_company comp ON comp.id = so.company_id
              JOIN res_partner comp_partner ON comp_partner.id = comp.partner_id
             WHERE so.state = 'sale'
        """,
                order_date=self._local_date("so.date_order", "comp_partner"),
            )
        )
        # delivered and returned value: the order line's net price for the
        # moved quantity, rounded half-up per move, plus its percent taxes
        parts.append(
            SQL(
                """
            SELECT m.id::bigint * 8
                       + CASE WHEN dest.usage = 'customer' THEN 2 ELSE 3 END
                       AS event_id,
                   sol.contract_line_id, cl.contract_id, cl.product_id,
                   %(move_date)s AS date,
                   CASE WHEN dest.usage = 'customer' THEN 'delivered'
                        ELSE 'returned' END AS kind,
                   mv.qty_line AS qty,
                   amt.untaxed AS amount,
                   mv.net + ROUND(amt.untaxed * tax.rate_excluded, 2) AS amount_total
              FROM stock_move m
              JOIN sale_order_line sol ON sol.id = m.sale_line_id
              JOIN sales_contract_line cl ON cl.id = sol.contract_line_id
              JOIN stock_location src ON src.id = m.location_id
              JOIN stock_location dest ON dest.id = m.location_dest_id
              JOIN uom_uom mu ON mu.id = m.product_uom
              JOIN uom_uom su ON su.id = sol.product_uom
              JOIN uom_uom lu ON lu.id = cl.product_uom_id
              JOIN res_company comp ON comp.id = m.company_id
              JOIN res_partner comp_partner ON comp_partner.id = comp.partner_id
              CROSS JOIN LATERAL (
                  SELECT CASE WHEN m.product_uom = cl.product_uom_id THEN m.quantity
                              ELSE m.quantity / mu.factor * lu.factor END AS qty_line,
                         ROUND(
                             CASE WHEN m.product_uom = sol.product_uom THEN m.quantity
                                  ELSE m.quantity / mu.factor * su.factor END
                             * sol.price_unit * (1 - COALESCE(sol.discount, 0) / 100.0),
                             2) AS net
              ) mv
              -- the line's percent taxes, those included in its price apart
              CROSS JOIN LATERAL (
                  SELECT COALESCE(
                             SUM(t.amount) FILTER (WHERE NOT t_incl.included), 0
                         ) / 100.0 AS rate_excluded,
                         COALESCE(SUM(t.amount) FILTER (WHERE t_incl.included), 0)
                             / 100.0 AS rate_included
                    FROM account_tax_sale_order_line_rel rel
                    JOIN account_tax t ON t.id = rel.account_tax_id
                    JOIN res_company tc ON tc.id = t.company_id
                   CROSS JOIN LATERAL (
                       SELECT COALESCE(
                                  t.price_include_override, tc.account_price_include
                              ) = 'tax_included' AS included
                   ) t_incl
                   WHERE rel.sale_order_line_id = sol.id AND t.amount_type = 'percent'
              ) tax
              CROSS JOIN LATERAL (
                  SELECT CASE WHEN tax.rate_included > 0
                              THEN ROUND(mv.net / (1 + tax.rate_included), 2)
                              ELSE mv.net END AS untaxed
              ) amt
             WHERE m.state = 'done'
               AND ((dest.usage = 'customer' AND src.usage != 'customer')
                 OR (src.usage = 'customer' AND dest.usage != 'customer'))
        """,
                move_date=self._local_date("m.date", "comp_partner"),
            )
        )
        parts.append(
            SQL("""
            SELECT aml.id::bigint * 8
                       + CASE WHEN am.move_type = 'out_invoice' THEN 4 ELSE 5 END
                       AS event_id,
                   sol.contract_line_id, cl.contract_id, cl.product_id,
                   am.invoice_date AS date,
                   CASE WHEN am.move_type = 'out_invoice' THEN 'invoiced'
                        ELSE 'refunded' END AS kind,
                   CASE WHEN aml.product_uom_id = cl.product_uom_id
                          OR aml.product_uom_id IS NULL
                        THEN aml.quantity
                        ELSE aml.quantity / au.factor * lu.factor END AS qty,
                   aml.price_subtotal AS amount, aml.price_total AS amount_total
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN sale_order_line_invoice_rel inv_rel
                ON inv_rel.invoice_line_id = aml.id
              JOIN sale_order_line sol ON sol.id = inv_rel.order_line_id
              JOIN sales_contract_line cl ON cl.id = sol.contract_line_id
              JOIN uom_uom lu ON lu.id = cl.product_uom_id
              LEFT JOIN uom_uom au ON au.id = aml.product_uom_id
             WHERE am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.display_type = 'product'
        """)
        )
        return SQL(" UNION ALL ").join(parts)

    @api.model
    @api.model
    def _measure_names(self):
        """(column, kind, event value) of each figure."""
        return [
            (
                f"{prefix}_{kind}" + ("_total" if value == "amount_total" else ""),
                kind,
                value,
            )
            for kind in EVENT_KINDS
            for prefix, value in (
                ("qty", "qty"),
                ("amount", "amount"),
                ("amount", "amount_total"),
            )
        ]

    @api.model
    def _measure_columns(self, alias="ev"):
        """Pivot and sum the narrow events into one column per figure."""
        return SQL(", ").join(
            SQL(
                "COALESCE(SUM(%s) FILTER (WHERE %s = %s), 0) AS %s",
                SQL.identifier(alias, value),
                SQL.identifier(alias, "kind"),
                kind,
                SQL.identifier(name),
            )
            for name, kind, value in self._measure_names()
        )

    @property
    def _table_query(self):
        # one row per event (contract line, order line, stock move or
        # invoice line), its figure in its own column: nothing to aggregate
        # before the caller's grouping
        figures = SQL(", ").join(
            SQL(
                "CASE WHEN ev.kind = %s THEN %s ELSE 0 END AS %s",
                kind,
                SQL.identifier("ev", value),
                SQL.identifier(name),
            )
            for name, kind, value in self._measure_names()
        )
        zeros = SQL(", ").join(
            SQL("0 AS %s", SQL.identifier(name))
            for name, __, __ in self._measure_names()
        )
        return SQL(
            """
            SELECT ev.id, ev.contract_line_id, ev.date, %(columns)s,
                   ev.contract_id, c.company_id, c.currency_id,
                   c.commercial_partner_id AS partner_id, c.user_id, c.team_id,
                   c.district_id,
                   split_part(d.parent_path, '/', 1)::int AS district_level1_id,
                   NULLIF(split_part(d.parent_path, '/', 2), '')::int
                       AS district_level2_id,
                   ev.product_id, pp.product_tmpl_id, pt.categ_id
              FROM (
                SELECT ev.event_id AS id, ev.contract_line_id, ev.contract_id,
                       ev.product_id, ev.date, %(figures)s,
                       CASE WHEN ev.kind = 'invoiced' THEN ev.amount
                            WHEN ev.kind = 'refunded' THEN -ev.amount
                            ELSE 0 END AS amount_invoiced_net,
                       CASE WHEN ev.kind = 'invoiced' THEN ev.amount_total
                            WHEN ev.kind = 'refunded' THEN -ev.amount_total
                            ELSE 0 END AS amount_invoiced_net_total,
                       0 AS amount_collected,
                       CASE WHEN ev.kind = 'invoiced' THEN ev.amount_total
                            WHEN ev.kind = 'refunded' THEN -ev.amount_total
                            ELSE 0 END AS amount_outstanding
                  FROM (%(events)s) ev
                UNION ALL
                -- collections: per contract, on the reconciliation date
                SELECT col.event_id * 8 + 6, NULL, col.contract_id, NULL,
                       col.date, %(zeros)s, 0, 0, col.amount, -col.amount
                  FROM (%(collections)s) col
              ) ev
              JOIN sales_contract c ON c.id = ev.contract_id
              -- left joins on unique keys: PostgreSQL drops them when a
              -- query does not use their columns
              LEFT JOIN product_product pp ON pp.id = ev.product_id
              LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN sales_district d ON d.id = c.district_id
             WHERE c.state IN ('active', 'done') AND ev.date IS NOT NULL
            """,
            columns=SQL(", ").join(
                SQL.identifier("ev", name)
                for name in [
                    *(name for name, __, __ in self._measure_names()),
                    "amount_invoiced_net",
                    "amount_invoiced_net_total",
                    "amount_collected",
                    "amount_outstanding",
                ]
            ),
            figures=figures,
            zeros=zeros,
            events=self._events_query(),
            collections=self.env["sales.collection.ledger.report"]._collections_query(),
        )

    def action_open_contract(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sales.contract",
            "res_id": self.contract_id.id,
            "view_mode": "form",
        }
