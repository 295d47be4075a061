import psycopg2

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import SalesBackofficeCommon


@tagged("post_install", "-at_install")
class TestGuards(SalesBackofficeCommon):
    """What keeps an approved contract and its figures what was agreed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._activate(
            cls._create_contract(
                [(cls.product_bed, 10, 100.0, 10.0), (cls.product_lamp, 5, 33.33, 0.0)]
            )
        )

    def test_status_only_through_the_buttons(self):
        draft = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        with (
            self.assertRaisesRegex(UserError, "through its buttons"),
            self.env.cr.savepoint(),
        ):
            draft.with_user(self.user_backoffice).write(
                {"state": "active", "date_signed": "2026-01-01"}
            )
        self.assertEqual(draft.state, "draft")
        with (
            self.assertRaisesRegex(UserError, "starts as a draft"),
            self.env.cr.savepoint(),
        ):
            self.env["sales.contract"].with_user(self.user_backoffice).create(
                {
                    "partner_id": self.customer.id,
                    "state": "active",
                    "date_signed": "2026-01-01",
                }
            )
        result = (
            self.env["sales.contract"]
            .with_user(self.user_backoffice)
            .load(["partner_id", "state"], [["Alpha Hospital", "active"]])
        )
        self.assertFalse(result["ids"])

    def test_approved_terms_are_frozen(self):
        contract = self.contract.with_user(self.user_backoffice)
        with self.assertRaisesRegex(UserError, "is approved"), self.env.cr.savepoint():
            contract.date_signed = "2025-01-01"
        with self.assertRaisesRegex(UserError, "is approved"), self.env.cr.savepoint():
            contract.line_ids[0].product_uom_qty = 1
        with self.assertRaisesRegex(UserError, "is approved"), self.env.cr.savepoint():
            contract.write(
                {"line_ids": [Command.create({"product_id": self.product_bed.id})]}
            )
        self.assertEqual(self.contract.line_ids[0].product_uom_qty, 10)
        # what is not agreed with the customer still moves
        contract.date_end = "2027-06-30"
        self.assertEqual(str(self.contract.date_end), "2027-06-30")

    def test_amended_quantity_not_below_ordered(self):
        self._order(self.contract, {self.product_bed: 8})
        self.contract.with_user(self.user_manager).action_cancel()
        self.contract.action_draft()
        with (
            self.assertRaisesRegex(ValidationError, "would take 8.0"),
            self.env.cr.savepoint(),
        ):
            self.contract.line_ids[0].product_uom_qty = 5
        with self.assertRaisesRegex(UserError, "have orders"), self.env.cr.savepoint():
            self.contract.line_ids[0].unlink()
        with self.assertRaisesRegex(UserError, "has orders"), self.env.cr.savepoint():
            self.contract.unlink()

    def test_sign_date_required_once_executed(self):
        with (
            self.assertRaisesRegex(ValidationError, "no sign date"),
            self.env.cr.savepoint(),
        ):
            self.contract.sudo().date_signed = False

    def test_line_added_by_hand_counts(self):
        order = self._order(self.contract, {self.product_bed: 4}, confirm=False)
        with Form(order) as form, form.order_line.new() as line:
            line.product_id = self.product_lamp
            line.product_uom_qty = 2
        added = order.order_line.filtered(
            lambda sol: sol.product_id == self.product_lamp
        )
        self.assertEqual(added.contract_line_id, self.contract.line_ids[1])
        self.assertAlmostEqual(self.contract.line_ids[1].qty_ordered_all, 2)
        with self.assertRaises(ValidationError):
            added.product_uom_qty = 6

    def test_confirmed_order_keeps_its_contract(self):
        order = self._order(self.contract, {self.product_bed: 4})
        with self.assertRaisesRegex(UserError, "cannot move"), self.env.cr.savepoint():
            order.contract_id = False
        self.assertEqual(order.order_line.contract_line_id.contract_id, self.contract)
        quotation = self._order(self.contract, {self.product_lamp: 1}, confirm=False)
        quotation.contract_id = False
        self.assertFalse(quotation.order_line.contract_line_id)

    def test_district_in_use_cannot_be_deleted(self):
        with (
            self.assertRaises(psycopg2.errors.ForeignKeyViolation),
            self.env.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            self.district_alpha.unlink()
        self.assertTrue(self.district_alpha.exists())
        self.assertEqual(self.contract.district_id, self.district_alpha)

    def test_delays_are_not_negative(self):
        with (
            self.assertRaisesRegex(ValidationError, "zero or more"),
            self.env.cr.savepoint(),
        ):
            self.company.milestone_lapse_days = -1

    def test_negative_quantity_in_order_wizard(self):
        wizard = Form(
            self.env["sales.contract.order.wizard"].with_context(
                default_contract_id=self.contract.id
            )
        ).save()
        wizard.line_ids[0].quantity = -5
        with (
            self.assertRaisesRegex(UserError, "cannot be negative"),
            self.env.cr.savepoint(),
        ):
            wizard.action_create_order()

    def test_tax_included_price_is_not_taxed_twice(self):
        tax_incl = self.env["account.tax"].create(
            {
                "name": "Sale 10% incl.",
                "amount": 10.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": self.company.id,
            }
        )
        contract = self._create_contract([(self.product_bed, 3, 110.0, 0.0)])
        contract.line_ids.tax_ids = tax_incl
        self._activate(contract)
        order = self._order(contract, {self.product_bed: 3})
        self._deliver(order, {self.product_bed: 3}, "2026-02-15")
        self.env.flush_all()
        line = self.env["sales.contract.line.performance"].search(
            [("contract_id", "=", contract.id)]
        )
        self.assertAlmostEqual(line.amount_contracted, 300.0)
        self.assertAlmostEqual(line.amount_delivered, 300.0)
        self.assertAlmostEqual(line.amount_remaining, 0.0)
        totals = self.env["sales.contract.performance.report"]._read_group(
            [("contract_id", "=", contract.id)], [], ["amount_delivered_total:sum"]
        )
        self.assertAlmostEqual(totals[0][0], 330.0)

    def test_print_as_of_a_date_carries_the_contracts(self):
        wizard = self.env["sales.contract.performance.wizard"].create(
            {
                "contract_ids": [Command.set(self.contract.ids)],
                "performance_date": "2026-06-30",
            }
        )
        action = wizard.action_print()
        if action["type"] != "ir.actions.report":
            # the document layout configurator comes first on a new company
            action = action["context"]["report_action"]
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "sales_backoffice.report_contract_performance",
                None,
                data=action["data"],
            )[0]
            .decode()
        )
        self.assertIn(self.contract.name, html)
