from datetime import timedelta

from lxml import html

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..tools.ageing import bucket_index
from .common import SalesBackofficeCommon

BUCKETS = (
    "not_due_amount",
    "bucket_1_amount",
    "bucket_2_amount",
    "bucket_3_amount",
    "bucket_4_amount",
    "bucket_5_amount",
)
MEASURES = ("residual_amount", "overdue_amount", *BUCKETS)


def _text(element):
    text = element.text_content().replace("\xa0", " ").replace("\ufeff", "")
    return " ".join(text.split())


class ReceivablesCommon(SalesBackofficeCommon):
    """Invoices, refunds and payments of the fixtures' customers, dated."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ageing = cls.env["sales.receivable.ageing.report"]
        cls.customer.email = "accounts@alpha-hospital.example.com"
        cls.customer_south.email = "accounts@beta-clinic.example.com"
        cls.bank_journal = cls.company_data["default_journal_bank"]

    @classmethod
    def _move(
        cls,
        amount,
        date,
        due=None,
        partner=None,
        move_type="out_invoice",
        company=None,
        user=None,
    ):
        """A posted invoice (or refund) of ``amount`` without tax, dated
        ``date`` and due on ``due`` (``date`` by default)."""
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": (partner or cls.customer).id,
                    "invoice_date": date,
                    "date": date,
                    "invoice_date_due": due or date,
                    "invoice_payment_term_id": False,
                    "invoice_user_id": (user or cls.env.user).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Maintenance",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, invoices, amount, date):
        """Register a customer payment of ``amount`` on ``invoices``."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(
                {
                    "payment_date": date,
                    "amount": amount,
                    "journal_id": cls.bank_journal.id,
                    "payment_difference_handling": "open",
                }
            )
            ._create_payments()
        )

    @classmethod
    def _receivable_line(cls, move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def _ageing(self, as_of, domain=None, user=None):
        """{move: {measure: amount, days_overdue}} as of ``as_of``."""
        report = self.Ageing.with_context(as_of_date=as_of)
        if user:
            report = report.with_user(user)
        self.env.flush_all()
        self.env.invalidate_all()
        rows = report.search(domain or [])
        return {
            row.move_id: {
                "days_overdue": row.days_overdue,
                **{field: row[field] for field in MEASURES},
            }
            for row in rows
        }

    def _totals(self, as_of, domain=None, groupby=None):
        report = self.Ageing.with_context(as_of_date=as_of)
        self.env.flush_all()
        groups = report._read_group(
            domain or [],
            groupby or [],
            [f"{field}:sum" for field in MEASURES],
        )
        if groupby:
            return {
                tuple(group[: len(groupby)]): dict(
                    zip(MEASURES, group[len(groupby) :], strict=True)
                )
                for group in groups
            }
        return dict(zip(MEASURES, groups[0], strict=True))


@tagged("post_install", "-at_install")
class TestReceivableAgeing(ReceivablesCommon):
    """The ageing as of a date: payments after it, partial reconciliations,
    open credits, bucket boundaries, the company's bucket limits."""

    def test_ageing_at_a_past_date(self):
        invoice = self._move(1000.0, "2026-03-01", "2026-03-31")
        self._pay(invoice, 400.0, "2026-04-15")
        self._pay(invoice, 600.0, "2026-06-10")
        # before the first payment: all of it, 10 days overdue
        rows = self._ageing("2026-04-10")
        self.assertEqual(list(rows), [invoice])
        self.assertEqual(rows[invoice]["residual_amount"], 1000.0)
        self.assertEqual(rows[invoice]["days_overdue"], 10)
        self.assertEqual(rows[invoice]["bucket_1_amount"], 1000.0)
        # before the payment of the rest: what it left, now 31 days overdue;
        # the payments themselves are fully used
        rows = self._ageing("2026-05-01")
        self.assertEqual(list(rows), [invoice])
        self.assertEqual(rows[invoice]["residual_amount"], 600.0)
        self.assertEqual(rows[invoice]["bucket_2_amount"], 600.0)
        self.assertEqual(rows[invoice]["bucket_1_amount"], 0.0)
        # on the day of the last payment and today: settled
        self.assertEqual(self._ageing("2026-06-10"), {})
        self.assertEqual(self._ageing(fields.Date.to_string(fields.Date.today())), {})
        # before the invoice: nothing
        self.assertEqual(self._ageing("2026-02-28"), {})
        # the default as-of date is today
        self.env.flush_all()
        self.assertFalse(self.Ageing.search([("move_id", "=", invoice.id)]))

    def test_partial_reconciliation_counts_from_max_date(self):
        # an advance payment, received before the invoice is issued
        payment = self.env["account.payment"].create(
            {
                "amount": 300.0,
                "date": "2026-02-01",
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        invoice = self._move(1000.0, "2026-03-01", "2026-03-31")
        pay_line = self._receivable_line(payment.move_id)
        (self._receivable_line(invoice) + pay_line).reconcile()
        partial = pay_line.matched_debit_ids
        self.assertEqual(partial.max_date, fields.Date.to_date("2026-03-01"))
        # before the invoice, the payment is an open credit in its own bucket
        rows = self._ageing("2026-02-15")
        self.assertEqual(list(rows), [payment.move_id])
        self.assertEqual(rows[payment.move_id]["residual_amount"], -300.0)
        self.assertEqual(rows[payment.move_id]["days_overdue"], 14)
        self.assertEqual(rows[payment.move_id]["bucket_1_amount"], -300.0)
        # from the invoice's date the reconciliation counts: 700 open
        rows = self._ageing("2026-03-01")
        self.assertEqual(list(rows), [invoice])
        self.assertEqual(rows[invoice]["residual_amount"], 700.0)
        self.assertEqual(rows[invoice]["not_due_amount"], 700.0)

    def test_open_credit_negative_in_its_own_bucket(self):
        invoice = self._move(500.0, "2026-01-05", "2026-02-04")
        refund = self._move(150.0, "2026-01-10", "2026-01-10", move_type="out_refund")
        rows = self._ageing("2026-03-01")
        self.assertEqual(rows[refund]["residual_amount"], -150.0)
        self.assertEqual(rows[refund]["days_overdue"], 50)
        self.assertEqual(rows[refund]["bucket_2_amount"], -150.0)
        self.assertEqual(rows[invoice]["days_overdue"], 25)
        self.assertEqual(rows[invoice]["bucket_1_amount"], 500.0)
        totals = self._totals("2026-03-01")
        self.assertEqual(totals["residual_amount"], 350.0)
        self.assertEqual(totals["bucket_1_amount"], 500.0)
        self.assertEqual(totals["bucket_2_amount"], -150.0)
        # the "Open Credits" filter
        credits = self._ageing("2026-03-01", [("residual_amount", "<", 0)])
        self.assertEqual(list(credits), [refund])
        # a refund not yet due is a credit not due
        refund_later = self._move(
            20.0, "2026-02-20", "2026-03-20", move_type="out_refund"
        )
        rows = self._ageing("2026-03-01")
        self.assertEqual(rows[refund_later]["not_due_amount"], -20.0)
        self.assertEqual(rows[refund_later]["overdue_amount"], 0.0)
        # once the refund is used against the invoice, neither is open for it
        (self._receivable_line(invoice) + self._receivable_line(refund)).reconcile()
        rows = self._ageing("2026-03-01")
        self.assertNotIn(refund, rows)
        self.assertEqual(rows[invoice]["residual_amount"], 350.0)

    def test_bucket_boundaries(self):
        as_of = fields.Date.to_date("2026-09-30")
        moves = {
            days: self._move(
                10.0 + days, as_of - timedelta(days=days + 5), as_of - timedelta(days)
            )
            for days in (-1, 0, 1, 30, 31, 60, 61, 90, 91, 180, 181)
        }
        rows = self._ageing("2026-09-30")
        for days, move in moves.items():
            row = rows[move]
            self.assertEqual(row["days_overdue"], days)
            expected = BUCKETS[bucket_index(days)]
            for field in BUCKETS:
                self.assertEqual(
                    row[field],
                    10.0 + days if field == expected else 0.0,
                    f"{days} days overdue: {field}",
                )
            self.assertEqual(row["overdue_amount"], 10.0 + days if days > 0 else 0.0)
        self.assertEqual(rows[moves[0]]["not_due_amount"], 10.0)
        self.assertEqual(rows[moves[1]]["bucket_1_amount"], 11.0)
        self.assertEqual(rows[moves[30]]["bucket_1_amount"], 40.0)
        self.assertEqual(rows[moves[31]]["bucket_2_amount"], 41.0)
        self.assertEqual(rows[moves[180]]["bucket_4_amount"], 190.0)
        self.assertEqual(rows[moves[181]]["bucket_5_amount"], 191.0)

    def test_company_bucket_limits(self):
        as_of = fields.Date.to_date("2026-09-30")
        move_15 = self._move(100.0, as_of - timedelta(days=20), as_of - timedelta(15))
        move_45 = self._move(200.0, as_of - timedelta(days=50), as_of - timedelta(45))
        move_200 = self._move(300.0, as_of - timedelta(220), as_of - timedelta(200))
        rows = self._ageing("2026-09-30")
        self.assertEqual(rows[move_15]["bucket_1_amount"], 100.0)
        self.assertEqual(rows[move_45]["bucket_2_amount"], 200.0)
        self.assertEqual(rows[move_200]["bucket_5_amount"], 300.0)
        labels = self.Ageing.fields_get(list(BUCKETS), ["string"])
        self.assertEqual(labels["bucket_1_amount"]["string"], "1-30 Days")
        self.assertEqual(labels["bucket_5_amount"]["string"], "Over 180 Days")

        self.env["res.config.settings"].create(
            {
                "receivable_ageing_limit_1": 10,
                "receivable_ageing_limit_2": 20,
                "receivable_ageing_limit_3": 40,
                "receivable_ageing_limit_4": 365,
            }
        ).execute()
        self.assertEqual(self.company._receivable_ageing_limits(), (10, 20, 40, 365))
        rows = self._ageing("2026-09-30")
        self.assertEqual(rows[move_15]["bucket_2_amount"], 100.0)
        self.assertEqual(rows[move_45]["bucket_4_amount"], 200.0)
        self.assertEqual(rows[move_200]["bucket_4_amount"], 300.0)
        self.assertEqual(rows[move_200]["bucket_5_amount"], 0.0)
        labels = self.Ageing.fields_get(list(BUCKETS), ["string"])
        self.assertEqual(
            [labels[field]["string"] for field in BUCKETS],
            [
                "Not Due",
                "1-10 Days",
                "11-20 Days",
                "21-40 Days",
                "41-365 Days",
                "Over 365 Days",
            ],
        )

    def test_company_bucket_limits_refused(self):
        for limits in ((30, 30, 90, 180), (60, 30, 90, 180), (0, 30, 90, 180)):
            with self.subTest(limits=limits), self.assertRaises(ValidationError) as err:
                self.company.write(
                    {
                        f"receivable_ageing_limit_{index}": limit
                        for index, limit in enumerate(limits, start=1)
                    }
                )
                self.company.flush_recordset()
            self.assertIn("four increasing numbers of days", str(err.exception))
        with self.assertRaises(ValidationError):
            self.company.credit_hold_limit = -1.0
            self.company.flush_recordset()

    def test_customer_is_the_commercial_partner(self):
        contact = self.env["res.partner"].create(
            {"name": "Accounts Desk", "parent_id": self.customer.id, "type": "invoice"}
        )
        invoice = self._move(80.0, "2026-05-01", partner=contact)
        self.assertEqual(
            self.Ageing.with_context(as_of_date="2026-05-10")
            .search([("move_id", "=", invoice.id)])
            .partner_id,
            self.customer,
        )

    def test_report_read_does_not_grow_with_rows(self):
        for day in range(1, 3):
            self._move(10.0 * day, f"2026-04-{day:02d}")
        report = self.Ageing.with_context(as_of_date="2026-06-30")
        names = ["partner_id", "contract_id", "move_id", "days_overdue", *MEASURES]

        def read():
            self.env.invalidate_all()
            rows = report.search_read([], names)
            report.read_group([], [f"{f}:sum" for f in MEASURES], ["partner_id"])
            return rows

        self.env.flush_all()
        read()  # warm the caches of the views, rules, and translations
        queries_before = self.cr.sql_log_count
        self.assertEqual(len(read()), 2)
        queries = self.cr.sql_log_count - queries_before
        for day in range(3, 23):
            self._move(10.0 * day, f"2026-04-{day:02d}", partner=self.customer_south)
        self.env.flush_all()
        with self.assertQueryCount(queries):
            self.assertEqual(len(read()), 22)


@tagged("post_install", "-at_install")
class TestReceivableAccess(ReceivablesCommon):
    """Who sees which rows: the back office all of their companies', a
    salesperson their own, and another company's rows stay there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_mine = cls._move(100.0, "2026-05-01", user=cls.user_salesman)
        cls.invoice_other = cls._move(
            200.0,
            "2026-05-02",
            partner=cls.customer_south,
            user=cls.user_salesman_other,
        )
        cls.company_2 = cls.setup_other_company(name="Other Receivables Company")[
            "company"
        ]
        cls.invoice_company_2 = cls._move(
            300.0, "2026-05-03", company=cls.company_2, user=cls.user_salesman
        )

    def test_salesman_sees_own_rows_only(self):
        rows = self._ageing("2026-06-30", user=self.user_salesman)
        self.assertEqual(list(rows), [self.invoice_mine])
        rows = self._ageing("2026-06-30", user=self.user_salesman_other)
        self.assertEqual(list(rows), [self.invoice_other])

    def test_backoffice_sees_all_of_its_companies(self):
        for user in (self.user_backoffice, self.user_manager):
            rows = self._ageing("2026-06-30", user=user)
            self.assertEqual(set(rows), {self.invoice_mine, self.invoice_other})

    def test_other_company_isolated(self):
        self.assertEqual(self.invoice_company_2.company_id, self.company_2)
        # its own salesperson does not see it without access to the company
        for user in (self.user_salesman, self.user_manager):
            rows = self._ageing("2026-06-30", user=user)
            self.assertNotIn(self.invoice_company_2, rows)
        # a user of both companies sees both, each row with its company
        self.user_manager.company_ids |= self.company_2
        report = (
            self.Ageing.with_user(self.user_manager)
            .with_context(
                as_of_date="2026-06-30",
                allowed_company_ids=[self.company.id, self.company_2.id],
            )
            .search([])
        )
        self.assertIn(self.invoice_company_2, report.move_id)
        self.assertEqual(
            report.filtered(lambda r: r.move_id == self.invoice_company_2).company_id,
            self.company_2,
        )
        # the statement and the partner's amount are per company
        statement = self.Ageing._statements(self.customer, self.company, "2026-06-30")
        self.assertEqual(
            statement[self.customer.id]["totals"]["residual_amount"], 100.0
        )

    def test_salesman_cannot_send_reminders(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user_salesman).action_send_payment_reminder()


@tagged("post_install", "-at_install")
class TestCreditHold(ReceivablesCommon):
    """Confirming an order of a customer with too much overdue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env.user)
        # 1,000 overdue (40 days), 5,000 not yet due
        cls.overdue = cls._move(1000.0, today - timedelta(70), today - timedelta(40))
        cls._move(5000.0, today - timedelta(5), today + timedelta(25))
        cls.company.write({"credit_hold_enabled": True, "credit_hold_limit": 800.0})

    def _quotation(self, partner=None):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product_bed.id, "product_uom_qty": 1}
                    )
                ],
            }
        )

    def test_credit_hold_refuses(self):
        order = self._quotation()
        with self.assertRaises(UserError) as err:
            order.action_confirm()
        message = str(err.exception)
        self.assertIn("Alpha Hospital", message)
        self.assertIn("1,000.00", message)
        self.assertIn("800.00", message)
        self.assertIn("Credit Hold Override", message)
        self.assertEqual(order.state, "draft")

    def test_credit_hold_under_the_limit_or_disabled(self):
        # what is not yet due does not count; another customer is free
        self._quotation(partner=self.customer_south).action_confirm()
        self.company.credit_hold_limit = 1000.0  # "passes" the limit: above it
        self._quotation().action_confirm()
        self.company.write({"credit_hold_limit": 0.0, "credit_hold_enabled": False})
        self._quotation().action_confirm()

    def test_credit_hold_collected(self):
        self._pay(self.overdue, 300.0, fields.Date.context_today(self.env.user))
        order = self._quotation()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_credit_hold_overridden_by_manager(self):
        order = self._quotation().with_context(
            tracking_disable=False, mail_notrack=False
        )
        self.env.flush_all()
        self.cr.precommit.run()  # as if created in an earlier transaction
        order.with_user(self.user_manager).credit_hold_override = True
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.env.flush_all()
        self.cr.precommit.run()  # the tracking values
        order.invalidate_recordset(["message_ids"])
        notes = order.message_ids.mapped("body")
        self.assertTrue(
            any("Confirmed under a credit hold override" in body for body in notes),
            notes,
        )
        self.assertIn(
            "credit_hold_override",
            order.message_ids.tracking_value_ids.field_id.mapped("name"),
        )

    def test_credit_hold_override_manager_only(self):
        order = self._quotation()
        for user in (self.user_backoffice, self.user_salesman):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                order.with_user(user).credit_hold_override = True
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.user_backoffice).create(
                {"partner_id": self.customer.id, "credit_hold_override": True}
            )


