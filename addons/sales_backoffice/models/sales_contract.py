import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .sales_contract_instalment import PLAN_CHECKED_BY_CONTRACT

CONTRACT_STATES = [
    ("draft", "Draft"),
    ("to_review", "To Review"),
    ("active", "Active"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "sales_backoffice.sales_backoffice_group_manager"


class SalesContract(models.Model):
    _name = "sales.contract"
    _description = "Sales Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_signed desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    title = fields.Char(string="Subject", tracking=True)
    state = fields.Selection(
        CONTRACT_STATES,
        string="Status",
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('type', '!=', 'private'), ('company_id', 'in', (False, company_id))]",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
        string="Customer Entity",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        check_company=True,
    )
    district_id = fields.Many2one(
        "sales.district",
        string="Sales District",
        ondelete="restrict",
        compute="_compute_district_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        help="The customer's district when the contract was made. Statistics "
        "group by it, so a customer moving later does not rewrite history.",
    )
    date_signed = fields.Date(
        string="Sign Date",
        tracking=True,
        copy=False,
        help="Contracted quantities and amounts count on this date.",
    )
    date_start = fields.Date(string="Start Date", tracking=True)
    date_end = fields.Date(string="End Date", tracking=True)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        check_company=True,
        compute="_compute_payment_term_id",
        store=True,
        readonly=False,
    )
    fiscal_position_id = fields.Many2one("account.fiscal.position", check_company=True)
    line_ids = fields.One2many(
        "sales.contract.line", "contract_id", string="Lines", copy=True
    )
    milestone_ids = fields.One2many(
        "sales.contract.milestone", "contract_id", string="Milestones", copy=True
    )
    instalment_ids = fields.One2many(
        "sales.contract.instalment",
        "contract_id",
        string="Collection Plan",
        copy=False,
        help="What the customer agreed to pay and when. Generated from the "
        "payment terms on approval unless set before; the instalments add "
        "up to the contract total.",
    )
    invoice_ids = fields.One2many(
        "account.move",
        "sales_contract_id",
        string="Invoices and Credit Notes",
        readonly=True,
        copy=False,
    )
    amount_invoiced = fields.Monetary(
        string="Invoiced",
        compute="_compute_collection_amounts",
        store=True,
        help="Posted invoices minus posted credit notes (what is actually "
        "owed; a return lowers it, not the plan), on their invoice dates.",
    )
    amount_collected = fields.Monetary(
        string="Collected",
        compute="_compute_collection_amounts",
        store=True,
        help="Customer payments reconciled with the contract's invoices, "
        "net of money paid back on its credit notes. A credit note "
        "reconciled with an invoice lowers what is owed but is no collection.",
    )
    amount_outstanding = fields.Monetary(
        string="Outstanding",
        compute="_compute_collection_amounts",
        store=True,
        help="Invoiced minus collected: what the customer still owes on this "
        "contract (negative: a credit in the customer's favour).",
    )
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount", compute="_compute_amounts", store=True, tracking=True
    )
    amount_tax = fields.Monetary(string="Taxes", compute="_compute_amounts", store=True)
    amount_total = fields.Monetary(
        string="Total", compute="_compute_amounts", store=True, tracking=True
    )
    note = fields.Html(string="Terms and Conditions")
    review_note = fields.Text(string="Last Rejection Reason", readonly=True, copy=False)
    sale_order_ids = fields.One2many("sale.order", "contract_id", string="Sale Orders")
    sale_order_count = fields.Integer(compute="_compute_document_counts")
    picking_count = fields.Integer(compute="_compute_document_counts")
    invoice_count = fields.Integer(compute="_compute_document_counts")
    refund_count = fields.Integer(compute="_compute_document_counts")
    has_late_milestone = fields.Boolean(
        compute="_compute_has_late_milestone",
        search="_search_has_late_milestone",
        help="A milestone of this contract is past its due date and not reached.",
    )
    date_expiry_reminder = fields.Date(
        string="Expiry Reminder On",
        compute="_compute_date_expiry_reminder",
        store=True,
        help="The day the salesperson is reminded of the coming end date "
        "(the company's reminder delay before it).",
    )
    in_my_district = fields.Boolean(
        compute="_compute_in_my_district",
        search="_search_in_my_district",
        help="The contract's district is the current user's district or one "
        "of its sub-districts.",
    )
    expiry_reminder_date = fields.Date(
        copy=False,
        readonly=True,
        help="When the expiry reminder activity was scheduled.",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A contract number must be unique per company.",
        ),
    ]

    @api.depends("user_id", "company_id")
    def _compute_team_id(self):
        for contract in self:
            if contract.user_id and (
                not contract.team_id
                or contract.user_id not in contract.team_id.member_ids
            ):
                contract.team_id = (
                    self.env["crm.team"]
                    .with_company(contract.company_id)
                    ._get_default_team_id(user_id=contract.user_id.id)
                )

    @api.depends("partner_id")
    def _compute_district_id(self):
        for contract in self:
            partner = contract.partner_id.commercial_partner_id
            contract.district_id = (
                partner.sales_district_id
                or contract.team_id.sales_district_id
                or contract.user_id.sales_district_id
            )

    @api.depends("date_end", "company_id.contract_expiry_reminder_days")
    def _compute_date_expiry_reminder(self):
        for contract in self:
            contract.date_expiry_reminder = contract.date_end and (
                contract.date_end
                - timedelta(days=contract.company_id.contract_expiry_reminder_days)
            )

    @api.depends("partner_id")
    def _compute_payment_term_id(self):
        for contract in self:
            contract.payment_term_id = (
                contract.partner_id.with_company(
                    contract.company_id
                ).property_payment_term_id
                or contract.payment_term_id
            )

    @api.depends(
        "line_ids.price_subtotal",
        "line_ids.price_tax",
        "line_ids.price_total",
        "currency_id",
    )
    def _compute_amounts(self):
        AccountTax = self.env["account.tax"]
        for contract in self:
            base_lines = [
                line._prepare_base_line_for_taxes_computation()
                for line in contract.line_ids
            ]
            AccountTax._add_tax_details_in_base_lines(base_lines, contract.company_id)
            AccountTax._round_base_lines_tax_details(base_lines, contract.company_id)
            totals = AccountTax._get_tax_totals_summary(
                base_lines=base_lines,
                currency=contract.currency_id,
                company=contract.company_id,
            )
            contract.amount_untaxed = totals["base_amount_currency"]
            contract.amount_tax = totals["tax_amount_currency"]
            contract.amount_total = totals["total_amount_currency"]

    def _compute_document_counts(self):
        orders = self.env["sale.order"]._read_group(
            [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
        )
        order_counts = {contract.id: count for contract, count in orders}
        pickings = self.env["stock.picking"]._read_group(
            [("sale_id.contract_id", "in", self.ids)], ["sale_id"], ["__count"]
        )
        picking_counts = {}
        for order, count in pickings:
            key = order.contract_id.id
            picking_counts[key] = picking_counts.get(key, 0) + count
        invoices_by_contract = self._invoices_by_contract()
        for contract in self:
            moves = invoices_by_contract.get(contract.id, self.env["account.move"])
            contract.sale_order_count = order_counts.get(contract.id, 0)
            contract.picking_count = picking_counts.get(contract.id, 0)
            contract.invoice_count = len(
                moves.filtered(lambda m: m.move_type == "out_invoice")
            )
            contract.refund_count = len(
                moves.filtered(lambda m: m.move_type == "out_refund")
            )

    def _invoices_by_contract(self):
        """Customer invoices and refunds of each contract, reached through the
        invoice lines of the contract's sale order lines (one query)."""
        if not self.ids:
            return {}
        self.env["sale.order.line"].flush_model(["order_id", "invoice_lines"])
        self.env["sale.order"].flush_model(["contract_id"])
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["account.move"].flush_model(["move_type"])
        self.env.cr.execute(
            SQL(
                """
                SELECT so.contract_id, ARRAY_AGG(DISTINCT aml.move_id)
                  FROM sale_order so
                  JOIN sale_order_line sol ON sol.order_id = so.id
                  JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                  JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE so.contract_id IN %s
                   AND am.move_type IN ('out_invoice', 'out_refund')
              GROUP BY so.contract_id
                """,
                tuple(self.ids),
            )
        )
        AccountMove = self.env["account.move"]
        return {
            contract_id: AccountMove.browse(move_ids)
            for contract_id, move_ids in self.env.cr.fetchall()
        }

    @api.depends(
        "invoice_ids.state",
        "invoice_ids.amount_total_signed",
        "invoice_ids.line_ids.amount_residual",
    )
    def _compute_collection_amounts(self):
        invoiced = self._invoiced_by_contract()
        collected = self._collected_by_contract()
        for contract in self:
            contract.amount_invoiced = invoiced.get(contract.id, 0.0)
            contract.amount_collected = collected.get(contract.id, 0.0)
            contract.amount_outstanding = (
                contract.amount_invoiced - contract.amount_collected
            )

    def _invoiced_by_contract(self):
        contracts = self.filtered("id")
        if not contracts:
            return {}
        rows = self.env["account.move"]._read_group(
            [
                ("sales_contract_id", "in", contracts.ids),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ],
            ["sales_contract_id"],
            ["amount_total_signed:sum"],
        )
        return {contract.id: amount for contract, amount in rows}

    def _collected_by_contract(self):
        """What the collection ledger counts as collected on each contract
        (payments reconciled with its invoices, net of money paid back on
        its credit notes), one query."""
        contracts = self.filtered("id")
        if not contracts:
            return {}
        Ledger = self.env["sales.collection.ledger.report"]
        for model, names in Ledger._depends.items():
            if model.startswith("account."):
                self.env[model].flush_model(names)
        self.env.cr.execute(
            SQL(
                """
                SELECT col.contract_id, SUM(col.amount)
                  FROM (%(collections)s) col
                 WHERE col.contract_id IN %(contracts)s
              GROUP BY col.contract_id
                """,
                collections=Ledger._collections_query(),
                contracts=tuple(contracts.ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _compute_in_my_district(self):
        mine = self.env.user.sales_district_id
        for contract in self:
            contract.in_my_district = (
                bool(mine)
                and bool(contract.district_id.parent_path or "")
                and contract.district_id.parent_path.startswith(mine.parent_path)
            )

    def _search_in_my_district(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on the district."))
        mine = self.env.user.sales_district_id
        positive = (operator == "=") == bool(value)
        if not mine:
            return [(0, "=", 1)] if positive else []
        domain = [("district_id", "child_of", mine.id)]
        return domain if positive else ["!", *domain]

    def _paid_amount_by_contract(self):
        """Amount paid on each contract's posted invoices, net of refunds:
        sum of signed (total - residual). A refund reconciled with an
        invoice lowers both sides and so is not counted as paid."""
        paid = {}
        for contract_id, moves in self._invoices_by_contract().items():
            posted = moves.filtered(lambda m: m.state == "posted")
            paid[contract_id] = sum(
                m.amount_total_signed - m.amount_residual_signed for m in posted
            )
        return paid

    def _compute_has_late_milestone(self):
        late = self.milestone_ids.filtered(lambda m: m.state in ("late", "lapsed"))
        for contract in self:
            contract.has_late_milestone = bool(late & contract.milestone_ids)

    def _search_has_late_milestone(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on late milestones."))
        milestones = self.env["sales.contract.milestone"].search(
            [("state", "in", ("late", "lapsed"))]
        )
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", milestones.contract_id.ids)]

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if (
                contract.date_start
                and contract.date_end
                and contract.date_end < contract.date_start
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s ends on %(end)s, before it starts "
                        "on %(start)s. Set an end date on or after the start date.",
                        contract=contract.display_name,
                        end=contract.date_end,
                        start=contract.date_start,
                    )
                )

    @api.constrains("state", "date_signed")
    def _check_date_signed(self):
        for contract in self:
            if contract.state in ("active", "done") and not contract.date_signed:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s is %(state)s but has no sign date: "
                        "give the date it was signed.",
                        contract=contract.display_name,
                        state=dict(CONTRACT_STATES)[contract.state],
                    )
                )

    @api.constrains("currency_id", "company_id")
    def _check_currency(self):
        for contract in self:
            if contract.currency_id != contract.company_id.currency_id:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s is in %(currency)s, but its "
                        "company %(company)s keeps its books in %(company_currency)s. "
                        "Contracts are kept in the company's currency.",
                        contract=contract.display_name,
                        currency=contract.currency_id.name,
                        company=contract.company_id.name,
                        company_currency=contract.company_id.currency_id.name,
                    )
                )

    @api.constrains("instalment_ids")
    def _check_collection_plan(self):
        for contract in self.filtered("instalment_ids"):
            planned = sum(contract.instalment_ids.mapped("amount"))
            if contract.currency_id.compare_amounts(planned, contract.amount_total):
                raise ValidationError(
                    self.env._(
                        "The collection plan of contract %(contract)s adds up to "
                        "%(planned)s but the contract total is %(total)s: change "
                        "the instalments' amounts so that they add up to the "
                        "total.",
                        contract=contract.display_name,
                        planned=contract.currency_id.format(planned),
                        total=contract.currency_id.format(contract.amount_total),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "draft") != "draft" and not self.env.su:
                raise UserError(
                    self.env._(
                        "A new contract starts as a draft; it is then submitted "
                        "for review and approved by a Back Office Manager."
                    )
                )
            if vals.get("name", self.env._("New")) == self.env._("New"):
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = self.env["ir.sequence"].with_company(
                    company
                ).next_by_code("sales.contract") or self.env._("New")
        if any("instalment_ids" in vals for vals in vals_list):
            self = self.with_context(**{PLAN_CHECKED_BY_CONTRACT: True})  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        # the access rules and Odoo's own checks speak first
        locked = self.filtered(lambda c: c.state not in ("draft", "to_review"))
        if "instalment_ids" in vals:
            self = self.with_context(**{PLAN_CHECKED_BY_CONTRACT: True})  # noqa: PLW0642
        res = super().write(vals)
        if self.env.su:
            return res
        if "state" in vals:
            raise UserError(
                self.env._(
                    "A contract's status changes through its buttons (Submit "
                    "for Review, Approve, Close, Cancel), not by editing or "
                    "importing it."
                )
            )
        frozen = set(vals) & self._fields_frozen_after_approval()
        if locked and frozen:
            raise UserError(
                self.env._(
                    "Contract %(contracts)s is approved: %(fields)s can no longer "
                    "change. Cancel it and reset it to draft to amend it.",
                    contracts=", ".join(locked.mapped("display_name")),
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"]
                        for name in sorted(frozen)
                    ),
                )
            )
        return res

    def _rescale_collection_plan(self, old_totals):
        """Lines changed before approval: the plan keeps its shares of the
        new total, the last instalment taking the rounding difference."""
        for contract in self.filtered("instalment_ids"):
            if contract.id not in old_totals:
                continue
            old_total = old_totals[contract.id]
            if not contract.currency_id.compare_amounts(
                old_total, contract.amount_total
            ):
                continue
            plan = contract.instalment_ids.sorted(lambda i: i._plan_key())
            new_amounts = [
                contract.currency_id.round(
                    i.amount * contract.amount_total / old_total
                    if old_total
                    else contract.amount_total / len(plan)
                )
                for i in plan
            ]
            new_amounts[-1] = contract.currency_id.round(
                contract.amount_total - sum(new_amounts[:-1])
            )
            contract.with_context(sales_backoffice_plan_generation=True).write(
                {
                    "instalment_ids": [
                        Command.update(instalment.id, {"amount": amount})
                        for instalment, amount in zip(plan, new_amounts, strict=True)
                    ]
                }
            )
            contract._check_collection_plan()

    def _check_lines_editable(self):
        locked = self.filtered(lambda c: c.state not in ("draft", "to_review"))
        if locked and not self.env.su:
            raise UserError(
                self.env._(
                    "Contract %(contracts)s is approved: its lines can no longer "
                    "change. Cancel it and reset it to draft to amend it.",
                    contracts=", ".join(locked.mapped("display_name")),
                )
            )

    def _write_state(self, vals):
        """The workflow buttons' own write, past the editing guard above."""
        return super().write(vals)

    def _fields_frozen_after_approval(self):
        return {
            "partner_id",
            "date_signed",
            "district_id",
            "company_id",
            "currency_id",
            "line_ids",
        }

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft_or_cancel(self):
        for contract in self:
            if contract.sale_order_ids.filtered(lambda o: o.state != "cancel"):
                raise UserError(
                    self.env._(
                        "Contract %(contract)s has orders: cancel them first, or "
                        "keep the contract cancelled.",
                        contract=contract.display_name,
                    )
                )
            if contract.state not in ("draft", "cancel"):
                raise UserError(
                    self.env._(
                        "Contract %(contract)s is %(state)s: only draft or "
                        "cancelled contracts can be deleted. Cancel it first.",
                        contract=contract.display_name,
                        state=dict(CONTRACT_STATES)[contract.state],
                    )
                )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _check_manager(self, message):
        """``message``: the whole translated sentence, so that translators
        see it whole."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(message)

    def _check_state(self, allowed, action):
        for contract in self:
            if contract.state not in allowed:
                raise UserError(
                    self.env._(
                        "Contract %(contract)s is %(state)s and cannot be %(action)s.",
                        contract=contract.display_name,
                        state=dict(CONTRACT_STATES)[contract.state],
                        action=action,
                    )
                )

    def action_submit(self):
        self._check_state(("draft",), self.env._("submitted for review"))
        for contract in self:
            if not contract.line_ids:
                raise UserError(
                    self.env._(
                        "Contract %(contract)s has no lines: add what was "
                        "contracted before submitting it for review.",
                        contract=contract.display_name,
                    )
                )
        self._write_state({"state": "to_review"})
        managers = self._review_managers()
        activity_type = self.env.ref(
            "sales_backoffice.mail_activity_type_contract_review"
        )
        for contract in self:
            for manager in managers.filtered(
                lambda u, c=contract: c.company_id in u.company_ids
            ):
                contract.activity_schedule(
                    activity_type_id=activity_type.id,
                    user_id=manager.id,
                    summary=self.env._("Review contract %s", contract.name),
                )
        return True

    def _review_managers(self):
        return (
            self.env.ref(MANAGER_GROUP)
            .sudo()
            .users.filtered(lambda u: not u.share and u.active)
        )

    def action_approve(self):
        self._check_manager(
            self.env._("Only a Back Office Manager can approve a contract.")
        )
        self._check_state(("to_review",), self.env._("approved"))
        for contract in self:
            contract._write_state(
                {
                    "state": "active",
                    "date_signed": contract.date_signed
                    or fields.Date.context_today(contract),
                }
            )
        self.filtered(lambda c: not c.instalment_ids)._generate_collection_plan()
        self._close_review_activities(feedback=self.env._("Approved"))
        return True

    def action_generate_collection_plan(self):
        """Replace the plan by the instalments of the payment terms."""
        contracts = self.filtered(lambda c: c.state not in ("done", "cancel"))
        contracts._generate_collection_plan()
        return True

    def _generate_collection_plan(self):
        """One instalment per line of the payment terms (one, due on the
        sign date, without terms), counted from the sign date (today before
        signature). An existing plan is updated in place, instalment by
        instalment, so that what was sent about it (reminders) stays with
        the instalments that did not change."""
        for contract in self:
            date_ref = contract.date_signed or fields.Date.context_today(contract)
            values = contract._collection_plan_values(date_ref)
            current = contract.instalment_ids.sorted(lambda i: i._plan_key())
            changed = len(current) != len(values) or any(
                instalment.due_date != vals["due_date"]
                or contract.currency_id.compare_amounts(
                    instalment.amount, vals["amount"]
                )
                for instalment, vals in zip(current, values, strict=False)
            )
            if not changed:
                continue
            if current and contract.state not in ("draft", "to_review"):
                contract.message_post(
                    body=self.env._(
                        "Collection plan regenerated from the payment terms %s.",
                        contract.payment_term_id.display_name
                        or self.env._("(none: one instalment of the total)"),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            commands = [
                Command.update(
                    instalment.id,
                    {k: v for k, v in vals.items() if k in ("due_date", "amount")},
                )
                for instalment, vals in zip(current, values, strict=False)
            ]
            commands += [Command.create(vals) for vals in values[len(current) :]]
            commands += [Command.delete(i.id) for i in current[len(values) :]]
            contract.with_context(sales_backoffice_plan_generation=True).write(
                {"instalment_ids": commands}
            )

    def _collection_plan_values(self, date_ref):
        self.ensure_one()
        total = self.amount_total
        terms = []
        if self.payment_term_id and total:
            sign = 1 if total >= 0 else -1
            computed = self.payment_term_id._compute_terms(
                date_ref=date_ref,
                currency=self.currency_id,
                company=self.company_id,
                tax_amount=self.amount_tax,
                tax_amount_currency=self.amount_tax,
                sign=sign,
                untaxed_amount=self.amount_untaxed,
                untaxed_amount_currency=self.amount_untaxed,
            )
            terms = [
                (term["date"], term["foreign_amount"]) for term in computed["line_ids"]
            ]
        if not terms:
            terms = [(date_ref, total)]
        values = []
        allotted = 0.0
        for index, (due_date, amount) in enumerate(terms, start=1):
            if index == len(terms):
                amount = self.currency_id.round(total - allotted)
            allotted += amount
            values.append(
                {
                    "contract_id": self.id,
                    "sequence": index * 10,
                    "name": self.env._("Instalment %s", index),
                    "due_date": due_date,
                    "amount": amount,
                    "user_id": self.user_id.id,
                }
            )
        return values

    def action_reject(self, reason):
        self._check_manager(
            self.env._("Only a Back Office Manager can reject a contract.")
        )
        self._check_state(("to_review",), self.env._("rejected"))
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for the rejection."))
        self._write_state({"state": "draft", "review_note": reason})
        for contract in self:
            contract.message_post(
                body=self.env._("Rejected: %s", reason),
                subtype_xmlid="mail.mt_note",
            )
        self._close_review_activities(feedback=self.env._("Rejected: %s", reason))
        return True

    def action_open_reject_wizard(self):
        self.ensure_one()
        self._check_manager(
            self.env._("Only a Back Office Manager can reject a contract.")
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Contract"),
            "res_model": "sales.contract.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def _close_review_activities(self, feedback):
        self.activity_feedback(
            ["sales_backoffice.mail_activity_type_contract_review"], feedback=feedback
        )

    def action_done(self):
        self._check_state(("active",), self.env._("closed"))
        self._write_state({"state": "done"})
        return True

    def action_cancel(self):
        self._check_manager(
            self.env._("Only a Back Office Manager can cancel a contract.")
        )
        self._check_state(("draft", "to_review", "active"), self.env._("cancelled"))
        self._write_state({"state": "cancel"})
        self.activity_unlink(["sales_backoffice.mail_activity_type_contract_review"])
        return True

    def action_draft(self):
        self._check_state(("cancel",), self.env._("reset to draft"))
        self._write_state({"state": "draft"})
        return True

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------

    def _check_executable(self):
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._(
                        "Contract %(contract)s is %(state)s: orders are made only "
                        "from active (approved) contracts.",
                        contract=contract.display_name,
                        state=dict(CONTRACT_STATES)[contract.state],
                    )
                )

    def action_open_order_wizard(self):
        self.ensure_one()
        self._check_executable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Order from Contract"),
            "res_model": "sales.contract.order.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def action_open_attach_wizard(self):
        self.ensure_one()
        self._check_executable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Attach Existing Orders"),
            "res_model": "sales.contract.attach.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def _prepare_sale_order_values(self):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id,
            "team_id": self.team_id.id,
            "payment_term_id": self.payment_term_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "contract_id": self.id,
            "origin": self.name,
        }

    def _log_overrun_approval(self, order_lines):
        """Leave the manager's overrun approval on the contract's chatter."""
        for contract in order_lines.contract_line_id.contract_id:
            lines = order_lines.filtered(
                lambda line, c=contract: line.contract_line_id.contract_id == c
            )
            details = ", ".join(
                self.env._(
                    "%(product)s: %(ordered)s ordered, %(contracted)s contracted",
                    product=line.contract_line_id.product_id.display_name,
                    ordered=line.contract_line_id.qty_ordered_all,
                    contracted=line.contract_line_id.product_uom_qty,
                )
                for line in lines
            )
            contract.message_post(
                body=self.env._(
                    "%(user)s approved ordering beyond the contract on %(orders)s "
                    "(%(details)s).",
                    user=self.env.user.name,
                    orders=", ".join(lines.order_id.mapped("name")),
                    details=details,
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------

    def action_view_sale_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.action_picking_tree_all"
        )
        action["domain"] = [("sale_id.contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _action_view_moves(self, move_type):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
            if move_type == "out_invoice"
            else "account.action_move_out_refund_type"
        )
        moves = self._invoices_by_contract().get(self.id, self.env["account.move"])
        action["domain"] = [
            ("id", "in", moves.ids),
            ("move_type", "=", move_type),
        ]
        action["context"] = {"create": False}
        return action

    def action_view_invoices(self):
        return self._action_view_moves("out_invoice")

    def action_view_refunds(self):
        return self._action_view_moves("out_refund")

    def action_view_performance(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_contract_line_performance_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["display_name"] = self.env._("Performance of %s", self.name)
        return action

    def action_send_performance(self):
        """Open the composer with the performance list attached, to feed the
        contract's execution back to the customer."""
        self.ensure_one()
        template = self.env.ref("sales_backoffice.mail_template_contract_performance")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Performance List"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "sales.contract",
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
            },
        }

    # ------------------------------------------------------------------
    # Scheduled jobs
    # ------------------------------------------------------------------

    @api.model
    def _cron_expiry_reminder(self, batch_size=500):
        """Schedule an expiry activity for active contracts whose reminder day
        has come. Works in chunks: the cron runner commits each chunk and
        calls again while work remains; one failing contract is skipped."""
        today = fields.Date.context_today(self)
        activity_type = self.env.ref(
            "sales_backoffice.mail_activity_type_contract_expiry"
        )
        domain = [
            ("state", "=", "active"),
            ("date_expiry_reminder", "<=", today),
            ("expiry_reminder_date", "=", False),
        ]
        contracts = self.search(domain, limit=batch_size)
        done = 0
        for contract in contracts:
            try:
                with self.env.cr.savepoint():
                    contract.activity_schedule(
                        activity_type_id=activity_type.id,
                        user_id=(contract.user_id or self.env.user).id,
                        date_deadline=max(contract.date_end, today),
                        summary=self.env._(
                            "Contract %(contract)s ends on %(date)s",
                            contract=contract.name,
                            date=contract.date_end,
                        ),
                    )
                    contract.expiry_reminder_date = today
                done += 1
            except Exception:  # noqa: BLE001 - one bad record must not stop the job
                _logger.exception("Expiry reminder failed for %s", contract.name)
                contract.expiry_reminder_date = today
        remaining = self.search_count(domain) if len(contracts) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------

    def _demo_execute(self, order_ratio=1.0, deliver_ratio=1.0, invoice=True):
        """Used by the demo data only: order, deliver and invoice a share of
        each line, through Odoo's standard flows, dated a week, two weeks and
        two weeks and a day after the sign date (never after today)."""
        today = fields.Date.context_today(self)
        for contract in self:
            signed = contract.date_signed or today

            def day(offset, signed=signed):
                return min(signed + timedelta(days=offset), today)

            values = contract._prepare_sale_order_values()
            values["order_line"] = [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "name": line.name,
                        "product_uom_qty": line.product_uom_qty * order_ratio,
                        "product_uom": line.product_uom_id.id,
                        "price_unit": line.price_unit,
                        "discount": line.discount,
                        "tax_id": [Command.set(line.tax_ids.ids)],
                        "contract_line_id": line.id,
                    }
                )
                for line in contract.line_ids
            ]
            order = self.env["sale.order"].create(values)
            order.action_confirm()
            order.date_order = fields.Datetime.to_datetime(day(7)) + timedelta(hours=9)
            pickings = order.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            )
            if deliver_ratio and pickings:
                for move in pickings.move_ids:
                    move.quantity = move.product_uom_qty * deliver_ratio
                    move.picked = True
                pickings.with_context(cancel_backorder=False)._action_done()
                done_at = fields.Datetime.to_datetime(day(14)) + timedelta(hours=12)
                pickings.write({"date_done": done_at})
                pickings.move_ids.write({"date": done_at})
                pickings.move_ids.move_line_ids.write({"date": done_at})
            if invoice and deliver_ratio:
                invoices = order._create_invoices()
                invoices.write({"invoice_date": day(15)})
                # back-dated: without payment terms due on its own date,
                # not on the day the demo data was loaded
                invoices.filtered(lambda m: not m.invoice_payment_term_id).write(
                    {"invoice_date_due": day(15)}
                )
                invoices.action_post()

    def _demo_collect(self, ratio=1.0):
        """Used by the demo data only: the customer pays ``ratio`` of each
        posted invoice of the contract ten days after its date (never after
        today), through Odoo's payment wizard."""
        today = fields.Date.context_today(self)
        for invoice in self.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        ):
            amount = invoice.currency_id.round(invoice.amount_residual * ratio)
            if invoice.currency_id.is_zero(amount):
                continue
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {
                    "amount": amount,
                    "payment_date": min(
                        invoice.invoice_date + timedelta(days=10), today
                    ),
                }
            )._create_payments()

    # ------------------------------------------------------------------
    # Receivables
    # ------------------------------------------------------------------

    def action_view_receivables(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_receivable_ageing_report_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["display_name"] = self.env._("Receivables of %s", self.name)
        return action

    def action_send_payment_reminder(self):
        """Mail the customer a payment reminder with the statement of account
        of this contract, logged in the contract's chatter."""
        self.ensure_one()
        statement = self.env["sales.receivable.ageing.report"]._statements(
            self.partner_id, self.company_id, contracts=self
        )[self.commercial_partner_id.id]
        self.commercial_partner_id.with_company(
            self.company_id
        )._check_payment_reminder(statement["totals"], recipient=self.partner_id)
        template = self.env.ref(
            "sales_backoffice.mail_template_contract_payment_reminder"
        )
        self.with_context(mail_notify_force_send=False).message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )
        return True
