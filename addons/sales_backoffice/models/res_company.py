from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.ageing import DEFAULT_LIMITS, check_limits


class ResCompany(models.Model):
    _inherit = "res.company"

    contract_expiry_reminder_days = fields.Integer(
        string="Contract Expiry Reminder (days)",
        default=30,
        help="How many days before a contract's end date its salesperson "
        "gets an activity reminding them of the expiry.",
    )
    milestone_lapse_days = fields.Integer(
        string="Milestone Lapse Delay (days)",
        default=30,
        help="A late milestone lapses this many days after its due date; "
        "the daily job then schedules an activity for the salesperson.",
    )
    collection_due_window_days = fields.Integer(
        string="Instalment Due Window (days)",
        default=7,
        help="An instalment is shown as Due (and its salesperson reminded) "
        "from this many days before its due date.",
    )

    # receivables: ageing buckets and credit hold
    receivable_ageing_limit_1 = fields.Integer(
        string="Ageing Bucket 1 (days)",
        default=DEFAULT_LIMITS[0],
        help="Last day overdue of the first ageing bucket (1 to this).",
    )
    receivable_ageing_limit_2 = fields.Integer(
        string="Ageing Bucket 2 (days)", default=DEFAULT_LIMITS[1]
    )
    receivable_ageing_limit_3 = fields.Integer(
        string="Ageing Bucket 3 (days)", default=DEFAULT_LIMITS[2]
    )
    receivable_ageing_limit_4 = fields.Integer(
        string="Ageing Bucket 4 (days)",
        default=DEFAULT_LIMITS[3],
        help="Last day overdue of the fourth ageing bucket; the fifth is "
        "everything overdue longer.",
    )
    credit_hold_enabled = fields.Boolean(
        string="Credit Hold",
        help="Refuse confirming a sale order for a customer whose overdue "
        "amount is above the credit hold limit, unless a Back Office Manager "
        "overrides it on the order.",
    )
    credit_hold_limit = fields.Monetary(
        currency_field="currency_id",
        help="Overdue amount (company currency) a customer may have and still "
        "get new orders confirmed.",
    )

    @api.constrains(
        "contract_expiry_reminder_days",
        "milestone_lapse_days",
        "collection_due_window_days",
    )
    def _check_backoffice_delays(self):
        for company in self:
            if (
                min(
                    company.contract_expiry_reminder_days,
                    company.milestone_lapse_days,
                    company.collection_due_window_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The contract expiry reminder, the milestone lapse delay "
                        "and the instalment due window are numbers of days: zero "
                        "or more."
                    )
                )

    def _receivable_ageing_limits(self):
        self.ensure_one()
        return (
            self.receivable_ageing_limit_1,
            self.receivable_ageing_limit_2,
            self.receivable_ageing_limit_3,
            self.receivable_ageing_limit_4,
        )

    @api.constrains(
        "receivable_ageing_limit_1",
        "receivable_ageing_limit_2",
        "receivable_ageing_limit_3",
        "receivable_ageing_limit_4",
    )
    def _check_receivable_ageing_limits(self):
        for company in self:
            if not check_limits(company._receivable_ageing_limits()):
                raise ValidationError(
                    self.env._(
                        "The ageing buckets of %(company)s end after %(limits)s "
                        "days: give four increasing numbers of days, the first "
                        "1 or more (for example 30, 60, 90, 180).",
                        company=company.name,
                        limits=", ".join(
                            str(limit) for limit in company._receivable_ageing_limits()
                        ),
                    )
                )

    @api.constrains("credit_hold_limit")
    def _check_credit_hold_limit(self):
        for company in self:
            if company.credit_hold_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The credit hold limit of %(company)s is negative: give "
                        "the overdue amount a customer may have, zero or more.",
                        company=company.name,
                    )
                )
