from odoo import api, fields, models
from odoo.tools import SQL

LEDGER_KINDS = [
    ("plan", "Planned Instalment"),
    ("invoice", "Invoice"),
    ("refund", "Credit Note"),
    ("collection", "Collection"),
    ("overdue", "Overdue"),
]

# figures whose sums the collection rate is read from
RATE_FIELD = "collection_rate"
RATE_SOURCES = ("collected_amount", "invoiced_amount")

# flushed before the view is read: every document it reads from
COLLECTION_SOURCES_DEPENDS = {
    "sales.contract": [
        "state",
        "company_id",
        "currency_id",
        "commercial_partner_id",
        "user_id",
        "team_id",
        "district_id",
    ],
    "sales.contract.instalment": ["contract_id", "due_date", "amount", "user_id"],
    "sales.district": ["parent_path"],
    "account.move": ["state", "move_type", "invoice_date", "sales_contract_id"],
    "account.move.line": [
        "move_id",
        "display_type",
        "balance",
        "amount_residual",
        "date_maturity",
    ],
    "account.partial.reconcile": [
        "debit_move_id",
        "credit_move_id",
        "amount",
        "max_date",
        "exchange_move_id",
    ],
}


class SalesCollectionLedgerReport(models.Model):
    """The collection ("fund withdrawal") ledger: one row per event.

    Planned counts on the instalment's due date; invoiced on the posted
    invoice's or credit note's invoice date (a credit note is negative);
    collected on the date of the reconciliation of a customer payment with
    the contract's invoice (Odoo's partial max_date: the later of the payment
    and the invoice), in company currency at the payment's rate; overdue is
    what is still open today on invoices past their due date, on that due
    date. A credit note settling an invoice lowers what is owed but is not
    collected. Outstanding = invoiced - collected, so it adds up over any
    grouping; the collection rate is collected / invoiced of the group."""

    _name = "sales.collection.ledger.report"
    _description = "Collection Ledger"
    _auto = False
    _rec_name = "contract_id"
    _order = "date desc, contract_id"

    date = fields.Date(readonly=True)
    kind = fields.Selection(LEDGER_KINDS, readonly=True)
    contract_id = fields.Many2one("sales.contract", readonly=True)
    contract_state = fields.Selection(
        related="contract_id.state", string="Contract Status", readonly=True
    )
    instalment_id = fields.Many2one("sales.contract.instalment", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
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
    planned_amount = fields.Monetary(string="Planned", readonly=True)
    invoiced_amount = fields.Monetary(string="Invoiced", readonly=True)
    collected_amount = fields.Monetary(string="Collected", readonly=True)
    overdue_amount = fields.Monetary(
        string="Overdue Invoiced",
        readonly=True,
        help="Still open today on the contract's invoices past their due "
        "date (the collection plan's own overdue instalments are in "
        "Collection Plans).",
    )
    outstanding_amount = fields.Monetary(string="Outstanding", readonly=True)
    collection_rate = fields.Float(
        string="Collection Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Collected / invoiced of the group, in percent.",
    )

    _depends = COLLECTION_SOURCES_DEPENDS

    @api.model
    def _collections_query(self):
        """Collections: (event_id, contract_id, move_id, date, amount), one
        per partial reconciliation of a contract invoice's receivable line
        with a payment (plus) or of a contract credit note's with money paid
        back (minus). Neither an invoice or credit note nor an exchange
        difference entry is a collection's counterpart."""
        sides = []
        for own, other, sign, offset in (
            ("debit_move_id", "credit_move_id", 1, 0),
            ("credit_move_id", "debit_move_id", -1, 1),
        ):
            sides.append(
                SQL(
                    """
                SELECT p.id::bigint * 2 + %(offset)s AS event_id,
                       am.sales_contract_id AS contract_id, am.id AS move_id,
                       p.max_date AS date, %(sign)s * p.amount AS amount
                  FROM account_partial_reconcile p
                  JOIN account_move_line aml ON aml.id = p.%(own)s
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN account_move_line other_line ON other_line.id = p.%(other)s
                  JOIN account_move om ON om.id = other_line.move_id
                 WHERE am.sales_contract_id IS NOT NULL
                   AND am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND aml.display_type = 'payment_term'
                   AND om.move_type NOT IN
                       ('out_invoice', 'out_refund', 'in_invoice', 'in_refund')
                   AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile x
                                    WHERE x.exchange_move_id = om.id)
                """,
                    offset=offset,
                    sign=sign,
                    own=SQL.identifier(own),
                    other=SQL.identifier(other),
                )
            )
        return SQL(" UNION ALL ").join(sides)

    @api.model
    def _events_query(self, today):
        return SQL(
            """
            SELECT i.id::bigint * 8 AS id, 'plan' AS kind, i.contract_id,
                   i.id AS instalment_id, NULL::int AS move_id, i.due_date AS date,
                   i.amount AS planned_amount, 0 AS invoiced_amount,
                   0 AS collected_amount, 0 AS overdue_amount
              FROM sales_contract_instalment i
            UNION ALL
            SELECT aml.id::bigint * 8 + 1,
                   CASE WHEN am.move_type = 'out_invoice' THEN 'invoice'
                        ELSE 'refund' END,
                   am.sales_contract_id, NULL, am.id, am.invoice_date,
                   0, aml.balance, 0, 0
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
             WHERE am.sales_contract_id IS NOT NULL
               AND am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.display_type = 'payment_term'
            UNION ALL
            SELECT col.event_id * 4 + 2, 'collection', col.contract_id, NULL,
                   col.move_id, col.date, 0, 0, col.amount, 0
              FROM (%(collections)s) col
            UNION ALL
            SELECT aml.id::bigint * 8 + 3, 'overdue', am.sales_contract_id, NULL,
                   am.id, COALESCE(aml.date_maturity, aml.date),
                   0, 0, 0, aml.amount_residual
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
             WHERE am.sales_contract_id IS NOT NULL
               AND am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.display_type = 'payment_term'
               AND aml.amount_residual != 0
               AND COALESCE(aml.date_maturity, aml.date) < %(today)s
            """,
            collections=self._collections_query(),
            today=today,
        )

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        return SQL(
            """
            SELECT ev.id, ev.kind, ev.date, ev.contract_id, ev.instalment_id,
                   ev.move_id, c.company_id, c.currency_id,
                   c.commercial_partner_id AS partner_id, c.user_id, c.team_id,
                   c.district_id,
                   split_part(d.parent_path, '/', 1)::int AS district_level1_id,
                   NULLIF(split_part(d.parent_path, '/', 2), '')::int
                       AS district_level2_id,
                   ev.planned_amount, ev.invoiced_amount, ev.collected_amount,
                   ev.overdue_amount,
                   ev.invoiced_amount - ev.collected_amount AS outstanding_amount,
                   NULL::float AS collection_rate
              FROM (%(events)s) ev
              JOIN sales_contract c ON c.id = ev.contract_id
              LEFT JOIN sales_district d ON d.id = c.district_id
             WHERE c.state IN ('active', 'done') AND ev.date IS NOT NULL
            """,
            events=self._events_query(today),
        )

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        """The collection rate of a group is collected / invoiced of the
        group, not an average of the rows' rates."""
        names = [spec.split(":")[0] for spec in fields]
        if RATE_FIELD not in names:
            return super().read_group(
                domain, fields, groupby, offset, limit, orderby, lazy
            )
        specs = [spec for spec in fields if spec.split(":")[0] != RATE_FIELD]
        specs += [f"{name}:sum" for name in RATE_SOURCES if name not in names]
        groups = super().read_group(
            domain, specs, groupby, offset, limit, orderby, lazy
        )
        for group in groups:
            collected, invoiced = (group.get(name) or 0.0 for name in RATE_SOURCES)
            group[RATE_FIELD] = collected / invoiced * 100.0 if invoiced else 0.0
        return groups

    def action_open_document(self):
        self.ensure_one()
        if self.move_id:
            return {
                "type": "ir.actions.act_window",
                "res_model": "account.move",
                "res_id": self.move_id.id,
                "view_mode": "form",
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "sales.contract",
            "res_id": self.contract_id.id,
            "view_mode": "form",
        }
