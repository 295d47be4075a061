from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
