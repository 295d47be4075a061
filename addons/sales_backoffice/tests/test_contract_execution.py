from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesBackofficeCommon


@tagged("post_install", "-at_install")
class TestContractExecution(SalesBackofficeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._activate(
            cls._create_contract(
                [(cls.product_bed, 10, 100.0, 10.0), (cls.product_lamp, 5, 33.33, 0.0)]
            )
        )

    def test_order_from_contract_copies_prices(self):
        order = self._order(self.contract, {self.product_bed: 4}, confirm=False)
        self.assertEqual(order.contract_id, self.contract)
        self.assertEqual(order.partner_id, self.customer)
        line = order.order_line
        self.assertEqual(len(line), 1)
        self.assertEqual(line.contract_line_id, self.contract.line_ids[0])
        self.assertEqual(line.price_unit, 100.0)
        self.assertEqual(line.discount, 10.0)
        self.assertEqual(line.tax_id, self.tax_10)
        self.assertAlmostEqual(line.price_subtotal, 360.0)
        bed_line = self.contract.line_ids[0]
        self.assertAlmostEqual(bed_line.qty_ordered_all, 4.0)
        self.assertAlmostEqual(bed_line.qty_to_order, 6.0)

    def test_order_only_from_active_contract(self):
        draft = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        with (
            self.assertRaisesRegex(UserError, "only from active"),
            self.env.cr.savepoint(),
        ):
            draft.action_open_order_wizard()

    def test_over_ordering_refused(self):
        self._order(self.contract, {self.product_bed: 8}, confirm=False)
        orders_before = self.env["sale.order"].search_count(
            [("contract_id", "=", self.contract.id)]
        )
        with (
            self.assertRaisesRegex(ValidationError, "allows 10.0 .* would take 13.0"),
            self.env.cr.savepoint(),
        ):
            self._order(self.contract, {self.product_bed: 5}, confirm=False)
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("contract_id", "=", self.contract.id)]
            ),
            orders_before,
            "nothing half-written",
        )

    def test_over_ordering_on_existing_order_line_refused(self):
        order = self._order(self.contract, {self.product_bed: 8}, confirm=False)
        with self.assertRaises(ValidationError):
            order.order_line.product_uom_qty = 11

    def test_manager_override_is_logged(self):
        self._order(self.contract, {self.product_bed: 10}, confirm=True)
        wizard = Form(
            self.env["sales.contract.order.wizard"]
            .with_user(self.user_manager)
            .with_context(default_contract_id=self.contract.id)
        ).save()
        for line in wizard.line_ids:
            line.quantity = 2.0 if line.product_id == self.product_bed else 0.0
        wizard.allow_overrun = True
        action = wizard.action_create_order()
        order = self.env["sale.order"].browse(action["res_id"])
        self.assertTrue(order.contract_overrun_approved)
        self.assertAlmostEqual(self.contract.line_ids[0].qty_ordered_all, 12.0)
        self.assertTrue(
            any(
                "approved ordering beyond the contract" in (m.body or "")
                for m in self.contract.message_ids
            )
        )

    def test_only_manager_overrides(self):
        order = self._order(self.contract, {self.product_bed: 10}, confirm=False)
        with self.assertRaises(AccessError):
            order.with_user(self.user_backoffice).contract_overrun_approved = True
        order.with_user(self.user_manager).contract_overrun_approved = True
        order.order_line.product_uom_qty = 12
        self.assertAlmostEqual(self.contract.line_ids[0].qty_ordered_all, 12.0)

    def test_cancelled_order_frees_quantity(self):
        order = self._order(self.contract, {self.product_bed: 10}, confirm=True)
        order._action_cancel()
        self.assertAlmostEqual(self.contract.line_ids[0].qty_to_order, 10.0)
        self._order(self.contract, {self.product_bed: 10}, confirm=False)
        # reviving the cancelled order would take 20 of 10
        with self.assertRaises(ValidationError):
            order.action_draft()

    def test_attach_existing_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product_lamp.id, "product_uom_qty": 3}
                    ),
                    Command.create(
                        {"product_id": self.product_bed.id, "product_uom_qty": 2}
                    ),
                ],
            }
        )
        wizard = self.env["sales.contract.attach.wizard"].create(
            {"contract_id": self.contract.id, "order_ids": [Command.set(order.ids)]}
        )
        wizard.action_attach()
        self.assertEqual(order.contract_id, self.contract)
        self.assertEqual(
            order.order_line.mapped("contract_line_id.product_id"),
            order.order_line.mapped("product_id"),
        )
        self.assertAlmostEqual(self.contract.line_ids[1].qty_ordered_all, 3.0)

    def test_attach_over_remaining_refused(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product_lamp.id, "product_uom_qty": 6}
                    ),
                ],
            }
        )
        wizard = self.env["sales.contract.attach.wizard"].create(
            {"contract_id": self.contract.id, "order_ids": [Command.set(order.ids)]}
        )
        with self.assertRaises(ValidationError):
            wizard.action_attach()

    def test_order_of_other_customer_refused(self):
        with (
            self.assertRaisesRegex(
                ValidationError, "executes a contract of its own customer"
            ),
            self.env.cr.savepoint(),
        ):
            self.env["sale.order"].create(
                {"partner_id": self.customer_south.id, "contract_id": self.contract.id}
            )

    def test_smart_buttons(self):
        order = self._order(self.contract, {self.product_bed: 4, self.product_lamp: 5})
        self._deliver(order, {self.product_bed: 4, self.product_lamp: 5}, "2026-02-15")
        self._invoice(order, "2026-02-28")
        self.contract.invalidate_recordset()
        self.assertEqual(self.contract.sale_order_count, 1)
        self.assertEqual(self.contract.picking_count, 1)
        self.assertEqual(self.contract.invoice_count, 1)
        self.assertEqual(self.contract.refund_count, 0)
        action = self.contract.action_view_invoices()
        self.assertEqual(
            self.env["account.move"].search(action["domain"]), order.invoice_ids
        )
