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
