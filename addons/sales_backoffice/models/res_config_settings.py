from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    contract_expiry_reminder_days = fields.Integer(
        related="company_id.contract_expiry_reminder_days", readonly=False
    )
    milestone_lapse_days = fields.Integer(
        related="company_id.milestone_lapse_days", readonly=False
    )
    collection_due_window_days = fields.Integer(
        related="company_id.collection_due_window_days", readonly=False
    )
    # collection urging
    collection_overdue_reminder_days = fields.Integer(
        related="company_id.collection_overdue_reminder_days", readonly=False
    )
    collection_escalation_days = fields.Integer(
        related="company_id.collection_escalation_days", readonly=False
    )
    collection_reminder_max_days = fields.Integer(
        related="company_id.collection_reminder_max_days", readonly=False
    )
    collection_reminder_email = fields.Boolean(
        related="company_id.collection_reminder_email", readonly=False
    )
