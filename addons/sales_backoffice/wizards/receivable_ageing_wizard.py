from odoo import fields, models


class ReceivableAgeingWizard(models.TransientModel):
    """Choose the as-of date of the receivable ageing, then show it or print
    the customers' statements of account at that date."""

    _name = "sales.receivable.ageing.wizard"
    _description = "Receivable Ageing as of a Date"

    as_of_date = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="A payment made after this date does not count at it.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="Leave empty for every customer.",
    )
    contract_ids = fields.Many2many(
        "sales.contract",
        string="Contracts",
        help="Leave empty for every contract (and the items without one).",
    )
    overdue_only = fields.Boolean()

    def _report_domain(self):
        self.ensure_one()
        domain = []
        if self.partner_ids:
            domain.append(
                ("partner_id", "in", self.partner_ids.commercial_partner_id.ids)
            )
        if self.contract_ids:
            domain.append(("contract_id", "in", self.contract_ids.ids))
        return domain

    def action_show(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_receivable_ageing_report_action"
        )
        action["domain"] = self._report_domain()
        action["context"] = {
            "as_of_date": fields.Date.to_string(self.as_of_date),
            "search_default_filter_overdue": int(self.overdue_only),
        }
        action["display_name"] = self.env._(
            "%(name)s as of %(date)s",
            name=action.get("display_name") or action["name"],
            date=self.as_of_date,
        )
        return action

    def action_show_per_contract(self):
        self.ensure_one()
        action = self.action_show()
        per_contract = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_receivable_contract_report_action"
        )
        per_contract["domain"] = action["domain"]
        per_contract["context"] = {
            "as_of_date": action["context"]["as_of_date"],
            "search_default_filter_outstanding": 1,
            "search_default_filter_overdue": int(self.overdue_only),
        }
        per_contract["display_name"] = self.env._(
            "%(name)s as of %(date)s",
            name=per_contract["name"],
            date=self.as_of_date,
        )
        return per_contract

    def action_print_statements(self):
        """The statements of the chosen customers, or of every customer with
        an item open at the date."""
        self.ensure_one()
        partners = self.partner_ids.commercial_partner_id
        if not partners:
            Ageing = self.env["sales.receivable.ageing.report"].with_context(
                as_of_date=fields.Date.to_string(self.as_of_date)
            )
            groups = Ageing._read_group(
                [("company_id", "=", self.env.company.id), *self._report_domain()],
                ["partner_id"],
            )
            partners = self.env["res.partner"].union(
                *(partner for (partner,) in groups)
            )
        return self.env.ref(
            "sales_backoffice.action_report_customer_statement"
        ).report_action(
            partners,
            data={
                "as_of_date": fields.Date.to_string(self.as_of_date),
                # the client does not send the ids of a report with data
                "partner_ids": partners.ids,
            },
        )
