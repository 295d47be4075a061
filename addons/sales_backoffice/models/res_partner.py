from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

BACKOFFICE_GROUP = "sales_backoffice.sales_backoffice_group_user"


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
    receivable_open_amount = fields.Monetary(
        string="Open Receivables",
        compute="_compute_receivable_open_amount",
        currency_field="currency_id",
        help="What the customer owes the current company today (open "
        "invoices less open credits), as in the receivable ageing.",
    )

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

    # ------------------------------------------------------------------
    # Receivables
    # ------------------------------------------------------------------

    def _compute_receivable_open_amount(self):
        Ageing = self.env["sales.receivable.ageing.report"]
        amounts = {}
        if Ageing.has_access("read"):
            amounts = dict(
                Ageing._read_group(
                    [
                        ("company_id", "=", self.env.company.id),
                        ("partner_id", "in", self.commercial_partner_id.ids),
                    ],
                    ["partner_id"],
                    ["residual_amount:sum"],
                )
            )
        for partner in self:
            partner.receivable_open_amount = amounts.get(
                partner.commercial_partner_id, 0.0
            )

    def action_view_receivables(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_backoffice.sales_receivable_ageing_report_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["display_name"] = self.env._(
            "Receivables of %s", self.commercial_partner_id.display_name
        )
        return action

    def action_send_payment_reminder(self):
        """Mail the customer a payment reminder with their statement of
        account of the current company, logged in their chatter."""
        self.ensure_one()
        partner = self.commercial_partner_id
        partner._check_payment_reminder(
            self.env["sales.receivable.ageing.report"]._statements(
                partner, self.env.company
            )[partner.id]["totals"]
        )
        template = self.env.ref(
            "sales_backoffice.mail_template_partner_payment_reminder"
        )
        # posting on a customer needs no right to edit it: the back office
        # (checked above) logs its reminders on every customer
        partner.sudo().with_context(
            mail_notify_force_send=False
        ).message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )
        return True

    def _check_payment_reminder(self, totals, recipient=None):
        """Refuse a reminder nobody can act on: the user is not in the back
        office, nothing is owed, or the recipient has no email address."""
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group(BACKOFFICE_GROUP):
            raise AccessError(
                self.env._("Only the back office sends payment reminders.")
            )
        if totals["residual_amount"] <= 0:
            raise UserError(
                self.env._(
                    "%(customer)s owes nothing today (open amount %(amount)s): "
                    "no payment reminder to send.",
                    customer=self.display_name,
                    amount=format_amount(
                        self.env,
                        totals["residual_amount"],
                        self.env.company.currency_id,
                    ),
                )
            )
        recipient = recipient or self
        if not recipient.email:
            raise UserError(
                self.env._(
                    "%(customer)s has no email address: add one on the customer "
                    "to send the payment reminder.",
                    customer=recipient.display_name,
                )
            )
