from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    sales_district_id = fields.Many2one(
        "sales.district",
        check_company=True,
        help="The district this sales team covers.",
    )
