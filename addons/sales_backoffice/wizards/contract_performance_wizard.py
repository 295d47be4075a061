from odoo import fields, models


class ContractPerformanceWizard(models.TransientModel):
    """Choose the as-of date of a performance list, then show or print it."""

    _name = "sales.contract.performance.wizard"
    _description = "Contract Performance as of a Date"

    contract_ids = fields.Many2many(
        "sales.contract",
        string="Contracts",
        help="Leave empty to list every contract.",
    )
    performance_date = fields.Date(
        string="As of", required=True, default=fields.Date.context_today
    )

    def action_show(self):
        self.ensure_one()
        if len(self.contract_ids) == 1:
            action = self.contract_ids.with_context(
                performance_date=self.performance_date
            ).action_view_performance()
        else:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "sales_backoffice.sales_contract_performance_action"
            )
            if self.contract_ids:
                action["domain"] = [("contract_id", "in", self.contract_ids.ids)]
        action["context"] = {
            "performance_date": fields.Date.to_string(self.performance_date),
            "search_default_filter_active": 1,
        }
        action["display_name"] = self.env._(
            "%(name)s as of %(date)s",
            name=action.get("display_name") or action["name"],
            date=self.performance_date,
        )
        return action

    def action_print(self):
        self.ensure_one()
        contracts = self.contract_ids or self.env["sales.contract"].search(
            [("state", "in", ("active", "done"))]
        )
        return self.env.ref(
            "sales_backoffice.action_report_contract_performance"
        ).report_action(
            contracts,
            data={
                "performance_date": fields.Date.to_string(self.performance_date),
                # the client does not send the ids of a report with data
                "contract_ids": contracts.ids,
            },
        )
