import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

_logger = logging.getLogger(__name__)

MILESTONE_STATES = [
    ("pending", "Pending"),
    ("done", "Done"),
    ("late", "Late"),
    ("lapsed", "Lapsed"),
]


class SalesContractMilestone(models.Model):
    """A dated commitment of a contract: deliver a quantity (or a value) or
    be paid an amount by a due date. Its status is read from the real
    documents (done moves, posted invoices and their payments)."""

    _name = "sales.contract.milestone"
    _description = "Sales Contract Milestone"
    _order = "date_due, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "sales.contract", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="contract_id.currency_id")
    name = fields.Char(string="Description", required=True)
    milestone_type = fields.Selection(
        [("delivery", "Delivery"), ("payment", "Payment")],
        string="Type",
        required=True,
        default="delivery",
    )
    date_due = fields.Date(string="Due Date", required=True)
    contract_line_id = fields.Many2one(
        "sales.contract.line",
        domain="[('contract_id', '=', contract_id)]",
        help="For a delivery milestone in quantity: the line whose net "
        "delivered quantity must reach the target.",
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        help="Net delivered quantity of the contract line to reach.",
    )
    amount = fields.Monetary(
        help="Delivery milestone without a line: net delivered value (untaxed) "
        "to reach. Payment milestone: amount paid on the contract's invoices "
        "to reach.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
    )
    achieved = fields.Float(
        compute="_compute_state",
        help="What the documents show so far, in the milestone's unit "
        "(quantity for a line, amount otherwise).",
    )
    target = fields.Float(compute="_compute_state")
    state = fields.Selection(
        MILESTONE_STATES,
        string="Status",
        compute="_compute_state",
        search="_search_state",
    )
    lapse_checked_date = fields.Date(readonly=True, copy=False)
    lapsed_date = fields.Date(
        readonly=True,
        copy=False,
        help="When the daily job found the milestone lapsed.",
    )

    @api.constrains("milestone_type", "contract_line_id", "quantity", "amount")
    def _check_target(self):
        for milestone in self:
            if milestone.milestone_type == "delivery" and milestone.contract_line_id:
                if milestone.quantity <= 0:
                    raise ValidationError(
                        self.env._(
                            "Milestone %(name)s: give the quantity to deliver "
                            "(more than zero).",
                            name=milestone.name,
                        )
                    )
            elif milestone.amount <= 0:
                raise ValidationError(
                    self.env._(
                        "Milestone %(name)s: give the amount to reach (more than "
                        "zero), or for a delivery milestone choose a contract line "
                        "and a quantity.",
                        name=milestone.name,
                    )
                )

    def _achieved_by_milestone(self):
        """What was reached for each milestone, from the documents, in a
        constant number of queries for the whole recordset."""
        result = {}
        delivery = self.filtered(lambda m: m.milestone_type == "delivery")
        if delivery:
            perf = self.env["sales.contract.line.performance"].search_read(
                [("contract_id", "in", delivery.contract_id.ids)],
                [
                    "contract_id",
                    "qty_delivered",
                    "qty_returned",
                    "amount_delivered",
                    "amount_returned",
                ],
            )
            by_line = {row["id"]: row for row in perf}
            by_contract = {}
            for row in perf:
                value = row["amount_delivered"] - row["amount_returned"]
                key = row["contract_id"][0]
                by_contract[key] = by_contract.get(key, 0.0) + value
            for milestone in delivery:
                if milestone.contract_line_id:
                    row = by_line.get(milestone.contract_line_id.id, {})
                    result[milestone.id] = row.get("qty_delivered", 0.0) - row.get(
                        "qty_returned", 0.0
                    )
                else:
                    result[milestone.id] = by_contract.get(
                        milestone.contract_id.id, 0.0
                    )
        payment = self - delivery
        if payment:
            paid = payment.contract_id._paid_amount_by_contract()
            for milestone in payment:
                result[milestone.id] = paid.get(milestone.contract_id.id, 0.0)
        return result

    @api.depends(
        "milestone_type",
        "date_due",
        "quantity",
        "amount",
        "lapsed_date",
        "contract_id.state",
    )
    @api.depends_context("performance_date")
    def _compute_state(self):
        # as of the performance list's date when printing one, else today
        today = self.env["sales.contract.line.performance"]._as_of_date()
        achieved = self._achieved_by_milestone()
        for milestone in self:
            target = (
                milestone.quantity
                if milestone.milestone_type == "delivery" and milestone.contract_line_id
                else milestone.amount
            )
            milestone.target = target
            milestone.achieved = achieved.get(milestone.id, 0.0)
            if target and milestone.achieved >= target - 1e-6:
                milestone.state = "done"
            elif milestone.contract_id.state not in ("active", "done"):
                # a contract not (or no longer) executed has nothing late
                milestone.state = "pending"
            elif milestone.lapsed_date and milestone.lapsed_date <= today:
                milestone.state = "lapsed"
            elif milestone.date_due and milestone.date_due < today:
                milestone.state = "late"
            else:
                milestone.state = "pending"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise ValidationError(self.env._("Unsupported search on milestone status."))
        values = {value} if isinstance(value, str) else set(value)
        today = fields.Date.context_today(self)
        # only milestones due in the past can be late or lapsed; compute the rest
        candidates = self.search(
            [("contract_id.state", "in", ("active", "done"))]
            if values & {"late", "lapsed", "done"} and not values & {"pending"}
            else []
        )
        if values <= {"late", "lapsed"}:
            candidates = candidates.filtered(lambda m: m.date_due < today)
        matching = candidates.filtered(lambda m: m.state in values)
        positive = operator in ("=", "in")
        return [("id", "in" if positive else "not in", matching.ids)]

    @api.model
    def _cron_mark_lapsed(self, batch_size=500):
        """Mark milestones lapsed once late beyond their company's delay and
        schedule an activity for the contract's salesperson.

        Chunked and resumable: each call checks at most ``batch_size``
        milestones not yet checked today and stamps them, the cron runner
        commits and calls again while some remain; one failing record is
        logged and skipped."""
        today = fields.Date.context_today(self)
        activity_type = self.env.ref(
            "sales_backoffice.mail_activity_type_milestone_lapsed"
        )
        overdue = [
            [
                ("company_id", "=", company.id),
                ("date_due", "<", today - timedelta(days=company.milestone_lapse_days)),
            ]
            for company in self.env["res.company"].search([])
        ]
        domain = expression.AND(
            [
                [
                    ("lapsed_date", "=", False),
                    ("contract_id.state", "=", "active"),
                    "|",
                    ("lapse_checked_date", "=", False),
                    ("lapse_checked_date", "<", today),
                ],
                expression.OR(overdue) if overdue else expression.FALSE_DOMAIN,
            ]
        )
        milestones = self.search(domain, limit=batch_size, order="id")
        lapsed = self.browse()
        for milestone in milestones:
            try:
                with self.env.cr.savepoint():
                    if milestone.state == "late":
                        milestone._mark_lapsed(activity_type, today)
                        lapsed |= milestone
            except Exception:  # noqa: BLE001 - one bad record must not stop the job
                _logger.exception("Could not mark milestone %s lapsed", milestone.id)
        milestones.lapse_checked_date = today
        remaining = self.search_count(domain) if len(milestones) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(milestones), remaining=remaining)
        return lapsed

    def _mark_lapsed(self, activity_type, today):
        self.ensure_one()
        self.lapsed_date = today
        contract = self.contract_id
        contract.activity_schedule(
            activity_type_id=activity_type.id,
            user_id=(contract.user_id or self.user_id or self.env.user).id,
            summary=self.env._(
                "Milestone lapsed: %(name)s (due %(date)s)",
                name=self.name,
                date=self.date_due,
            ),
        )
        contract.message_post(
            body=self.env._(
                "Milestone %(name)s, due %(date)s, has lapsed: %(achieved)s of "
                "%(target)s reached.",
                name=self.name,
                date=self.date_due,
                achieved=self.achieved,
                target=self.target,
            ),
            subtype_xmlid="mail.mt_note",
        )
