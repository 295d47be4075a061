from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import SalesBackofficeCommon


@tagged("post_install", "-at_install")
class TestAccess(SalesBackofficeCommon):
    """Who reads and changes which contracts and figures: a plain
    salesperson, a back-office user, a back-office manager, and users of
    another company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_mine = cls._activate(
            cls._create_contract(
                [(cls.product_bed, 10, 100.0, 0.0)], user=cls.user_salesman
            )
        )
        cls.contract_other = cls._activate(
            cls._create_contract(
                [(cls.product_lamp, 5, 33.33, 0.0)],
                partner=cls.customer_south,
                user=cls.user_salesman_other,
            )
        )
        Milestone = cls.env["sales.contract.milestone"]
        cls.milestone_mine = Milestone.create(
            {
                "contract_id": cls.contract_mine.id,
                "name": "Half the beds",
                "date_due": fields.Date.today() + timedelta(days=30),
                "contract_line_id": cls.contract_mine.line_ids.id,
                "quantity": 5,
            }
        )
        cls.milestone_other = Milestone.create(
            {
                "contract_id": cls.contract_other.id,
                "name": "First payment",
                "milestone_type": "payment",
                "date_due": fields.Date.today() + timedelta(days=30),
                "amount": 50.0,
            }
        )
        cls.contracts = cls.contract_mine | cls.contract_other

        # a second company with its own customer and active contract; its
        # salesperson is set to a company-1 salesman on purpose: the
        # company rule must hide it even from "its" salesperson
        cls.company_2 = cls.setup_other_company(name="Other Company")["company"]
        cls.customer_2 = cls.env["res.partner"].create(
            {"name": "Other Company Customer", "company_id": cls.company_2.id}
        )
        cls.contract_2 = (
            cls.env["sales.contract"]
            .with_company(cls.company_2)
            .create(
                {
                    "company_id": cls.company_2.id,
                    "partner_id": cls.customer_2.id,
                    "user_id": cls.user_salesman.id,
                    "date_start": "2026-01-01",
                    "date_end": "2026-12-31",
                    "date_signed": "2026-01-15",
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": cls.product_bed.id,
                                "product_uom_qty": 3,
                                "price_unit": 90.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        cls.contract_2.action_submit()
        cls.contract_2.action_approve()
        cls.env.flush_all()

    def _contract_values(self, **values):
        return {
            "partner_id": self.customer.id,
            "user_id": self.user_salesman.id,
            "date_start": "2026-03-01",
            "date_end": "2026-09-30",
            "line_ids": [
                Command.create(
                    {
                        "product_id": self.product_bed.id,
                        "product_uom_qty": 2,
                        "price_unit": 100.0,
                    }
                )
            ],
            **values,
        }

    # ------------------------------------------------------------------
    # A salesperson without back-office rights
    # ------------------------------------------------------------------

    def test_salesman_reads_own_contracts_only(self):
        Contract = self.env["sales.contract"].with_user(self.user_salesman)
        self.assertEqual(
            Contract.search([("id", "in", self.contracts.ids)]), self.contract_mine
        )
        # the whole record reads, computed figures included (the form view)
        values = self.contract_mine.with_user(self.user_salesman).read()[0]
        self.assertEqual(values["name"], self.contract_mine.name)
        self.assertAlmostEqual(values["amount_untaxed"], 1000.0)
        with self.assertRaises(AccessError):
            self.contract_other.with_user(self.user_salesman).read(["name"])
        # and the other salesman the other way round
        self.assertEqual(
            self.env["sales.contract"]
            .with_user(self.user_salesman_other)
            .search([("id", "in", self.contracts.ids)]),
            self.contract_other,
        )

    def test_salesman_reads_own_lines_and_milestones_only(self):
        Line = self.env["sales.contract.line"].with_user(self.user_salesman)
        self.assertEqual(
            Line.search([("contract_id", "in", self.contracts.ids)]),
            self.contract_mine.line_ids,
        )
        with self.assertRaises(AccessError):
            self.contract_other.line_ids.with_user(self.user_salesman).read(
                ["product_uom_qty"]
            )
        Milestone = self.env["sales.contract.milestone"].with_user(self.user_salesman)
        self.assertEqual(
            Milestone.search([("contract_id", "in", self.contracts.ids)]),
            self.milestone_mine,
        )
        self.assertEqual(
            self.milestone_mine.with_user(self.user_salesman).state, "pending"
        )
        with self.assertRaises(AccessError):
            self.milestone_other.with_user(self.user_salesman).read(["amount"])

    def test_salesman_reads_own_figures_only(self):
        domain = [("contract_id", "in", self.contracts.ids)]
        # as the back office sees them: both contracts have figures
        for model in (
            "sales.contract.line.performance",
            "sales.contract.performance",
            "sales.contract.performance.report",
        ):
            with self.subTest(model=model):
                everything = self.env[model].with_user(self.user_backoffice)
                self.assertEqual(
                    set(everything.search(domain).contract_id.ids),
                    set(self.contracts.ids),
                )
                rows = self.env[model].with_user(self.user_salesman).search(domain)
                self.assertTrue(rows)
                self.assertEqual(rows.contract_id, self.contract_mine)
        line_perf = (
            self.env["sales.contract.line.performance"]
            .with_user(self.user_salesman)
            .search(domain)
        )
        self.assertEqual(line_perf.qty_contracted, 10)
        groups = (
            self.env["sales.contract.performance.report"]
            .with_user(self.user_salesman)
            ._read_group(domain, [], ["amount_contracted:sum"])
        )
        self.assertAlmostEqual(groups[0][0], 1000.0)

    def test_salesman_cannot_create_or_change_contracts(self):
        Contract = self.env["sales.contract"].with_user(self.user_salesman)
        count = self.env["sales.contract"].search_count([])
        with self.assertRaises(AccessError):
            Contract.create(self._contract_values())
        self.assertEqual(self.env["sales.contract"].search_count([]), count)
        with self.assertRaises(AccessError):
            self.contract_mine.with_user(self.user_salesman).write({"title": "Mine"})
        with self.assertRaises(AccessError):
            self.contract_mine.line_ids.with_user(self.user_salesman).write(
                {"product_uom_qty": 20}
            )
        with self.assertRaises(AccessError):
            self.env["sales.contract.milestone"].with_user(self.user_salesman).create(
                {
                    "contract_id": self.contract_mine.id,
                    "name": "Sneaky",
                    "date_due": "2026-07-01",
                    "amount": 1.0,
                    "milestone_type": "payment",
                }
            )
        with self.assertRaises(AccessError):
            self.contract_mine.with_user(self.user_salesman).unlink()
        self.assertFalse(self.contract_mine.title)
        self.assertEqual(self.contract_mine.line_ids.product_uom_qty, 10)

    # ------------------------------------------------------------------
    # A back-office user
    # ------------------------------------------------------------------

    def test_backoffice_reads_all_contracts_of_the_company(self):
        Contract = self.env["sales.contract"].with_user(self.user_backoffice)
        self.assertEqual(
            Contract.search([("id", "in", self.contracts.ids)]), self.contracts
        )
        names = {
            r["name"]
            for r in self.contracts.with_user(self.user_backoffice).read(["name"])
        }
        self.assertEqual(names, set(self.contracts.mapped("name")))
        Milestone = self.env["sales.contract.milestone"].with_user(self.user_backoffice)
        self.assertEqual(
            Milestone.search([("contract_id", "in", self.contracts.ids)]),
            self.milestone_mine | self.milestone_other,
        )

    def test_backoffice_creates_and_edits_contracts(self):
        form = Form(self.env["sales.contract"].with_user(self.user_backoffice))
        form.partner_id = self.customer
        form.user_id = self.user_salesman
        form.date_start = "2026-03-01"
        form.date_end = "2026-09-30"
        with form.line_ids.new() as line:
            line.product_id = self.product_lamp
            line.product_uom_qty = 3
        contract = form.save()
        self.assertEqual(contract.create_uid, self.user_backoffice)
        self.assertEqual(contract.line_ids.product_id, self.product_lamp)
        contract.with_user(self.user_backoffice).write(
            {
                "title": "Lamps for the new wing",
                "line_ids": [
                    Command.update(contract.line_ids.id, {"product_uom_qty": 4})
                ],
            }
        )
        self.assertEqual(contract.title, "Lamps for the new wing")
        self.assertEqual(contract.line_ids.product_uom_qty, 4)
        # and edits a contract of another salesperson
        self.contract_other.with_user(self.user_backoffice).title = "Clinic lamps"
        self.assertEqual(self.contract_other.title, "Clinic lamps")
        contract.with_user(self.user_backoffice).action_submit()
        self.assertEqual(contract.state, "to_review")

    def test_backoffice_cannot_review_or_cancel(self):
        contract = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        contract.with_user(self.user_backoffice).action_submit()
        as_clerk = contract.with_user(self.user_backoffice)
        with self.assertRaisesRegex(
            AccessError, "Only a Back Office Manager can approve"
        ):
            as_clerk.action_approve()
        with self.assertRaisesRegex(
            AccessError, "Only a Back Office Manager can reject"
        ):
            as_clerk.action_reject("Too cheap")
        with self.assertRaises(AccessError):
            as_clerk.action_open_reject_wizard()
        with self.assertRaises(AccessError):
            self.env["sales.contract.reject.wizard"].with_user(
                self.user_backoffice
            ).create({"contract_id": contract.id, "reason": "Too cheap"})
        with self.assertRaisesRegex(
            AccessError, "Only a Back Office Manager can cancel"
        ):
            as_clerk.action_cancel()
        self.assertEqual(contract.state, "to_review")
        self.assertFalse(contract.review_note)
        with self.assertRaises(AccessError):
            self.contract_mine.with_user(self.user_backoffice).action_cancel()
        self.assertEqual(self.contract_mine.state, "active")

    def test_backoffice_cannot_approve_an_overrun(self):
        order = self._order(self.contract_mine, {self.product_bed: 10}, confirm=False)
        with self.assertRaisesRegex(AccessError, "approve ordering beyond a contract"):
            order.with_user(self.user_backoffice).contract_overrun_approved = True
        self.assertFalse(order.contract_overrun_approved)
        # nor through the order wizard
        wizard = Form(
            self.env["sales.contract.order.wizard"]
            .with_user(self.user_backoffice)
            .with_context(default_contract_id=self.contract_mine.id)
        ).save()
        wizard.line_ids.quantity = 2
        wizard.allow_overrun = True
        orders_before = self.env["sale.order"].search_count(
            [("contract_id", "=", self.contract_mine.id)]
        )
        with self.assertRaises(AccessError):
            wizard.action_create_order()
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("contract_id", "=", self.contract_mine.id)]
            ),
            orders_before,
        )

    # ------------------------------------------------------------------
    # A back-office manager
    # ------------------------------------------------------------------

    def test_manager_approves_rejects_cancels(self):
        approved = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        rejected = self._create_contract([(self.product_bed, 1, 100.0, 0.0)])
        (approved | rejected).with_user(self.user_backoffice).action_submit()
        approved.with_user(self.user_manager).action_approve()
        self.assertEqual(approved.state, "active")
        wizard = Form(
            self.env["sales.contract.reject.wizard"]
            .with_user(self.user_manager)
            .with_context(default_contract_id=rejected.id)
        )
        wizard.reason = "Discount above the district's ceiling"
        wizard.save().action_reject()
        self.assertEqual(rejected.state, "draft")
        self.assertEqual(rejected.review_note, "Discount above the district's ceiling")
        approved.with_user(self.user_manager).action_cancel()
        self.assertEqual(approved.state, "cancel")

    def test_manager_approves_an_overrun(self):
        self._order(self.contract_mine, {self.product_bed: 10}, confirm=True)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "contract_id": self.contract_mine.id,
                "contract_overrun_approved": False,
            }
        )
        order.with_user(self.user_manager).contract_overrun_approved = True
        order.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product_bed.id,
                            "product_uom_qty": 2,
                            "contract_line_id": self.contract_mine.line_ids.id,
                        }
                    )
                ]
            }
        )
        self.assertTrue(order.contract_overrun_approved)
        self.assertAlmostEqual(self.contract_mine.line_ids.qty_ordered_all, 12.0)
        self.assertAlmostEqual(self.contract_mine.line_ids.qty_to_order, -2.0)

    # ------------------------------------------------------------------
    # Multi-company
    # ------------------------------------------------------------------

    def test_other_company_contract_is_invisible(self):
        # it exists, with figures
        self.assertEqual(self.contract_2.state, "active")
        report_2 = (
            self.env["sales.contract.performance.report"]
            .sudo()
            .search([("contract_id", "=", self.contract_2.id)])
        )
        self.assertTrue(report_2)
        for user in (self.user_salesman, self.user_backoffice, self.user_manager):
            with self.subTest(user=user.login):
                Contract = self.env["sales.contract"].with_user(user)
                self.assertFalse(Contract.search([("id", "=", self.contract_2.id)]))
                self.assertFalse(
                    Contract.search([("partner_id", "=", self.customer_2.id)])
                )
                with self.assertRaises(AccessError):
                    self.contract_2.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    self.contract_2.line_ids.with_user(user).read(["product_uom_qty"])
                for model in (
                    "sales.contract.line",
                    "sales.contract.line.performance",
                    "sales.contract.performance",
                    "sales.contract.performance.report",
                ):
                    self.assertFalse(
                        self.env[model]
                        .with_user(user)
                        .search([("contract_id", "=", self.contract_2.id)]),
                        f"{model} row of the other company visible to {user.login}",
                    )
                # nor does it count in the company's statistics
                wizard = (
                    self.env["sales.contract.statistics.wizard"]
                    .with_user(user)
                    .create({"date_from": "2026-01-01", "date_to": "2026-12-31"})
                )
                total = wizard._statistics_rows()[-1]["values"]["amount_contracted"]
                # the salesman's own contract, or both of company 1
                expected = 1000.0 if user == self.user_salesman else 1000.0 + 166.65
                self.assertAlmostEqual(total, expected)

    def test_customer_of_other_company_refused(self):
        count = self.env["sales.contract"].search_count([])
        with (
            self.assertRaisesRegex(UserError, "Incompatible companies"),
            self.env.cr.savepoint(),
        ):
            self.env["sales.contract"].with_user(self.user_backoffice).create(
                self._contract_values(partner_id=self.customer_2.id)
            )
        self.assertEqual(self.env["sales.contract"].search_count([]), count)
        with (
            self.assertRaisesRegex(UserError, "Incompatible companies"),
            self.env.cr.savepoint(),
        ):
            self.contract_mine.write({"partner_id": self.customer_2.id})
        self.assertEqual(self.contract_mine.partner_id, self.customer)
