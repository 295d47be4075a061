from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sales_district_id = fields.Many2one(
        "sales.district",
        ondelete="restrict",
        compute="_compute_sales_district_id",
        recursive=True,
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        help="Defaults from the customer's state or country; contracts copy "
        "it at signature, so a later change does not rewrite history.",
    )
    sales_contract_ids = fields.One2many(
        "sales.contract", "partner_id", string="Sales Contracts"
    )
    sales_contract_count = fields.Integer(compute="_compute_sales_contract_count")

    @api.depends("country_id", "state_id", "parent_id.sales_district_id")
    def _compute_sales_district_id(self):
        District = self.env["sales.district"]
        for partner in self:
            if partner.parent_id:
                partner.sales_district_id = partner.parent_id.sales_district_id
            elif partner.country_id or partner.state_id:
                found = District._find_for_address(
                    partner.country_id,
                    partner.state_id,
                    partner.company_id or self.env.company,
                )
                partner.sales_district_id = found or partner.sales_district_id
            # no address: keep what was set by hand

    def _compute_sales_contract_count(self):
        counts = dict(
            self.env["sales.contract"]._read_group(
                [("commercial_partner_id", "in", self.commercial_partner_id.ids)],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.sales_contract_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_sales_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_contract_action"
        )
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
