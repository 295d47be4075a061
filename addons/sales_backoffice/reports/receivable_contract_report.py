from odoo import api, fields, models
from odoo.tools import SQL

from .receivable_ageing_report import AS_OF, RECEIVABLE_AGEING_DEPENDS

# the ageing columns summed per contract
AGEING_COLUMNS = (
    "residual_amount",
    "overdue_amount",
    "not_due_amount",
    "bucket_1_amount",
    "bucket_2_amount",
    "bucket_3_amount",
    "bucket_4_amount",
    "bucket_5_amount",
)


class SalesReceivableContractReport(models.Model):
    """Receivables per contract as of a date (context key ``as_of_date``,
    today by default): one row per contract, and one per customer and
    company for what belongs to no contract, with what was invoiced,
    collected and is outstanding at that date, and the ageing of what is
    open at it.

    Invoiced counts the posted invoices less the posted credit notes with an
    invoice date on or before the date; collected the customer payments
    reconciled with them (less money paid back on credit notes) by a partial
    reconciliation whose ``max_date`` is on or before the date; a credit
    note settling an invoice is not a collection. These are the rules of the
    contract's Invoiced / Collected / Outstanding and of the collection
    ledger, so that as of today a contract's row shows the contract's
    amounts. Outstanding = invoiced - collected. Open is the sum of the
    receivable ageing's rows: the outstanding plus the customer's credits
    not yet used (payments not matched to an invoice), in its buckets."""

    _name = "sales.receivable.contract.report"
    _description = "Receivables per Contract"
    _auto = False
    _rec_name = "contract_id"
    _order = "partner_id, contract_id"

    as_of_date = fields.Date(readonly=True, depends_context=AS_OF)
    company_id = fields.Many2one("res.company", readonly=True, depends_context=AS_OF)
    currency_id = fields.Many2one("res.currency", readonly=True, depends_context=AS_OF)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, depends_context=AS_OF
    )
    contract_id = fields.Many2one(
        "sales.contract", readonly=True, depends_context=AS_OF
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        readonly=True,
        help="The contract's salesperson, else the customer's.",
        depends_context=AS_OF,
    )
    district_id = fields.Many2one(
        "sales.district",
        readonly=True,
        help="The contract's district, else the customer's.",
        depends_context=AS_OF,
    )
    district_level1_id = fields.Many2one(
        "sales.district",
        string="District (level 1)",
        readonly=True,
        depends_context=AS_OF,
    )
    district_level2_id = fields.Many2one(
        "sales.district",
        string="District (level 2)",
        readonly=True,
        depends_context=AS_OF,
    )
    invoiced_amount = fields.Monetary(
        string="Invoiced",
        readonly=True,
        help="Posted invoices minus posted credit notes, on their invoice dates.",
        depends_context=AS_OF,
    )
    collected_amount = fields.Monetary(
        string="Collected",
        readonly=True,
        help="Customer payments reconciled with the invoices by the as-of "
        "date, net of money paid back on credit notes.",
        depends_context=AS_OF,
    )
    outstanding_amount = fields.Monetary(
        string="Outstanding",
        readonly=True,
        help="Invoiced minus collected.",
        depends_context=AS_OF,
    )
    residual_amount = fields.Monetary(
        string="Open Amount",
        readonly=True,
        help="The receivable ageing's open amount: the outstanding plus the "
        "customer's credits not yet used.",
        depends_context=AS_OF,
    )
    overdue_amount = fields.Monetary(
        string="Overdue", readonly=True, depends_context=AS_OF
    )
    not_due_amount = fields.Monetary(
        string="Not Due", readonly=True, depends_context=AS_OF
    )
    bucket_1_amount = fields.Monetary(
        string="1-30 Days", readonly=True, depends_context=AS_OF
    )
    bucket_2_amount = fields.Monetary(
        string="31-60 Days", readonly=True, depends_context=AS_OF
    )
    bucket_3_amount = fields.Monetary(
        string="61-90 Days", readonly=True, depends_context=AS_OF
    )
    bucket_4_amount = fields.Monetary(
        string="91-180 Days", readonly=True, depends_context=AS_OF
    )
    bucket_5_amount = fields.Monetary(
        string="Over 180 Days", readonly=True, depends_context=AS_OF
    )

    _depends = {
        **RECEIVABLE_AGEING_DEPENDS,
        "account.move": [
            *RECEIVABLE_AGEING_DEPENDS["account.move"],
            "invoice_date",
            "company_id",
            "commercial_partner_id",
        ],
        "account.move.line": [
            *RECEIVABLE_AGEING_DEPENDS["account.move.line"],
            "display_type",
        ],
        "account.partial.reconcile": [
            *RECEIVABLE_AGEING_DEPENDS["account.partial.reconcile"],
            "exchange_move_id",
        ],
        "sales.contract": [
            *RECEIVABLE_AGEING_DEPENDS["sales.contract"],
            "company_id",
            "commercial_partner_id",
        ],
    }

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        res = super().fields_get(allfields, attributes)
        labels = self.env["sales.receivable.ageing.report"]._bucket_labels()
        for field, label in labels.items():
            if field in res and "string" in res[field]:
                res[field]["string"] = label
        return res

    @api.model
    def _collections_query(self, as_of):
        """(move_id, amount) of the collections up to ``as_of``: partial
        reconciliations of a posted invoice's receivable line with a payment
        (plus) or of a credit note's with money paid back (minus). Neither an
        invoice or credit note nor an exchange difference entry is a
        collection's counterpart (the collection ledger's rule)."""
        sides = [
            SQL(
                """
            SELECT aml.move_id, %(sign)s * p.amount AS amount
              FROM account_partial_reconcile p
              JOIN account_move_line aml ON aml.id = p.%(own)s
              JOIN account_move_line other_line ON other_line.id = p.%(other)s
              JOIN account_move om ON om.id = other_line.move_id
             WHERE p.max_date <= %(as_of)s
               AND aml.display_type = 'payment_term'
               AND om.move_type NOT IN
                   ('out_invoice', 'out_refund', 'in_invoice', 'in_refund')
               AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile x
                                WHERE x.exchange_move_id = om.id)
                """,
                sign=sign,
                own=SQL.identifier(own),
                other=SQL.identifier(other),
                as_of=as_of,
            )
            for own, other, sign in (
                ("debit_move_id", "credit_move_id", 1),
                ("credit_move_id", "debit_move_id", -1),
            )
        ]
        return SQL(" UNION ALL ").join(sides)

    @property
    def _table_query(self):
        Ageing = self.env["sales.receivable.ageing.report"]
        as_of = Ageing._as_of_date()
        zeros = SQL(", ").join(
            SQL("0 AS %s", SQL.identifier(c)) for c in AGEING_COLUMNS
        )
        ageing = SQL(", ").join(
            SQL("ag.%s", SQL.identifier(column)) for column in AGEING_COLUMNS
        )
        sums = SQL(", ").join(
            SQL("SUM(ev.%s) AS %s", SQL.identifier(c), SQL.identifier(c))
            for c in AGEING_COLUMNS
        )
        columns = SQL(", ").join(SQL("f.%s", SQL.identifier(c)) for c in AGEING_COLUMNS)
        # a row's keys: a contract's own company and customer, else the
        # document's
        return SQL(
            """
            SELECT CASE WHEN f.contract_id IS NOT NULL
                        THEN f.contract_id::bigint * 2
                        ELSE (f.partner_id::bigint * 65536 + f.company_id) * 2 + 1
                   END AS id,
                   %(as_of)s::date AS as_of_date,
                   f.company_id, comp.currency_id, f.partner_id, f.contract_id,
                   COALESCE(c.user_id, cp.user_id) AS user_id,
                   d.id AS district_id,
                   split_part(d.parent_path, '/', 1)::int AS district_level1_id,
                   NULLIF(split_part(d.parent_path, '/', 2), '')::int
                       AS district_level2_id,
                   f.invoiced_amount, f.collected_amount,
                   f.invoiced_amount - f.collected_amount AS outstanding_amount,
                   %(columns)s
              FROM (
                    SELECT COALESCE(ec.company_id, ev.company_id) AS company_id,
                           COALESCE(ec.commercial_partner_id, ev.partner_id)
                               AS partner_id,
                           ev.contract_id,
                           SUM(ev.invoiced_amount) AS invoiced_amount,
                           SUM(ev.collected_amount) AS collected_amount,
                           %(sums)s
                      FROM (
                            SELECT am.company_id, am.commercial_partner_id
                                       AS partner_id,
                                   am.sales_contract_id AS contract_id,
                                   aml.balance AS invoiced_amount,
                                   0 AS collected_amount, %(zeros)s
                              FROM account_move_line aml
                              JOIN account_move am ON am.id = aml.move_id
                             WHERE am.state = 'posted'
                               AND am.move_type IN ('out_invoice', 'out_refund')
                               AND aml.display_type = 'payment_term'
                               AND am.invoice_date <= %(as_of)s
                             UNION ALL
                            SELECT am.company_id, am.commercial_partner_id,
                                   am.sales_contract_id, 0, col.amount, %(zeros)s
                              FROM (%(collections)s) col
                              JOIN account_move am ON am.id = col.move_id
                             WHERE am.state = 'posted'
                               AND am.move_type IN ('out_invoice', 'out_refund')
                             UNION ALL
                            SELECT ag.company_id, ag.partner_id, ag.contract_id,
                                   0, 0, %(ageing)s
                              FROM (%(ageing_query)s) ag
                           ) ev
                      LEFT JOIN sales_contract ec ON ec.id = ev.contract_id
                  GROUP BY 1, 2, 3
                   ) f
              JOIN res_company comp ON comp.id = f.company_id
              JOIN res_partner cp ON cp.id = f.partner_id
              LEFT JOIN sales_contract c ON c.id = f.contract_id
              LEFT JOIN sales_district d
                ON d.id = COALESCE(c.district_id, cp.sales_district_id)
            """,
            as_of=as_of,
            columns=columns,
            sums=sums,
            zeros=zeros,
            ageing=ageing,
            collections=self._collections_query(as_of),
            ageing_query=Ageing.with_context(
                as_of_date=fields.Date.to_string(as_of)
            )._table_query,
        )

    def action_open_items(self):
        """The open items of the row at its as-of date."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_receivable_ageing_report_action"
        )
        action["domain"] = [
            ("company_id", "=", self.company_id.id),
            ("partner_id", "=", self.partner_id.id),
            ("contract_id", "=", self.contract_id.id),
        ]
        action["context"] = {"as_of_date": fields.Date.to_string(self.as_of_date)}
        action["display_name"] = self.env._(
            "Open items of %(name)s as of %(date)s",
            name=self.contract_id.name or self.partner_id.display_name,
            date=self.as_of_date,
        )
        return action

    def action_open_contract(self):
        self.ensure_one()
        return self.contract_id._get_records_action()
