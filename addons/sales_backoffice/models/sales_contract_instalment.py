from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

INSTALMENT_STATES = [
    ("planned", "Planned"),
    ("due", "Due"),
    ("partial", "Partly Collected"),
    ("collected", "Collected"),
    ("overdue", "Overdue"),
]

# context key: the plan is being saved through its contract, which checks
# the whole plan once at the end
PLAN_CHECKED_BY_CONTRACT = "sales_backoffice_plan_checked_by_contract"

# what a change to an approved plan logs on the contract
LOGGED_FIELDS = ("due_date", "amount", "user_id", "name")


class SalesContractInstalment(models.Model):
    """One instalment of a contract's collection plan: what was agreed to be
    paid by a due date. What is collected comes from the customer payments
    reconciled with the contract's invoices, allocated to the instalments
    oldest due date first."""

    _name = "sales.contract.instalment"
    _description = "Sales Contract Collection Instalment"
    _order = "contract_id, due_date, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "sales.contract", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Description")
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="contract_id.currency_id")
    partner_id = fields.Many2one(
        related="contract_id.commercial_partner_id",
        string="Customer",
        store=True,
        index=True,
    )
    contract_state = fields.Selection(
        related="contract_id.state", string="Contract Status"
    )
    district_id = fields.Many2one(related="contract_id.district_id", store=True)
    team_id = fields.Many2one(related="contract_id.team_id")
    due_date = fields.Date(required=True, index=True)
    amount = fields.Monetary(
        required=True,
        aggregator="sum",
        help="What is due by this date; the plan's instalments add up to the "
        "contract total.",
    )
    percentage = fields.Float(
        string="% of Total",
        compute="_compute_percentage",
        store=True,
        digits=(16, 2),
        aggregator=None,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.context.get("default_user_id"),
        index=True,
        help="Salesperson who collects this instalment; the contract's "
        "salesperson unless set otherwise.",
    )
    amount_collected = fields.Monetary(
        string="Collected",
        compute="_compute_amount_collected",
        store=True,
        aggregator="sum",
        help="Customer payments reconciled with the contract's invoices "
        "(on the payment's reconciliation date), allocated to the instalments "
        "oldest due date first. Credit notes lower what is owed, not the plan, "
        "and are not collections.",
    )
    amount_residual = fields.Monetary(
        string="To Collect",
        compute="_compute_amount_collected",
        store=True,
        aggregator="sum",
    )
    state = fields.Selection(
        INSTALMENT_STATES,
        string="Status",
        compute="_compute_state",
        search="_search_state",
        help="As of today. Planned: not due yet; Due: falls due within the "
        "company's reminder window; Partly Collected; Collected; Overdue: "
        "past its due date and not fully collected.",
    )
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
    partner_email = fields.Char(related="partner_id.email", string="Email")

    @api.depends("amount", "contract_id.amount_total")
    def _compute_percentage(self):
        for instalment in self:
            total = instalment.contract_id.amount_total
            instalment.percentage = instalment.amount / total * 100.0 if total else 0.0

    def _plan_key(self):
        return (
            self.due_date or fields.Date.to_date("9999-12-31"),
            self.sequence,
            self.id or 0,
        )

    @api.depends(
        "amount",
        "contract_id.amount_collected",
        "contract_id.instalment_ids.amount",
        "contract_id.instalment_ids.due_date",
        "contract_id.instalment_ids.sequence",
    )
    def _compute_amount_collected(self):
        for contract in self.contract_id:
            available = contract.amount_collected
            plan = contract.instalment_ids.sorted(lambda i: i._plan_key())
            for index, instalment in enumerate(plan):
                last = index == len(plan) - 1
                # an overpayment stays on the last instalment, visible
                # the last instalment takes what is left, an overpayment too,
                # so that the plan's collections add up to the contract's
                share = (
                    available if last else min(max(available, 0.0), instalment.amount)
                )
                instalment.amount_collected = share
                instalment.amount_residual = instalment.amount - share
                available -= share
        for instalment in self.filtered(lambda i: not i.contract_id):
            instalment.amount_collected = instalment.amount_residual = 0.0

    def _compute_state(self):
        today = fields.Date.context_today(self)
        for instalment in self:
            instalment.state = instalment._state_at(today)

    def _state_at(self, day):
        self.ensure_one()
        currency = self.currency_id or self.env.company.currency_id
        if currency.compare_amounts(self.amount_residual, 0.0) <= 0:
            return "collected"
        if self.due_date and self.due_date < day:
            return "overdue"
        if not currency.is_zero(self.amount_collected):
            return "partial"
        window = self.company_id.collection_due_window_days
        if self.due_date and (self.due_date - day).days <= window:
            return "due"
        return "planned"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the status."))
        values = {value} if isinstance(value, str) else set(value or ())
        today = fields.Date.context_today(self)
        window_end = fields.Date.add(
            today, days=self.env.company.collection_due_window_days
        )
        open_ = [("amount_residual", ">", 0.0)]
        domains = {
            "collected": [("amount_residual", "<=", 0.0)],
            "overdue": expression.AND([open_, [("due_date", "<", today)]]),
            "partial": expression.AND(
                [open_, [("due_date", ">=", today), ("amount_collected", ">", 0.0)]]
            ),
            "due": expression.AND(
                [
                    open_,
                    [
                        ("due_date", ">=", today),
                        ("due_date", "<=", window_end),
                        ("amount_collected", "<=", 0.0),
                    ],
                ]
            ),
            "planned": expression.AND(
                [
                    open_,
                    [("due_date", ">", window_end), ("amount_collected", "<=", 0.0)],
                ]
            ),
        }
        domain = expression.OR(
            [domains[v] for v in values if v in domains] or [[(0, "=", 1)]]
        )
        if operator in ("!=", "not in"):
            return ["!", *domain]
        return domain

    @api.constrains("amount", "contract_id")
    def _check_plan_total(self):
        # a plan saved with its contract is checked once, whole, there
        if not self.env.context.get(PLAN_CHECKED_BY_CONTRACT):
            self.contract_id._check_collection_plan()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("user_id") and vals.get("contract_id"):
                contract = self.env["sales.contract"].browse(vals["contract_id"])
                vals["user_id"] = contract.user_id.id
        instalments = super().create(vals_list)
        instalments._log_plan_change(
            [
                self.env._(
                    "Instalment added: %(due)s, %(amount)s",
                    due=instalment.due_date,
                    amount=instalment._format_amount(instalment.amount),
                )
                for instalment in instalments
            ]
        )
        return instalments

    def write(self, vals):
        logged = [name for name in LOGGED_FIELDS if name in vals]
        before = {
            instalment.id: {name: instalment[name] for name in logged}
            for instalment in self
        }
        res = super().write(vals)
        if logged:
            for instalment in self:
                changes = [
                    self.env._(
                        "%(field)s: %(old)s → %(new)s",
                        field=self._fields[name].get_description(self.env)["string"],
                        old=instalment._display_value(
                            name, before[instalment.id][name]
                        ),
                        new=instalment._display_value(name, instalment[name]),
                    )
                    for name in logged
                    if before[instalment.id][name] != instalment[name]
                ]
                if changes:
                    instalment._log_plan_change(
                        [
                            self.env._(
                                "Instalment due %(due)s changed: %(changes)s",
                                due=instalment.due_date,
                                changes="; ".join(changes),
                            )
                        ]
                    )
        return res

    def unlink(self):
        self._log_plan_change(
            [
                self.env._(
                    "Instalment removed: %(due)s, %(amount)s",
                    due=instalment.due_date,
                    amount=instalment._format_amount(instalment.amount),
                )
                for instalment in self
            ]
        )
        contracts = self.contract_id
        res = super().unlink()
        if not self.env.context.get(PLAN_CHECKED_BY_CONTRACT):
            contracts.exists()._check_collection_plan()
        return res

    def _display_value(self, name, value):
        if name == "user_id":
            return value.display_name or "-"
        if name == "amount":
            return self._format_amount(value)
        return str(value or "-")

    def _format_amount(self, amount):
        currency = self.currency_id or self.env.company.currency_id
        return currency.format(amount)

    def _log_plan_change(self, messages):
        """Changes to an approved contract's plan are logged on it (who and
        when come with the message)."""
        for instalment, message in zip(self, messages, strict=True):
            contract = instalment.contract_id
            if contract.state in ("draft", "to_review") or self.env.context.get(
                "sales_backoffice_plan_generation"
            ):
                continue
            contract.message_post(
                body=self.env._("Collection plan: %s", message),
                subtype_xmlid="mail.mt_note",
            )
