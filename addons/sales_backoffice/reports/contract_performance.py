from odoo import fields, models
from odoo.tools import SQL

from ..models.sales_contract import CONTRACT_STATES
from .collection_ledger_report import COLLECTION_SOURCES_DEPENDS

# the figures are as of the context's performance_date: cache them per date
AS_OF = ("performance_date",)


class SalesContractPerformance(models.Model):
    """All contracts' performance as of a date (context key
    ``performance_date``, today by default): one row per contract, amounts
    untaxed, rates against the contracted amount."""

    _name = "sales.contract.performance"
    _description = "Contract Performance"
    _auto = False
    _order = "date_signed desc, id desc"
    _rec_name = "contract_id"

    contract_id = fields.Many2one(
        "sales.contract", readonly=True, depends_context=AS_OF
    )
    company_id = fields.Many2one("res.company", readonly=True, depends_context=AS_OF)
    currency_id = fields.Many2one("res.currency", readonly=True, depends_context=AS_OF)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, depends_context=AS_OF
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, depends_context=AS_OF
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", readonly=True, depends_context=AS_OF
    )
    district_id = fields.Many2one(
        "sales.district", readonly=True, depends_context=AS_OF
    )
    state = fields.Selection(
        CONTRACT_STATES, string="Status", readonly=True, depends_context=AS_OF
    )
    date_signed = fields.Date(string="Sign Date", readonly=True, depends_context=AS_OF)
    date_end = fields.Date(string="End Date", readonly=True, depends_context=AS_OF)
    as_of_date = fields.Date(readonly=True, depends_context=AS_OF)
    amount_contracted = fields.Monetary(
        string="Contracted", readonly=True, depends_context=AS_OF
    )
    amount_ordered = fields.Monetary(
        string="Ordered", readonly=True, depends_context=AS_OF
    )
    amount_delivered = fields.Monetary(
        string="Net Delivered",
        readonly=True,
        help="Delivered net of returns, untaxed.",
        depends_context=AS_OF,
    )
    amount_returned = fields.Monetary(
        string="Returned", readonly=True, depends_context=AS_OF
    )
    amount_invoiced = fields.Monetary(
        string="Invoiced",
        readonly=True,
        help="Invoiced net of refunds, untaxed.",
        depends_context=AS_OF,
    )
    amount_receivable = fields.Monetary(
        string="Invoiced (tax incl.)",
        readonly=True,
        help="What the posted invoices minus credit notes dated up to the "
        "as-of date ask the customer to pay, taxes included.",
        depends_context=AS_OF,
    )
    amount_collected = fields.Monetary(
        string="Collected",
        readonly=True,
        help="Customer payments reconciled with the contract's invoices up to "
        "the as-of date (on the reconciliation date).",
        depends_context=AS_OF,
    )
    amount_outstanding = fields.Monetary(
        string="Outstanding",
        readonly=True,
        help="Invoiced (tax incl.) minus collected, as of the date.",
        depends_context=AS_OF,
    )
    collected_rate = fields.Float(
        string="Collected %",
        readonly=True,
        aggregator=None,
        help="Collected / invoiced (tax incl.).",
        depends_context=AS_OF,
    )
    amount_remaining = fields.Monetary(
        string="Remaining",
        readonly=True,
        help="Contracted minus delivered net of returns.",
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
        string="Under-delivered", readonly=True, depends_context=AS_OF
    )
    has_late_milestone = fields.Boolean(
        related="contract_id.has_late_milestone", string="Late Milestone"
    )
    in_my_district = fields.Boolean(related="contract_id.in_my_district")

    _depends = {
        "sales.contract": [
            "state",
            "date_signed",
            "date_end",
            "company_id",
            "currency_id",
            "commercial_partner_id",
            "user_id",
            "team_id",
            "district_id",
            "amount_untaxed",
        ],
        "sales.contract.line": ["contract_id", "price_subtotal"],
        # it sums the line performance rows: their sources too (transitively)
        "sales.contract.line.performance": ["qty_delivered"],
        # the collected amounts: the collection ledger's sources
        **{
            model: names
            for model, names in COLLECTION_SOURCES_DEPENDS.items()
            if model.startswith("account.")
        },
    }

    @property
    def _table_query(self):
        LinePerformance = self.env["sales.contract.line.performance"]
        as_of = LinePerformance._as_of_date()
        rate = LinePerformance._rate_sql
        return SQL(
            """
            SELECT c.id, c.id AS contract_id, c.company_id, c.currency_id,
                   c.commercial_partner_id AS partner_id, c.user_id, c.team_id,
                   c.district_id, c.state, c.date_signed, c.date_end,
                   %(as_of)s::date AS as_of_date,
                   c.amount_untaxed AS amount_contracted,
                   COALESCE(f.amount_ordered, 0) AS amount_ordered,
                   COALESCE(f.amount_delivered, 0) AS amount_delivered,
                   COALESCE(f.amount_returned, 0) AS amount_returned,
                   COALESCE(f.amount_invoiced, 0) AS amount_invoiced,
                   c.amount_untaxed - COALESCE(f.amount_delivered, 0)
                       AS amount_remaining,
                   %(ordered_rate)s AS ordered_rate,
                   %(delivered_rate)s AS delivered_rate,
                   %(invoiced_rate)s AS invoiced_rate,
                   COALESCE(f.is_under_delivered, FALSE) AS is_under_delivered,
                   COALESCE(col.receivable, 0) AS amount_receivable,
                   COALESCE(col.collected, 0) AS amount_collected,
                   COALESCE(col.receivable, 0) - COALESCE(col.collected, 0)
                       AS amount_outstanding,
                   %(collected_rate)s AS collected_rate
              FROM sales_contract c
              LEFT JOIN LATERAL (
                  SELECT SUM(lp.amount_ordered) AS amount_ordered,
                         SUM(lp.amount_delivered - lp.amount_returned)
                             AS amount_delivered,
                         SUM(lp.amount_returned) AS amount_returned,
                         SUM(lp.amount_invoiced) AS amount_invoiced,
                         bool_or(lp.is_under_delivered) AS is_under_delivered
                    FROM (%(lines)s) lp
                   WHERE lp.contract_id = c.id
              ) f ON TRUE
              LEFT JOIN LATERAL (
                  SELECT SUM(ev.invoiced_amount) AS receivable,
                         SUM(ev.collected_amount) AS collected
                    FROM (%(ledger)s) ev
                   WHERE ev.contract_id = c.id
                     AND ev.kind IN ('invoice', 'refund', 'collection')
                     AND ev.date <= %(as_of)s
              ) col ON TRUE
        """,
            ledger=self.env["sales.collection.ledger.report"]._events_query(as_of),
            collected_rate=rate(SQL("col.collected"), SQL("col.receivable")),
            as_of=as_of,
            lines=LinePerformance._table_query,
            ordered_rate=rate(SQL("f.amount_ordered"), SQL("c.amount_untaxed")),
            delivered_rate=rate(SQL("f.amount_delivered"), SQL("c.amount_untaxed")),
            invoiced_rate=rate(SQL("f.amount_invoiced"), SQL("c.amount_untaxed")),
        )

    def action_open_contract(self):
        self.ensure_one()
        return self.contract_id._get_records_action()

    def action_open_lines(self):
        self.ensure_one()
        return self.contract_id.with_context(
            performance_date=self.as_of_date
        ).action_view_performance()