@tagged("post_install", "-at_install")
class TestReceivableDocuments(ReceivablesCommon):
    """The statement of account and the payment reminders, on contract
    invoices and others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.external_report_layout_id = cls.env.ref(
            "web.external_layout_standard"
        )
        # invoices fall due on their date
        cls.customer.property_payment_term_id = cls.env.ref(
            "account.account_payment_term_immediate"
        )
        cls.contract = cls._activate(
            cls._create_contract([(cls.product_bed, 10, 100.0, 0.0)]),
            date_signed="2026-01-10",
        )
        cls.order = cls._order(cls.contract, {cls.product_bed: 10}, "2026-02-01")
        cls._deliver(cls.order, {cls.product_bed: 6}, "2026-02-10")
        # 6 beds: 660.00 with tax, due on its date
        cls.contract_invoice = cls._invoice(cls.order, "2026-03-01")
        cls._pay(cls.contract_invoice, 160.0, "2026-03-20")
        # an invoice and a refund without a contract
        cls.other_invoice = cls._move(250.0, "2026-05-01", "2026-05-31")
        cls.refund = cls._move(40.0, "2026-06-01", "2026-07-01", move_type="out_refund")
        cls.as_of = "2026-06-30"

    def test_contract_rows(self):
        self.assertEqual(self.contract_invoice.sales_contract_id, self.contract)
        rows = self.Ageing.with_context(as_of_date=self.as_of).search(
            [("contract_id", "=", self.contract.id)]
        )
        self.assertEqual(rows.move_id, self.contract_invoice)
        self.assertEqual(rows.residual_amount, 500.0)
        self.assertEqual(rows.user_id, self.user_salesman)
        self.assertEqual(rows.district_id, self.district_alpha)
        self.assertEqual(rows.district_level1_id, self.region_north)
        self.assertEqual(rows.days_overdue, 121)
        self.assertEqual(rows.bucket_3_amount, 0.0)
        self.assertEqual(rows.bucket_4_amount, 500.0)

    def test_receivables_per_contract(self):
        PerContract = self.env["sales.receivable.contract.report"]
        self.env.flush_all()
        rows = PerContract.with_context(as_of_date=self.as_of).search(
            [("partner_id", "=", self.customer.id)]
        )
        by_contract = {row.contract_id: row for row in rows}
        self.assertEqual(set(by_contract), {self.contract, self.contract.browse()})
        row = by_contract[self.contract]
        self.assertEqual(
            (row.invoiced_amount, row.collected_amount, row.outstanding_amount),
            (660.0, 160.0, 500.0),
        )
        self.assertEqual(row.residual_amount, 500.0)
        self.assertEqual(row.bucket_4_amount, 500.0)
        # the same figures as the contract's own, as of today
        self.contract.invalidate_recordset()
        today = PerContract.search([("contract_id", "=", self.contract.id)])
        self.assertEqual(
            (today.invoiced_amount, today.collected_amount, today.outstanding_amount),
            (
                self.contract.amount_invoiced,
                self.contract.amount_collected,
                self.contract.amount_outstanding,
            ),
        )
        # without a contract: the invoice less the refund, nothing collected
        other = by_contract[self.contract.browse()]
        self.assertEqual(
            (other.invoiced_amount, other.collected_amount, other.outstanding_amount),
            (210.0, 0.0, 210.0),
        )
        self.assertEqual(other.bucket_1_amount, 250.0)
        self.assertEqual(other.not_due_amount, -40.0)
        # per customer, equal to the ageing's total
        totals = self._totals(self.as_of, [("partner_id", "=", self.customer.id)])
        groups = PerContract.with_context(as_of_date=self.as_of)._read_group(
            [("partner_id", "=", self.customer.id)],
            [],
            ["residual_amount:sum", "outstanding_amount:sum", "invoiced_amount:sum"],
        )
        self.assertEqual(groups[0], (totals["residual_amount"], 710.0, 870.0))
        # before the payment: nothing collected yet
        row = PerContract.with_context(as_of_date="2026-03-10").search(
            [("contract_id", "=", self.contract.id)]
        )
        self.assertEqual(
            (row.invoiced_amount, row.collected_amount, row.residual_amount),
            (660.0, 0.0, 660.0),
        )

    def _render(self, report, records, data=None):
        content, content_type = self.env["ir.actions.report"]._render_qweb_html(
            report, records.ids, data=data
        )
        self.assertEqual(content_type, "html")
        return html.fromstring(content)

    def test_statement_renders(self):
        tree = self._render(
            "sales_backoffice.report_customer_statement",
            self.customer,
            {"as_of_date": self.as_of},
        )
        text = _text(tree)
        self.assertIn("Statement of Account", text)
        self.assertIn("As of: 06/30/2026", text)
        # one group per contract, the items without one last
        groups = [_text(tr) for tr in tree.xpath("//tr[hasclass('o_statement_group')]")]
        self.assertEqual(len(groups), 2)
        self.assertIn(self.contract.name, groups[0])
        self.assertIn("Without a contract", groups[1])
        lines = [
            [_text(td) for td in tr.xpath("./td")]
            for tr in tree.xpath("//tr[hasclass('o_statement_line')]")
        ]
        self.assertEqual(
            [line[0] for line in lines],
            [self.contract_invoice.name, self.other_invoice.name, self.refund.name],
        )
        self.assertIn("500.00", lines[0][5])
        self.assertIn("660.00", lines[0][4])
        self.assertEqual(lines[0][3], "121")
        self.assertIn("-40.00", lines[2][5])
        # the ageing totals are the report's
        totals = self._totals(self.as_of, [("partner_id", "=", self.customer.id)])
        self.assertEqual(totals["residual_amount"], 710.0)
        header = [
            _text(th)
            for th in tree.xpath("//table[hasclass('o_statement_ageing')]//th")
        ]
        self.assertEqual(
            header[1:],
            [
                "Not Due",
                "1-30 Days",
                "31-60 Days",
                "61-90 Days",
                "91-180 Days",
                "Over 180 Days",
                "Total",
            ],
        )
        total_row = [
            _text(td) for td in tree.xpath("//tr[hasclass('o_statement_total')]/td")
        ]
        self.assertEqual(total_row[0], "Total")
        for cell, field in zip(
            total_row[1:], (*BUCKETS, "residual_amount"), strict=True
        ):
            self.assertIn(f"{totals[field]:,.2f}", cell, field)
        self.assertIn("710.00", total_row[-1])

    def test_statement_earlier_date_and_contract(self):
        # before the payment: the whole contract invoice is open
        tree = self._render(
            "sales_backoffice.report_contract_statement",
            self.contract,
            {"as_of_date": "2026-03-10"},
        )
        lines = tree.xpath("//tr[hasclass('o_statement_line')]")
        self.assertEqual(len(lines), 1)
        self.assertIn("660.00", _text(lines[0]))
        self.assertIn(self.contract.name, _text(tree))
        self.assertNotIn(self.other_invoice.name, _text(tree))

    def test_customer_reminder_logged_and_queued(self):
        self.customer.with_user(self.user_backoffice).action_send_payment_reminder()
        message = self.customer.message_ids[0]
        self.assertEqual(message.message_type, "comment")
        self.assertIn("payment reminder", message.subject)
        self.assertIn(self.customer, message.partner_ids)
        self.assertTrue(message.attachment_ids, "the statement is attached")
        self.assertIn("710.00", message.body)
        self.assertEqual(message.author_id, self.user_backoffice.partner_id)
        mail = self.env["mail.mail"].search(
            [
                ("mail_message_id", "=", message.id),
                ("recipient_ids", "in", self.customer.ids),
            ]
        )
        self.assertEqual(mail.state, "outgoing")

    def test_contract_reminder_logged_and_queued(self):
        self.contract.with_user(self.user_backoffice).action_send_payment_reminder()
        message = self.contract.message_ids[0]
        self.assertIn(self.contract.name, message.subject)
        self.assertIn("500.00", message.body)
        self.assertTrue(message.attachment_ids)
        self.assertIn(self.customer, message.partner_ids)
        mail = self.env["mail.mail"].search(
            [
                ("mail_message_id", "=", message.id),
                ("recipient_ids", "in", self.customer.ids),
            ]
        )
        self.assertEqual(mail.state, "outgoing")

    def test_reminder_refused(self):
        nothing_owed = self.env["res.partner"].create(
            {"name": "Paid Up", "email": "paid@example.com"}
        )
        with self.assertRaises(UserError):
            nothing_owed.action_send_payment_reminder()
        self.customer.email = False
        with self.assertRaises(UserError) as err:
            self.customer.action_send_payment_reminder()
        self.assertIn("no email address", str(err.exception))

    def test_wizard_opens_at_the_date(self):
        wizard = self.env["sales.receivable.ageing.wizard"].create(
            {
                "as_of_date": "2026-03-10",
                "partner_ids": [Command.set(self.customer.ids)],
            }
        )
        action = wizard.action_show()
        self.assertEqual(action["context"]["as_of_date"], "2026-03-10")
        rows = self.Ageing.with_context(**action["context"]).search(action["domain"])
        self.assertEqual(rows.move_id, self.contract_invoice)
        action = wizard.action_print_statements()
        self.assertEqual(action["data"]["partner_ids"], self.customer.ids)

    def test_smart_buttons(self):
        action = self.customer.action_view_receivables()
        self.assertEqual(action["res_model"], "sales.receivable.ageing.report")
        self.assertEqual(self.customer.receivable_open_amount, 710.0)
        action = self.contract.action_view_receivables()
        self.env.flush_all()
        self.assertEqual(
            self.Ageing.search(action["domain"]).move_id, self.contract_invoice
        )
