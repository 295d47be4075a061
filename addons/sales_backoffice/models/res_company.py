from odoo import fields, models


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
