from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesBackofficeCommon


@tagged("post_install", "-at_install")
class TestCollectionPlan(SalesBackofficeCommon):
    """The collection plan of a contract and what is collected on it: the
    customer payments reconciled with its invoices, allocated oldest
    instalment first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["sales.contract"])
        cls.term_40_60 = cls.env["account.payment.term"].create(
            {
                "name": "40% now, balance in 30 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 40.0, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 60.0, "nb_days": 30}
                    ),
                ],
            }
        )
        cls.eur = cls.setup_other_currency("EUR")

    def _active_contract(self, signed, term=None):
        # 10 beds at 100 + 10% tax: 1,100.00
        contract = self._create_contract(
            [(self.product_bed, 10, 100.0, 0.0)],
            payment_term_id=(term or self.term_40_60).id,
        )
        return self._activate(contract, date_signed=signed)

    def _invoiced(self, contract, day):
        order = self._order(contract, {self.product_bed: 10})
        self._deliver(order, {self.product_bed: 10}, day)
        return self._invoice(order, day)

    def _pay(self, invoices, amount, day, currency=None):
        values = {"amount": amount, "payment_date": day}
        if currency:
            values["currency_id"] = currency.id
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(values)
            ._create_payments()
        )

    def test_plan_generated_from_payment_terms_on_approval(self):
        contract = self._active_contract("2026-03-01")
        plan = contract.instalment_ids
        self.assertEqual(
            plan.mapped("due_date"),
            [
                fields.Date.to_date("2026-03-01"),
                fields.Date.to_date("2026-03-31"),
            ],
        )
        self.assertEqual(plan.mapped("amount"), [440.0, 660.0])
        self.assertEqual(sum(plan.mapped("amount")), contract.amount_total)
        self.assertEqual(plan.user_id, contract.user_id)

    def test_draft_plan_follows_the_lines(self):
        contract = self._create_contract([(self.product_lamp, 1, 100.0, 0.0)])
        contract.instalment_ids = [
            Command.create({"due_date": f"2026-0{month}-01", "amount": amount})
            for month, amount in ((3, 40.0), (4, 30.0), (5, 40.0))
        ]
        self.assertEqual(
            contract.instalment_ids.mapped("percentage"), [36.36, 27.27, 36.36]
        )
        # the lines change before approval: the plan keeps its shares of 220.00
        contract.line_ids.product_uom_qty = 2
        self.assertEqual(contract.amount_total, 220.0)
        self.assertEqual(contract.instalment_ids.mapped("amount"), [80.0, 60.0, 80.0])

    def test_plan_that_does_not_add_up_is_refused(self):
        contract = self._active_contract("2026-03-01")
        with self.assertRaises(ValidationError) as caught:
            with Form(contract) as form:
                with form.instalment_ids.edit(1) as line:
                    line.amount = 560.0
        self.assertRegex(str(caught.exception), "adds up to .*1,000.00.*1,100.00")
        with self.assertRaises(ValidationError):
            contract.instalment_ids[1].amount = 560.0
        with self.assertRaises(ValidationError):
            contract.instalment_ids = [
                Command.create({"due_date": "2026-06-01", "amount": 1.0})
            ]
        self.env.invalidate_all()
        self.assertEqual(contract.instalment_ids.mapped("amount"), [440.0, 660.0])
        # the same plan, balanced, is accepted and logged on the contract
        with Form(contract) as form:
            with form.instalment_ids.edit(0) as line:
                line.amount = 540.0
            with form.instalment_ids.edit(1) as line:
                line.amount = 560.0
        self.assertEqual(contract.instalment_ids.mapped("amount"), [540.0, 560.0])
        self.assertIn("Collection plan", contract.message_ids[0].body)
        self.assertIn("560", contract.message_ids[0].body)

    def test_regenerating_the_plan_keeps_unchanged_instalments(self):
        contract = self._active_contract("2026-03-01")
        before = contract.instalment_ids
        messages = len(contract.message_ids)
        contract.action_generate_collection_plan()
        # the same plan: nothing replaced, nothing logged
        self.assertEqual(contract.instalment_ids, before)
        self.assertEqual(len(contract.message_ids), messages)
        # other terms: the instalments are updated in place and it is logged
        contract.payment_term_id = False
        contract.action_generate_collection_plan()
        self.assertEqual(contract.instalment_ids, before[0])
        self.assertEqual(contract.instalment_ids.amount, 1100.0)
        self.assertIn("regenerated", contract.message_ids[0].body)

    def test_removing_an_instalment_is_refused(self):
        contract = self._active_contract("2026-03-01")
        with self.assertRaises(ValidationError) as caught:
            contract.instalment_ids[0].unlink()
        self.assertIn("adds up to", str(caught.exception))
        self.assertEqual(len(contract.instalment_ids), 2)

    def test_partial_payment_across_two_instalments(self):
        contract = self._active_contract("2026-03-01")
        invoice = self._invoiced(contract, "2026-03-05")
        self._pay(invoice, 800.0, "2026-03-20")
        first, second = contract.instalment_ids
        self.assertEqual(contract.amount_invoiced, 1100.0)
        self.assertEqual(contract.amount_collected, 800.0)
        self.assertEqual(contract.amount_outstanding, 300.0)
        self.assertEqual((first.amount_collected, first.amount_residual), (440.0, 0.0))
        self.assertEqual(
            (second.amount_collected, second.amount_residual), (360.0, 300.0)
        )
        self.assertEqual(first.state, "collected")
        self.assertEqual(second.state, "overdue")  # due 2026-03-31, before today

    def test_overpayment_collects_the_invoice_only(self):
        contract = self._active_contract("2026-03-01")
        invoice = self._invoiced(contract, "2026-03-05")
        payment = self._pay(invoice, 1200.0, "2026-03-20")
        self.assertEqual(invoice.payment_state in ("paid", "in_payment"), True)
        self.assertEqual(contract.amount_collected, 1100.0)
        self.assertEqual(contract.amount_outstanding, 0.0)
        self.assertEqual(set(contract.instalment_ids.mapped("state")), {"collected"})
        # the 100.00 left is the customer's open credit, on the payment
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.amount_residual, -100.0)

    def test_credit_note_lowers_what_is_owed_not_the_plan(self):
        contract = self._active_contract("2026-03-01")
        order = self._order(contract, {self.product_bed: 10})
        picking = self._deliver(order, {self.product_bed: 10}, "2026-03-05")
        invoice = self._invoice(order, "2026-03-05")
        self._return(picking, {self.product_bed: 2}, "2026-03-10")
        refund = self._invoice(order, "2026-03-10", final=True)
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.sales_contract_id, contract)
        # the credit note settles part of the invoice: owed, not collected
        (invoice + refund).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(contract.amount_invoiced, 880.0)
        self.assertEqual(contract.amount_collected, 0.0)
        self.assertEqual(contract.amount_outstanding, 880.0)
        self.assertEqual(sum(contract.instalment_ids.mapped("amount")), 1100.0)
        self._pay(invoice, 880.0, "2026-03-20")
        self.assertEqual(contract.amount_collected, 880.0)
        self.assertEqual(contract.amount_outstanding, 0.0)
        self.assertEqual(
            contract.instalment_ids.mapped("amount_residual"), [0.0, 220.0]
        )

    def test_reversed_payment_is_no_longer_collected(self):
        contract = self._active_contract("2026-03-01")
        invoice = self._invoiced(contract, "2026-03-05")
        payment = self._pay(invoice, 1100.0, "2026-03-20")
        self.assertEqual(contract.amount_collected, 1100.0)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=payment.move_id.ids)
            .create(
                {
                    "journal_id": payment.journal_id.id,
                    "date": "2026-03-25",
                    "reason": "bounced cheque",
                }
            )
        )
        reversal.refund_moves()
        self.assertEqual(contract.amount_collected, 0.0)
        self.assertEqual(contract.amount_outstanding, 1100.0)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(contract.instalment_ids.mapped("amount_collected"), [0.0, 0.0])

    def test_payment_in_another_currency_converted_at_payment_date(self):
        contract = self._active_contract("2026-03-01")
        invoice = self._invoiced(contract, "2026-03-05")
        # 2 EUR for 1 company unit since 2017: 1,000.00 EUR are 500.00
        self._pay(invoice, 1000.0, "2026-03-20", currency=self.eur)
        self.assertEqual(contract.amount_collected, 500.0)
        self.assertEqual(
            contract.instalment_ids.mapped("amount_collected"), [440.0, 60.0]
        )

    def test_invoices_are_not_grouped_across_contracts(self):
        first = self._active_contract("2026-03-01")
        second = self._active_contract("2026-03-01")
        orders = self.env["sale.order"]
        for contract in (first, second):
            order = self._order(contract, {self.product_bed: 10})
            self._deliver(order, {self.product_bed: 10}, "2026-03-05")
            orders |= order
        invoices = orders._create_invoices()
        self.assertEqual(len(invoices), 2)
        self.assertEqual(invoices.sales_contract_id, first | second)

    def test_states_as_of_today(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "Balance in 5 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100.0, "nb_days": 5}
                    )
                ],
            }
        )
        due_soon = self._active_contract(self.today, term=term)
        later = self._active_contract(self.today + timedelta(days=30), term=term)
        self.assertEqual(due_soon.instalment_ids.state, "due")
        self.assertEqual(later.instalment_ids.state, "planned")
        Instalment = self.env["sales.contract.instalment"]
        mine = (due_soon | later).ids
        self.assertEqual(
            Instalment.search([("contract_id", "in", mine), ("state", "=", "due")]),
            due_soon.instalment_ids,
        )
        self.assertEqual(
            Instalment.search([("contract_id", "in", mine), ("state", "!=", "due")]),
            later.instalment_ids,
        )

    def test_salesperson_sees_own_collections_only(self):
        own = self._active_contract("2026-03-01")
        other = self._create_contract(
            [(self.product_bed, 1, 100.0, 0.0)], user=self.user_salesman_other
        )
        self._activate(other, date_signed="2026-03-01")
        Instalment = self.env["sales.contract.instalment"].with_user(self.user_salesman)
        visible = Instalment.search([("contract_id", "in", (own | other).ids)])
        self.assertEqual(visible, own.instalment_ids)
        # responsible for an instalment of someone else's contract: visible
        other.instalment_ids.user_id = self.user_salesman
        visible = Instalment.search([("contract_id", "in", (own | other).ids)])
        self.assertEqual(visible, own.instalment_ids | other.instalment_ids)
        with self.assertRaises(AccessError):
            own.instalment_ids[0].with_user(self.user_salesman).due_date = "2026-04-01"

    def test_other_company_plans_are_invisible(self):
        other_company = self.setup_other_company()["company"]
        contract = self._active_contract("2026-03-01")
        Instalment = self.env["sales.contract.instalment"].with_user(
            self.user_backoffice
        )
        self.assertEqual(
            Instalment.search([("contract_id", "=", contract.id)]),
            contract.instalment_ids,
        )
        self.user_backoffice.write(
            {
                "company_ids": [Command.link(other_company.id)],
                "company_id": other_company.id,
            }
        )
        self.assertFalse(
            Instalment.with_context(allowed_company_ids=other_company.ids).search(
                [("contract_id", "=", contract.id)]
            )
        )
