from odoo import api, fields, models


class SalesDistrict(models.Model):
    """A sales district: a node of the company's territory tree (region >
    province > ...). Statistics group by any level through ``parent_path``."""

    _name = "sales.district"
    _description = "Sales District"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    complete_name = fields.Char(
        compute="_compute_complete_name", recursive=True, store=True
    )
    parent_id = fields.Many2one(
        "sales.district",
        string="Parent District",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("sales.district", "parent_id", string="Sub-districts")
    level = fields.Integer(compute="_compute_level", store=True, recursive=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the district between companies.",
    )
    country_ids = fields.Many2many(
        "res.country",
        string="Countries",
        help="Customers of these countries get this district by default.",
    )
    state_ids = fields.Many2many(
        "res.country.state",
        string="States",
        help="Customers of these states get this district by default "
        "(a state match wins over a country match).",
    )
    manager_id = fields.Many2one("res.users", string="District Manager")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "A district code must be unique per company.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for district in self:
            if district.parent_id:
                district.complete_name = (
                    f"{district.parent_id.complete_name} / {district.name}"
                )
            else:
                district.complete_name = district.name

    @api.depends("parent_id.level")
    def _compute_level(self):
        for district in self:
            district.level = district.parent_id.level + 1 if district.parent_id else 1

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise models.ValidationError(
                self.env._("A district cannot be its own ancestor.")
            )

    @api.model
    def _find_for_address(self, country, state, company):
        """The most specific district matching an address: a state match
        first, then a country match, the deepest district first."""
        company_domain = [("company_id", "in", [False, company.id])]
        if state:
            district = self.search(
                [("state_ids", "in", state.id), *company_domain],
                order="level desc, id",
                limit=1,
            )
            if district:
                return district
        if country:
            return self.search(
                [("country_ids", "in", country.id), *company_domain],
                order="level desc, id",
                limit=1,
            )
        return self.browse()
