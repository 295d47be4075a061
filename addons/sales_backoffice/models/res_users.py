from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    sales_district_id = fields.Many2one(
        "sales.district",
        help="The district this salesperson works in.",
    )
