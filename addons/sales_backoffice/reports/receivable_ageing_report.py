from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.ageing import BUCKET_FIELDS, DEFAULT_LIMITS, bucket_ranges

# the figures are as of the context's as_of_date: cache them per date
AS_OF = ("as_of_date",)

# the documents the ageing is read from: flushed before the report is queried
RECEIVABLE_SOURCES_DEPENDS = {
    "account.move.line": [
        "move_id",
        "account_id",
        "partner_id",
        "company_id",
        "date",
        "date_maturity",
        "balance",
        "amount_residual",
        "reconciled",
        "parent_state",
    ],
    "account.partial.reconcile": [
        "debit_move_id",
        "credit_move_id",
        "amount",
        "max_date",
    ],
    "account.account": ["account_type"],
    "account.move": ["state", "move_type", "sales_contract_id"],
    "res.partner": ["commercial_partner_id", "user_id", "sales_district_id"],
}
RECEIVABLE_AGEING_DEPENDS = {
    **RECEIVABLE_SOURCES_DEPENDS,
    "sales.contract": ["user_id", "district_id"],
    "sales.district": ["parent_path"],
    "res.company": [
        "currency_id",
        "receivable_ageing_limit_1",
        "receivable_ageing_limit_2",
        "receivable_ageing_limit_3",
        "receivable_ageing_limit_4",
    ],
}


