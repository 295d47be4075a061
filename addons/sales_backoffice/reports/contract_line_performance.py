from odoo import api, fields, models
from odoo.tools import SQL

from ..models.sales_contract import CONTRACT_STATES
from .contract_performance_report import EVENT_SOURCES_DEPENDS

# the figures are as of the context's performance_date: cache them per date
AS_OF = ("performance_date",)


class SalesContractLinePerformance(models.Model):
    """The performance list of a contract: one row per contract line, with
    what was contracted, ordered, delivered, returned and invoiced up to the
    as-of date (context key ``performance_date``, today by default)."""

    _name = "sales.contract.line.performance"
    _description = "Contract Line Performance"
    _auto = False
    _order = "contract_id, sequence, id"
    _rec_name = "product_id"

    contract_id = fields.Many2one(
        "sales.contract", readonly=True, depends_context=AS_OF
    )
    sequence = fields.Integer(readonly=True, depends_context=AS_OF)
    company_id = fields.Many2one("res.company", readonly=True, depends_context=AS_OF)
    currency_id = fields.Many2one("res.currency", readonly=True, depends_context=AS_OF)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, depends_context=AS_OF
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, depends_context=AS_OF
    )
    district_id = fields.Many2one(
        "sales.district", readonly=True, depends_context=AS_OF
    )
    contract_state = fields.Selection(
        CONTRACT_STATES, readonly=True, depends_context=AS_OF
    )
    date_end = fields.Date(string="Contract End", readonly=True, depends_context=AS_OF)
    product_id = fields.Many2one(
        "product.product", readonly=True, depends_context=AS_OF
    )
    product_uom_id = fields.Many2one(
        "uom.uom", string="Unit", readonly=True, depends_context=AS_OF
    )
    as_of_date = fields.Date(readonly=True, depends_context=AS_OF)

    qty_contracted = fields.Float(
        string="Contracted",
        digits="Product Unit of Measure",
        readonly=True,
        depends_context=AS_OF,
    )
    qty_ordered = fields.Float(
        string="Ordered",
        digits="Product Unit of Measure",
        readonly=True,
        depends_context=AS_OF,
    )
    qty_delivered = fields.Float(
        string="Delivered",
        digits="Product Unit of Measure",
        readonly=True,
        depends_context=AS_OF,
    )
    qty_returned = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        readonly=True,
        depends_context=AS_OF,
    )
    qty_invoiced = fields.Float(
        string="Invoiced",
        digits="Product Unit of Measure",
        readonly=True,
        help="Invoiced quantity net of refunded quantity.",
        depends_context=AS_OF,
    )
    qty_remaining = fields.Float(
        string="Remaining",
        digits="Product Unit of Measure",
        readonly=True,
        help="Contracted minus delivered net of returns.",
        depends_context=AS_OF,
    )
    amount_contracted = fields.Monetary(
        string="Contracted Amount", readonly=True, depends_context=AS_OF
    )
    amount_ordered = fields.Monetary(
        string="Ordered Amount", readonly=True, depends_context=AS_OF
    )
    amount_delivered = fields.Monetary(
        string="Delivered Amount", readonly=True, depends_context=AS_OF
    )
    amount_returned = fields.Monetary(
        string="Returned Amount", readonly=True, depends_context=AS_OF
    )
    amount_invoiced = fields.Monetary(
        string="Invoiced Amount",
        readonly=True,
        help="Untaxed, net of refunds.",
        depends_context=AS_OF,
    )
    amount_remaining = fields.Monetary(
        string="Remaining Amount",
        readonly=True,
        help="Contracted minus delivered net of returns, untaxed.",
        depends_context=AS_OF,
    )
    ordered_rate = fields.Float(
        string="Ordered %", readonly=True, aggregator=None, depends_context=AS_OF
    )
    delivered_rate = fields.Float(
        string="Delivered %", readonly=True, aggregator=None, depends_context=AS_OF
    )
    invoiced_rate = fields.Float(
        string="Invoiced %", readonly=True, aggregator=None, depends_context=AS_OF
    )
    is_under_delivered = fields.Boolean(
        string="Under-delivered",
        readonly=True,
        help="Less was delivered (net of returns) than ordered, or the "
        "contract has ended with contracted quantity still undelivered.",
        depends_context=AS_OF,
    )

    _depends = {
        "sales.contract": [
            "state",
            "date_end",
            "company_id",
            "currency_id",
            "commercial_partner_id",
            "user_id",
            "district_id",
        ],
        "sales.contract.line": [
            "contract_id",
            "sequence",
            "product_id",
            "product_uom_qty",
            "product_uom_id",
            "price_subtotal",
        ],
        **EVENT_SOURCES_DEPENDS,
    }

    @api.model
    def _as_of_date(self):
        value = self.env.context.get("performance_date")
        return fields.Date.to_date(value) if value else fields.Date.context_today(self)

    @property
    def _table_query(self):
        as_of = self._as_of_date()
        return SQL(
            """
            SELECT cl.id, cl.contract_id, cl.sequence, c.company_id, c.currency_id,
                   c.commercial_partner_id AS partner_id, c.user_id, c.district_id,
                   c.state AS contract_state, c.date_end,
                   cl.product_id, cl.product_uom_id,
                   %(as_of)s::date AS as_of_date,
                   cl.product_uom_qty AS qty_contracted,
                   f.qty_ordered, f.qty_delivered, f.qty_returned,
                   f.qty_invoiced - f.qty_refunded AS qty_invoiced,
                   cl.product_uom_qty - (f.qty_delivered - f.qty_returned)
                       AS qty_remaining,
                   cl.price_subtotal AS amount_contracted,
                   f.amount_ordered, f.amount_delivered, f.amount_returned,
                   f.amount_invoiced - f.amount_refunded AS amount_invoiced,
                   cl.price_subtotal - (f.amount_delivered - f.amount_returned)
                       AS amount_remaining,
                   %(ordered_rate)s AS ordered_rate,
                   %(delivered_rate)s AS delivered_rate,
                   %(invoiced_rate)s AS invoiced_rate,
                   (f.qty_delivered - f.qty_returned < f.qty_ordered
                    OR (c.date_end < %(as_of)s
                        AND f.qty_delivered - f.qty_returned < cl.product_uom_qty))
                       AS is_under_delivered
              FROM sales_contract_line cl
              JOIN sales_contract c ON c.id = cl.contract_id
              CROSS JOIN LATERAL (
                  SELECT %(measures)s
                    FROM (%(events)s) ev
                   WHERE ev.contract_line_id = cl.id AND ev.date <= %(as_of)s
              ) f
        """,
            as_of=as_of,
            measures=self.env["sales.contract.performance.report"]._measure_columns(),
            events=self.env["sales.contract.performance.report"]._events_query(
                with_contracted=False
            ),
            ordered_rate=self._rate_sql(
                SQL("f.qty_ordered"), SQL("cl.product_uom_qty")
            ),
            delivered_rate=self._rate_sql(
                SQL("f.qty_delivered - f.qty_returned"), SQL("cl.product_uom_qty")
            ),
            invoiced_rate=self._rate_sql(
                SQL("f.qty_invoiced - f.qty_refunded"), SQL("cl.product_uom_qty")
            ),
        )

    @api.model
    def _rate_sql(self, part, whole):
        return SQL("ROUND((100.0 * (%s) / NULLIF(%s, 0))::numeric, 2)", part, whole)

    def action_open_contract(self):
        self.ensure_one()
        return self.contract_id._get_records_action()
