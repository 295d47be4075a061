from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import SalesBackofficeCommon


@tagged("post_install", "-at_install")
class TestContractReview(SalesBackofficeCommon):
    def test_numbering_and_amounts(self):
        contract = self._create_contract(
            [(self.product_bed, 3, 100.0, 10.0), (self.product_lamp, 7, 33.33, 0.0)]
        )
        self.assertTrue(contract.name.startswith("SC/"))
        self.assertEqual(contract.district_id, self.district_alpha)
        # 3 x 100 x 0.9 = 270.00 ; 7 x 33.33 = 233.31 ; tax 10% per line
        self.assertAlmostEqual(contract.amount_untaxed, 503.31)
        self.assertAlmostEqual(contract.amount_tax, 27.00 + 23.33)
        self.assertAlmostEqual(contract.amount_total, 503.31 + 50.33)

    def test_submit_schedules_review_for_managers(self):
        contract = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        contract.with_user(self.user_backoffice).action_submit()
        self.assertEqual(contract.state, "to_review")
        review_type = self.env.ref(
            "sales_backoffice.mail_activity_type_contract_review"
        )
        activities = contract.activity_ids.filtered(
            lambda a: a.activity_type_id == review_type
        )
        self.assertIn(self.user_manager, activities.user_id)
        self.assertNotIn(self.user_backoffice, activities.user_id)

    def test_submit_without_lines_refused(self):
        contract = self._create_contract([])
        with self.assertRaisesRegex(UserError, "has no lines"), self.env.cr.savepoint():
            contract.action_submit()
        self.assertEqual(contract.state, "draft")

    def test_only_managers_approve(self):
        contract = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        contract.action_submit()
        with self.assertRaises(AccessError):
            contract.with_user(self.user_backoffice).action_approve()
        self.assertEqual(contract.state, "to_review")
        contract.with_user(self.user_manager).action_approve()
        self.assertEqual(contract.state, "active")
        self.assertTrue(contract.date_signed)
        review_type = self.env.ref(
            "sales_backoffice.mail_activity_type_contract_review"
        )
        self.assertFalse(
            contract.activity_ids.filtered(lambda a: a.activity_type_id == review_type),
            "approving closes the review activities",
        )

    def test_reject_with_reason_is_logged(self):
        contract = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        contract.action_submit()
        wizard = Form(
            self.env["sales.contract.reject.wizard"]
            .with_user(self.user_manager)
            .with_context(default_contract_id=contract.id)
        )
        wizard.reason = "Price below the floor agreed with the district"
        wizard.save().action_reject()
        self.assertEqual(contract.state, "draft")
        self.assertEqual(
            contract.review_note, "Price below the floor agreed with the district"
        )
        self.assertTrue(
            any(
                "Price below the floor" in (message.body or "")
                for message in contract.message_ids
            )
        )

    def test_reject_needs_a_reason(self):
        contract = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        contract.action_submit()
        with self.assertRaisesRegex(UserError, "reason"), self.env.cr.savepoint():
            contract.with_user(self.user_manager).action_reject("  ")
        self.assertEqual(contract.state, "to_review")

    def test_only_managers_cancel(self):
        contract = self._activate(
            self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        )
        with self.assertRaises(AccessError):
            contract.with_user(self.user_backoffice).action_cancel()
        contract.with_user(self.user_manager).action_cancel()
        self.assertEqual(contract.state, "cancel")

    def test_delete_only_draft(self):
        contract = self._activate(
            self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        )
        with (
            self.assertRaisesRegex(UserError, "only draft or cancelled"),
            self.env.cr.savepoint(),
        ):
            contract.unlink()

    def test_district_frozen_at_signature(self):
        contract = self._activate(
            self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        )
        self.customer.sales_district_id = self.district_beta
        self.assertEqual(contract.district_id, self.district_alpha)

    def test_partner_district_from_state(self):
        state = self.env.ref("base.state_us_5")
        self.district_beta.state_ids = state
        partner = self.env["res.partner"].create(
            {
                "name": "Moved Customer",
                "country_id": state.country_id.id,
                "state_id": state.id,
            }
        )
        self.assertEqual(partner.sales_district_id, self.district_beta)

    def test_partner_contract_count_and_action(self):
        contact = self.env["res.partner"].create(
            {"name": "Ward Nurse", "parent_id": self.customer.id}
        )
        self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        self._create_contract([(self.product_bed, 2, 100.0, 0.0)], partner=contact)
        self.assertEqual(self.customer.sales_contract_count, 2)
        self.assertEqual(contact.sales_contract_count, 2)
        action = self.customer.action_view_sales_contracts()
        self.assertEqual(self.env["sales.contract"].search_count(action["domain"]), 2)