class SalesReceivableAgeingReport(models.Model):
    """Receivable ageing as of a date (context key ``as_of_date``, today by
    default): one row per posted receivable line of a customer still open at
    that date, its residual in the bucket of its days overdue.

    The residual at the date D is the line's balance less its partial
    reconciliations on the debit side plus those on the credit side whose
    ``max_date`` is on or before D: a payment made after D does not count at
    D. It is read as Odoo's ``amount_residual`` (balance less every partial)
    plus back the partials dated after D, which is the same figure: the query
    sums only the partials dated after D (none as of today) and leaves out at
    once a line reconciled today by partials all dated on or before D. Days
    overdue = D - due date (the line's date
    without one); zero or less is not yet due. An open credit (an unused
    refund or payment) is negative in the bucket of its own due date.
    Amounts are in the company's currency."""

    _name = "sales.receivable.ageing.report"
    _description = "Receivable Ageing"
    _auto = False
    _rec_name = "move_id"
    _order = "date_maturity, id"

    as_of_date = fields.Date(readonly=True, depends_context=AS_OF)
    company_id = fields.Many2one("res.company", readonly=True, depends_context=AS_OF)
    currency_id = fields.Many2one("res.currency", readonly=True, depends_context=AS_OF)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, depends_context=AS_OF
    )
    contract_id = fields.Many2one(
        "sales.contract", readonly=True, depends_context=AS_OF
    )
    move_id = fields.Many2one(
        "account.move", string="Document", readonly=True, depends_context=AS_OF
    )
    move_line_id = fields.Many2one(
        "account.move.line", string="Journal Item", readonly=True, depends_context=AS_OF
    )
    move_type = fields.Selection(
        lambda self: self.env["account.move"]._fields["move_type"].selection,
        string="Document Type",
        readonly=True,
        depends_context=AS_OF,
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
    date = fields.Date(readonly=True, depends_context=AS_OF)
    date_maturity = fields.Date(
        string="Due Date",
        readonly=True,
        help="The line's date when it has no due date.",
        depends_context=AS_OF,
    )
    days_overdue = fields.Integer(
        readonly=True,
        aggregator="max",
        help="As-of date minus due date; zero or less is not yet due.",
        depends_context=AS_OF,
    )
    original_amount = fields.Monetary(readonly=True, depends_context=AS_OF)
    residual_amount = fields.Monetary(
        string="Open Amount",
        readonly=True,
        help="What is still open at the as-of date: negative for a credit.",
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

    _depends = RECEIVABLE_AGEING_DEPENDS

    # ------------------------------------------------------------------
    # The as-of date and the bucket labels
    # ------------------------------------------------------------------

    @api.model
    def _as_of_date(self):
        value = self.env.context.get("as_of_date")
        return fields.Date.to_date(value) if value else fields.Date.context_today(self)

    @api.model
    def _bucket_labels(self, company=None):
        """{bucket field: label} following the company's limits (the current
        company's by default)."""
        company = company or self.env.company
        labels = {BUCKET_FIELDS[0]: self.env._("Not Due")}
        for field, (start, end) in zip(
            BUCKET_FIELDS[1:],
            bucket_ranges(company._receivable_ageing_limits()),
            strict=True,
        ):
            labels[field] = (
                self.env._("%(start)s-%(end)s Days", start=start, end=end)
                if end
                else self.env._("Over %(days)s Days", days=start - 1)
            )
        return labels

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        res = super().fields_get(allfields, attributes)
        for field, label in self._bucket_labels().items():
            if field in res and "string" in res[field]:
                res[field]["string"] = label
        return res

    # ------------------------------------------------------------------
    # The query
    # ------------------------------------------------------------------

    @api.model
    def _later_partials_query(self, as_of):
        """(line_id, amount): the net of each line's partial reconciliations
        dated after ``as_of`` (debit side positive), to add back to its
        residual of today. Few for a recent date, none for today."""
        return SQL(
            """
            SELECT later.line_id, SUM(later.amount) AS amount
              FROM (
                    SELECT part.debit_move_id AS line_id, part.amount
                      FROM account_partial_reconcile part
                     WHERE part.max_date > %(as_of)s
                     UNION ALL
                    SELECT part.credit_move_id, -part.amount
                      FROM account_partial_reconcile part
                     WHERE part.max_date > %(as_of)s
                   ) later
          GROUP BY later.line_id
            """,
            as_of=as_of,
        )

    @property
    def _table_query(self):
        as_of = self._as_of_date()
        limit = [
            SQL(
                "COALESCE(comp.%s, %s)",
                SQL.identifier(f"receivable_ageing_limit_{index}"),
                default,
            )
            for index, default in enumerate(DEFAULT_LIMITS, start=1)
        ]
        return SQL(
            """
            SELECT aml.id, aml.id AS move_line_id, aml.move_id, am.move_type,
                   %(as_of)s::date AS as_of_date,
                   aml.company_id, comp.currency_id,
                   p.commercial_partner_id AS partner_id,
                   am.sales_contract_id AS contract_id,
                   COALESCE(c.user_id, cp.user_id) AS user_id,
                   dist.id AS district_id,
                   (SELECT split_part(d.parent_path, '/', 1)::int
                      FROM sales_district d WHERE d.id = dist.id)
                       AS district_level1_id,
                   (SELECT NULLIF(split_part(d.parent_path, '/', 2), '')::int
                      FROM sales_district d WHERE d.id = dist.id)
                       AS district_level2_id,
                   aml.date, COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                   r.days AS days_overdue,
                   aml.balance AS original_amount,
                   r.residual AS residual_amount,
                   CASE WHEN r.days > 0 THEN r.residual ELSE 0 END AS overdue_amount,
                   CASE WHEN r.days <= 0 THEN r.residual ELSE 0 END AS not_due_amount,
                   CASE WHEN r.days > 0 AND r.days <= %(l1)s
                        THEN r.residual ELSE 0 END AS bucket_1_amount,
                   CASE WHEN r.days > %(l1)s AND r.days <= %(l2)s
                        THEN r.residual ELSE 0 END AS bucket_2_amount,
                   CASE WHEN r.days > %(l2)s AND r.days <= %(l3)s
                        THEN r.residual ELSE 0 END AS bucket_3_amount,
                   CASE WHEN r.days > %(l3)s AND r.days <= %(l4)s
                        THEN r.residual ELSE 0 END AS bucket_4_amount,
                   CASE WHEN r.days > %(l4)s THEN r.residual ELSE 0 END
                       AS bucket_5_amount
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN res_company comp ON comp.id = aml.company_id
              LEFT JOIN (%(later_partials)s) later ON later.line_id = aml.id
              -- left joins on unique keys whose columns are only selected
              -- (none in another join's condition): PostgreSQL drops them
              -- when a query does not use those columns
              LEFT JOIN account_move am ON am.id = aml.move_id
              LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
              LEFT JOIN sales_contract c ON c.id = am.sales_contract_id
             CROSS JOIN LATERAL (
                  SELECT COALESCE(c.district_id, cp.sales_district_id) AS id
             ) dist
             CROSS JOIN LATERAL (
                  SELECT aml.amount_residual + COALESCE(later.amount, 0) AS residual,
                         %(as_of)s::date - COALESCE(aml.date_maturity, aml.date)
                             AS days
             ) r
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.date <= %(as_of)s
               -- settled at the date: reconciled today and by no partial
               -- dated after it
               AND (aml.reconciled IS NOT TRUE OR later.line_id IS NOT NULL)
               AND r.residual != 0
            """,
            as_of=as_of,
            later_partials=self._later_partials_query(as_of),
            l1=limit[0],
            l2=limit[1],
            l3=limit[2],
            l4=limit[3],
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _overdue_by_partner(self, partners, company, as_of=None):
        """{commercial partner id: overdue amount} of ``company`` as of
        ``as_of`` (today by default), whatever the user may read."""
        report = self.sudo().with_context(
            as_of_date=fields.Date.to_string(as_of or fields.Date.context_today(self))
        )
        groups = report._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("days_overdue", ">", 0),
            ],
            ["partner_id"],
            ["residual_amount:sum"],
        )
        return {partner.id: amount for partner, amount in groups}

    @api.model
    def _statements(self, partners, company, as_of=None, contracts=None):
        """{commercial partner id: statement} of ``company`` as of ``as_of``:
        the partner's open items per contract (only ``contracts``' when
        given), their totals and the bucket totals, summed by the database
        like the report's own totals. A statement is a dict: partner,
        company, currency, as_of_date, labels ({bucket field: label}),
        groups ([{contract, lines, totals}]) and totals ({field: amount})."""
        as_of = fields.Date.to_date(as_of) if as_of else fields.Date.context_today(self)
        report = self.with_context(as_of_date=fields.Date.to_string(as_of))
        partners = partners.commercial_partner_id
        domain = [
            ("company_id", "=", company.id),
            ("partner_id", "in", partners.ids),
        ]
        if contracts is not None:
            domain.append(("contract_id", "in", contracts.ids))
        measures = ["residual_amount", "overdue_amount", *BUCKET_FIELDS]
        aggregates = [f"{field}:sum" for field in measures]
        lines = report.search(domain, order="contract_id, date_maturity, id")
        totals_by_group = {
            (partner.id, contract.id): dict(zip(measures, values, strict=True))
            for partner, contract, *values in report._read_group(
                domain, ["partner_id", "contract_id"], aggregates
            )
        }
        totals_by_partner = {
            partner.id: dict(zip(measures, values, strict=True))
            for partner, *values in report._read_group(
                domain, ["partner_id"], aggregates
            )
        }
        lines_by_group = {}
        for line in lines:
            key = (line.partner_id.id, line.contract_id.id)
            lines_by_group[key] = lines_by_group.get(key, report.browse()) | line
        empty = dict.fromkeys(measures, 0.0)
        statements = {}
        for partner in partners:
            # the contracts in the order of their lines, the items without
            # a contract last
            keys = sorted(
                (key for key in lines_by_group if key[0] == partner.id),
                key=lambda key: not key[1],
            )
            statements[partner.id] = {
                "partner": partner,
                "company": company,
                "currency": company.currency_id,
                "as_of_date": as_of,
                "labels": self.with_context(lang=partner.lang)._bucket_labels(company),
                "groups": [
                    {
                        "contract": self.env["sales.contract"].browse(key[1]),
                        "lines": lines_by_group.get(key, report.browse()),
                        "totals": totals_by_group[key],
                    }
                    for key in keys
                ],
                "totals": totals_by_partner.get(partner.id, empty),
            }
        return statements

    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action()

    def action_open_contract(self):
        self.ensure_one()
        return self.contract_id._get_records_action()
