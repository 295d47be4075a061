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

    # receivables
    receivable_ageing_limit_1 = fields.Integer(
        related="company_id.receivable_ageing_limit_1", readonly=False
    )
    receivable_ageing_limit_2 = fields.Integer(
        related="company_id.receivable_ageing_limit_2", readonly=False
    )
    receivable_ageing_limit_3 = fields.Integer(
        related="company_id.receivable_ageing_limit_3", readonly=False
    )
    receivable_ageing_limit_4 = fields.Integer(
        related="company_id.receivable_ageing_limit_4", readonly=False
    )
    credit_hold_enabled = fields.Boolean(
        related="company_id.credit_hold_enabled", readonly=False
    )
    credit_hold_limit = fields.Monetary(
        related="company_id.credit_hold_limit", readonly=False
    )
