import datetime
import unittest
from decimal import ROUND_HALF_UP, Decimal

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models import tpch_data
from ..models.tpch_loader import AGEING_MODEL, LEDGER_MODEL
from ..models.tpch_replay import PROGRESS_PARAM

TERM = datetime.timedelta(days=tpch_data.PAYMENT_TERM_DAYS)


def analyze(env):
    """Refresh PostgreSQL's statistics within the test transaction (ANALYZE
    counts its own uncommitted rows): the tables were near empty when last
    analyzed, and the reports' plans for near empty tables can take minutes
    on the loaded rows."""
    env.flush_all()
    env.cr.execute("ANALYZE")


@tagged("post_install", "-at_install")
class TestTpchSubset(TransactionCase):
    """Load the deterministic TPC-H subset through the standard flows and
    compare the statistics report with DuckDB's independent figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.env["ir.config_parameter"].sudo().get_param(PROGRESS_PARAM):
            raise unittest.SkipTest("This database already holds a TPC-H load.")
        cls.loader = cls.env["sales.backoffice.tpch.loader"]
        cls.data = cls.loader._tpch_data(sf=0.01, subset=True)
        cls.stats = cls.loader.load(data=cls.data, subset=True, commit=False)
        analyze(cls.env)

    def _report_text(self, comparison):
        return "\n".join(self.loader.format_comparison(comparison))

    def test_subset_covers_the_cases(self):
        keys = self.data.order_keys()
        self.assertEqual(
            keys, self.loader._tpch_data(sf=0.01, subset=True).order_keys()
        )
        self.assertGreaterEqual(len(keys), 30)
        con = self.data.con
        partial, early, late = con.execute(
            """
            SELECT COUNT(*) FILTER (WHERE delivered AND undelivered),
                   COUNT(*) FILTER (WHERE early_return),
                   COUNT(*) FILTER (WHERE late_return)
            FROM (
                SELECT l_orderkey,
                       bool_or(is_delivered) AS delivered,
                       bool_or(NOT is_delivered) AS undelivered,
                       bool_or(is_returned AND l_receiptdate <= invoice_date)
                           AS early_return,
                       bool_or(is_returned AND l_receiptdate > invoice_date)
                           AS late_return
                FROM li GROUP BY l_orderkey
            )
            """
        ).fetchone()
        self.assertGreaterEqual(
            partial, 5, "orders partly delivered at the current date"
        )
        self.assertGreaterEqual(early, 5, "returns before the invoice")
        self.assertGreaterEqual(late, 5, "returns after the invoice (credit notes)")
        summary = self.data.summary()
        self.assertEqual(summary["regions"], 5)
        self.assertGreaterEqual(summary["nations"], 10)
        self.assertGreaterEqual(summary["quarters"], 8)
        self.assertEqual(self.stats["contracts"], len(keys))
        self.assertEqual(self.stats["sale_orders"], len(keys))
        self.assertEqual(self.stats["invoices"], summary["invoices"])
        self.assertEqual(self.stats["refunds"], summary["refunds"])

    def test_subset_covers_the_payment_cases(self):
        """Payments before and after the current date, half payments of
        customers with a negative balance, credit notes before and after
        the payment (so open credits), a credit note on the payment day,
        collections over several months."""
        con = self.data.con
        rows = con.execute(
            f"""
            WITH {self.data._receivables_sql()},
            due AS (
                SELECT i.o_orderkey, c.c_acctbal,
                       i.day + CAST(i.o_orderkey % {tpch_data.PAYMENT_DAY_MODULO}
                                    AS INTEGER) AS pay_day
                FROM inv i JOIN customer c ON c.c_custkey = i.o_custkey
            )
            SELECT
                COUNT(*) FILTER (WHERE pay_day <= DATE '{tpch_data.CURRENT_DATE}'),
                COUNT(*) FILTER (WHERE pay_day > DATE '{tpch_data.CURRENT_DATE}'),
                COUNT(*) FILTER (WHERE c_acctbal < 0 AND o_orderkey IN (
                    SELECT o_orderkey FROM pay)),
                (SELECT COUNT(*) FROM ref_applied r JOIN pay p USING (o_orderkey)
                  WHERE r.day < p.day),
                (SELECT COUNT(*) FROM ref_applied r JOIN pay p USING (o_orderkey)
                  WHERE r.day = p.day),
                (SELECT COUNT(*) FROM ref_applied r JOIN pay p USING (o_orderkey)
                  WHERE r.day > p.day),
                (SELECT COUNT(*) FROM ref_applied WHERE applied < amount),
                (SELECT COUNT(DISTINCT date_trunc('month', day)) FROM pay)
            FROM due
            """
        ).fetchone()
        (
            paid,
            unpaid,
            half_paid,
            refund_before,
            refund_same_day,
            refund_after,
            open_credits,
            months,
        ) = rows
        self.assertGreaterEqual(paid, 10, "payments on or before the current date")
        self.assertGreaterEqual(unpaid, 5, "payment dates after the current date")
        self.assertGreaterEqual(half_paid, 3, "customers of negative balance")
        self.assertGreaterEqual(refund_before, 5, "credit notes before the payment")
        self.assertGreaterEqual(refund_same_day, 1, "credit note on the payment day")
        self.assertGreaterEqual(refund_after, 3, "credit notes after the payment")
        self.assertGreaterEqual(open_credits, 2, "credit notes left open")
        self.assertGreaterEqual(months, 12, "collections of several months")
        self.assertEqual(self.stats["payments"], paid - self._zero_residuals())

    def _zero_residuals(self):
        """Invoices whose payment date comes after credit notes for all of
        them: nothing left to pay."""
        return self.data.con.execute(
            f"""
            WITH {self.data._receivables_sql()}
            SELECT COUNT(*) FROM pay_residual WHERE residual <= 0
            """
        ).fetchone()[0]

    def _tpch_moves(self, move_type):
        return self.env["account.move"].search(
            [
                ("move_type", "=", move_type),
                ("partner_id.ref", "=like", "TPCH-C%"),
            ]
        )

    def test_invoices_fall_due_after_30_days(self):
        """Each invoice and credit note is under the 30-days term and falls
        due 30 days after its date (not on the day it was loaded), on its
        receivable line too."""
        contracts = self.env["sales.contract"].search(
            [("sale_order_ids.client_order_ref", "=like", "TPCH-O%")]
        )
        self.assertEqual(len(contracts), len(self.data.order_keys()))
        term = contracts.payment_term_id
        self.assertEqual(len(term), 1)
        self.assertEqual(len(term.line_ids), 1)
        self.assertEqual(term.line_ids.nb_days, 30)
        today = fields.Date.context_today(self.env.user)
        moves = self._tpch_moves("out_invoice") | self._tpch_moves("out_refund")
        self.assertEqual(
            len(moves), self.stats["invoices"] + self.stats["refunds"], "moves"
        )
        for move in moves:
            self.assertEqual(move.invoice_payment_term_id, term, move.name)
            self.assertEqual(move.invoice_date_due, move.invoice_date + TERM)
            self.assertNotEqual(move.invoice_date_due, today)
            receivable = move.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            self.assertEqual(len(receivable), 1, move.name)
            self.assertEqual(receivable.date_maturity, move.invoice_date + TERM)

    def test_payments_follow_the_rule(self):
        """One posted inbound customer payment per invoice paid, in a bank
        journal, on the payment date, of the rule's amount, reconciled with
        the invoice; credit notes reconciled as far as the invoice was
        open."""
        orders = {o["o_orderkey"]: o for o in self.data.orders()}
        acctbal = {c["c_custkey"]: c["c_acctbal"] for c in self.data.customers()}
        expected = {
            key: (day, tpch_data.cents_to_decimal(cents))
            for key, day, cents in self.data.con.execute(
                f"WITH {self.data._receivables_sql()} SELECT * FROM pay"
            ).fetchall()
        }
        payments = self.env["account.payment"].search(
            [("partner_id.ref", "=like", "TPCH-C%")]
        )
        self.assertEqual(len(payments), len(expected))
        self.assertTrue(
            any(acctbal[orders[key]["o_custkey"]] < 0 for key in expected),
            "a half payment",
        )
        for payment in payments:
            self.assertEqual(payment.payment_type, "inbound")
            self.assertEqual(payment.partner_type, "customer")
            self.assertEqual(payment.journal_id.type, "bank")
            self.assertEqual(payment.move_id.state, "posted")
            invoice = payment.reconciled_invoice_ids
            self.assertEqual(len(invoice), 1, payment.memo)
            self.assertEqual(payment.memo, invoice.name)
            order_ref = invoice.invoice_line_ids.sale_line_ids.order_id
            key = int(order_ref.client_order_ref[6:])
            day, amount = expected[key]
            order = orders[key]
            self.assertEqual(
                payment.date,
                tpch_data.payment_date(key, order["invoice_date"]),
            )
            self.assertEqual(payment.date, day)
            self.assertEqual(tpch_data.to_cents(payment.amount), amount)
            self.assertEqual(payment.move_id.date, day)
            total = tpch_data.to_cents(invoice.amount_total)
            if acctbal[order["o_custkey"]] < 0:
                half = (total / 2).quantize(tpch_data.CENT, rounding=ROUND_HALF_UP)
                self.assertLessEqual(amount, half)
            counterpart = payment.move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            self.assertTrue(counterpart.reconciled)
        # what the credit notes did not settle stays open, as the DuckDB
        # reference has it
        refunds = self._tpch_moves("out_refund")
        self.assertTrue(refunds.filtered(lambda m: m.amount_residual))
        self.assertTrue(refunds.filtered(lambda m: not m.amount_residual))
        open_credit = sum(tpch_data.to_cents(m.amount_residual) for m in refunds)
        expected_credit = tpch_data.cents_to_decimal(
            self.data.con.execute(
                f"WITH {self.data._receivables_sql()} "
                "SELECT SUM(amount - applied) FROM ref_applied"
            ).fetchone()[0]
        )
        self.assertEqual(open_credit, expected_credit)
        self.assertGreater(open_credit, 0)

    def test_collection_plan_is_the_payment_term(self):
        """Every TPC-H contract's plan: one instalment of its total, due 30
        days after its sign date."""
        if "sales.contract.instalment" not in self.env:
            self.skipTest("sales_backoffice has no collection plan yet")
        contracts = self.env["sales.contract"].search(
            [("sale_order_ids.client_order_ref", "=like", "TPCH-O%")]
        )
        self.assertEqual(len(contracts), len(self.data.order_keys()))
        for contract in contracts:
            plan = contract.instalment_ids
            self.assertEqual(len(plan), 1, contract.name)
            self.assertEqual(plan.due_date, contract.date_signed + TERM)
            self.assertEqual(
                tpch_data.to_cents(plan.amount),
                tpch_data.to_cents(contract.amount_total),
            )

    def _skip_without(self, model):
        if model not in self.env:
            self.skipTest(f"not installed yet: {model}")

    def _receivables_text(self, comparison):
        return "\n".join(self.loader.format_receivables_comparison(comparison))

    def test_collections_equal_duckdb(self):
        self._skip_without(LEDGER_MODEL)
        comparison = self.loader.compare_receivables(self.data)
        text = self._receivables_text(comparison)
        names = [name for name in comparison if name.startswith("collected")]
        self.assertEqual(len(names), 2, text)
        for name in names:
            expected, actual, differences, fields_ = comparison[name]
            self.assertGreaterEqual(len(expected), 12, name)
            self.assertEqual(len(actual), len(expected), text)
            self.assertEqual(differences, [], text)
            totals = tpch_data.totals(expected, fields_)
            self.assertGreater(totals["collected_amount"], 0, name)

    def test_ageing_equals_duckdb(self):
        self._skip_without(AGEING_MODEL)
        comparison = self.loader.compare_receivables(self.data, levels=())
        text = self._receivables_text(comparison)
        ((expected, actual, differences, fields_),) = comparison.values()
        self.assertEqual(len(actual), len(expected), text)
        self.assertEqual(differences, [], text)
        totals = tpch_data.totals(expected, fields_)
        self.assertGreater(totals["not_due_amount"], 0)
        self.assertGreater(totals["bucket_1_amount"], 0)
        self.assertTrue(
            any(
                value < 0 for figures in expected.values() for value in figures.values()
            ),
            "an open credit",
        )

    def _pay_one_cent_more(self):
        """One more cent collected on a half-paid (still open) invoice: its
        payment's reconciliation and the invoice's residual. Returns the
        partial reconciliation."""
        partial = self.env["account.partial.reconcile"].search(
            [
                ("debit_move_id.move_id.move_type", "=", "out_invoice"),
                ("debit_move_id.reconciled", "=", False),
                ("credit_move_id.move_id.origin_payment_id", "!=", False),
                ("debit_move_id.partner_id.ref", "=like", "TPCH-C%"),
            ],
            limit=1,
        )
        self.assertTrue(partial)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE account_partial_reconcile
                      SET amount = amount + 0.01,
                          debit_amount_currency = debit_amount_currency + 0.01,
                          credit_amount_currency = credit_amount_currency + 0.01
                    WHERE id = %s""",
                partial.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE account_move_line
                      SET amount_residual = amount_residual - 0.01,
                          amount_residual_currency = amount_residual_currency - 0.01
                    WHERE id = %s""",
                partial.debit_move_id.id,
            )
        )
        self.env.invalidate_all()
        return partial

    def test_collections_comparison_shows_a_real_mismatch(self):
        """A cent more in the expected figures, or one more cent collected
        in Odoo, is reported."""
        self._skip_without(LEDGER_MODEL)
        expected = self.data.expected_collections("nation")
        key = sorted(expected)[0]
        altered = {k: dict(v) for k, v in expected.items()}
        altered[key]["collected_amount"] += Decimal("0.01")
        differences = tpch_data.compare(
            altered,
            self.loader.collection_figures("nation"),
            tpch_data.COLLECTION_FIELDS,
        )
        self.assertEqual(
            [(k, f) for k, f, _e, _a in differences], [(key, "collected_amount")]
        )

        partial = self._pay_one_cent_more()
        comparison = self.loader.compare_receivables(self.data, levels=("nation",))
        differences = comparison["collected by nation x month"][2]
        partner = partial.debit_move_id.partner_id
        self.assertEqual(
            [(k, f, a - e) for k, f, e, a in differences],
            [
                (
                    (partner.sales_district_id.code, partial.max_date.replace(day=1)),
                    "collected_amount",
                    Decimal("0.01"),
                )
            ],
        )

    def test_ageing_comparison_shows_a_real_mismatch(self):
        """A cent more in the expected ageing, or one more cent collected
        in Odoo, is reported."""
        self._skip_without(AGEING_MODEL)
        expected = self.data.expected_ageing()
        key = sorted(expected)[0]
        altered = {k: dict(v) for k, v in expected.items()}
        field = next(f for f, v in altered[key].items() if v)
        altered[key][field] += Decimal("0.01")
        differences = tpch_data.compare(
            altered, self.loader.ageing_figures(), tpch_data.AGEING_FIELDS
        )
        self.assertEqual([(k, f) for k, f, _e, _a in differences], [(key, field)])

        partial = self._pay_one_cent_more()
        comparison = self.loader.compare_receivables(self.data, levels=())
        ((_e, _a, differences, _f),) = comparison.values()
        self.assertEqual(len(differences), 1, differences)
        key, _field, exp_value, act_value = differences[0]
        self.assertEqual(key, (partial.debit_move_id.partner_id.ref,))
        self.assertEqual(act_value - exp_value, Decimal("-0.01"))

    def test_report_equals_duckdb(self):
        comparison = self.loader.compare(self.data)
        for level, (expected, actual, differences) in comparison.items():
            self.assertTrue(expected, level)
            self.assertEqual(len(actual), len(expected), self._report_text(comparison))
            self.assertEqual(differences, [], self._report_text(comparison))
        # every figure has data, so the equality is not vacuous
        totals = tpch_data.totals(comparison["region"][0])
        for field in tpch_data.FIELDS:
            self.assertGreater(totals[field], 0, field)

    def test_comparison_shows_a_real_mismatch(self):
        """A change of one cent in Odoo's data, or in the expected figures,
        is reported."""
        expected = self.data.expected("region")
        key = sorted(expected)[0]
        altered = {k: dict(v) for k, v in expected.items()}
        altered[key]["amount_invoiced_total"] += Decimal("0.01")
        differences = tpch_data.compare(altered, self.loader.report_figures("region"))
        self.assertEqual(
            [(k, f) for k, f, _e, _a in differences], [(key, "amount_invoiced_total")]
        )

        invoice_line = self.env["account.move.line"].search(
            [
                ("move_id.move_type", "=", "out_invoice"),
                ("move_id.state", "=", "posted"),
                ("display_type", "=", "product"),
                ("sale_line_ids.order_id.client_order_ref", "=like", "TPCH-O%"),
            ],
            limit=1,
        )
        self.assertTrue(invoice_line)
        # one cent more on the invoice line, as a wrong rounding would do
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE account_move_line SET price_subtotal = price_subtotal + 0.01 "
                "WHERE id = %s",
                invoice_line.id,
            )
        )
        self.env.invalidate_all()
        differences = self.loader.compare(self.data, levels=("nation",))["nation"][2]
        self.assertEqual(
            sorted({f for _k, f, _e, _a in differences}),
            ["amount_invoiced", "amount_invoiced_net"],
        )
        self.assertEqual(len(differences), 2)
        for _key, _field, exp_value, act_value in differences:
            self.assertEqual(abs(act_value - exp_value), Decimal("0.01"))

    def test_documents_carry_the_tpch_dates(self):
        orders = {o["o_orderkey"]: o for o in self.data.orders()}
        sale_orders = self.env["sale.order"].search(
            [("client_order_ref", "in", [f"TPCH-O{k}" for k in orders])]
        )
        self.assertEqual(len(sale_orders), len(orders))
        for sale_order in sale_orders:
            order = orders[int(sale_order.client_order_ref[6:])]
            self.assertEqual(sale_order.state, "sale")
            self.assertEqual(sale_order.date_order.date(), order["o_orderdate"])
            contract = sale_order.contract_id
            self.assertEqual(contract.state, "active")
            self.assertEqual(contract.date_signed, order["o_orderdate"])
            lines = {line["l_linenumber"]: line for line in order["lines"]}
            for so_line in sale_order.order_line:
                line = lines[so_line.sequence]
                for move in so_line.move_ids.filtered(lambda m: m.state == "done"):
                    day = (
                        line["l_receiptdate"]
                        if move.origin_returned_move_id
                        else line["l_shipdate"]
                    )
                    self.assertEqual(move.date.date(), day)
                    self.assertEqual(move.picking_id.date_done.date(), day)
                    self.assertEqual(
                        set(move.move_line_ids.mapped("date")), {move.date}
                    )
            invoices = sale_order.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice"
            )
            refunds = sale_order.invoice_ids.filtered(
                lambda m: m.move_type == "out_refund"
            )
            if order["invoice_date"]:
                self.assertEqual(len(invoices), 1)
                self.assertEqual(invoices.invoice_date, order["invoice_date"])
                self.assertEqual(invoices.date, order["invoice_date"])
                self.assertEqual(invoices.state, "posted")
            else:
                self.assertFalse(invoices)
            refund_days = {
                line["l_receiptdate"]
                for line in order["lines"]
                if line["is_returned"] and line["l_receiptdate"] > order["invoice_date"]
            }
            self.assertEqual(set(refunds.mapped("invoice_date")), refund_days)
            self.assertEqual(len(refunds), len(refund_days))
            self.assertTrue(all(m.state == "posted" for m in refunds))


@tagged("post_install", "-at_install")
class TestTpchSubsetUntil(TransactionCase):
    """A load stopped at a date holds nothing dated after it and compares
    equal up to it; a load without the date then resumes the rest."""

    UNTIL = datetime.date(1994, 6, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.env["ir.config_parameter"].sudo().get_param(PROGRESS_PARAM):
            raise unittest.SkipTest("This database already holds a TPC-H load.")
        cls.loader = cls.env["sales.backoffice.tpch.loader"]
        cls.data = cls.loader._tpch_data(sf=0.01, subset=True)
        cls.stats = cls.loader.load(
            data=cls.data, subset=True, commit=False, until=cls.UNTIL
        )
        analyze(cls.env)

    def _assert_equal_to_duckdb(self, until):
        comparison = self.loader.compare(self.data, until=until)
        text = "\n".join(self.loader.format_comparison(comparison))
        for expected, actual, differences in comparison.values():
            self.assertTrue(expected)
            self.assertEqual(len(actual), len(expected), text)
            self.assertEqual(differences, [], text)
        if LEDGER_MODEL in self.env and AGEING_MODEL in self.env:
            comparison = self.loader.compare_receivables(self.data, until=until)
            text = "\n".join(self.loader.format_receivables_comparison(comparison))
            for expected, actual, differences, _f in comparison.values():
                self.assertEqual(len(actual), len(expected), text)
                self.assertEqual(differences, [], text)
        return comparison

    def test_until_then_resume(self):
        orders = self.data.orders()
        self.assertEqual(
            self.stats["orders_replayed"],
            len([o for o in orders if o["o_orderdate"] <= self.UNTIL]),
        )
        self.assertLess(self.stats["orders_replayed"], len(orders))
        tpch = [("partner_id.ref", "=like", "TPCH-C%")]
        for model, field in (
            ("sale.order", "date_order"),
            ("account.move", "date"),
            ("account.payment", "date"),
            ("stock.picking", "date_done"),
        ):
            records = self.env[model].search(tpch)
            self.assertTrue(records, model)
            dates = [
                value.date() if isinstance(value, datetime.datetime) else value
                for value in records.mapped(field)
                if value
            ]
            self.assertLessEqual(max(dates), self.UNTIL, model)
        self.assertTrue(self.data.expected("region", until=self.UNTIL))
        # not vacuous: the whole data has more than the part up to the date
        self.assertNotEqual(
            self.data.expected("region", until=self.UNTIL),
            self.data.expected("region"),
        )
        self._assert_equal_to_duckdb(self.UNTIL)

        stats = self.loader.load(data=self.data, subset=True, commit=False)
        analyze(self.env)
        self.assertEqual(
            stats["orders_replayed"], len(orders) - self.stats["orders_replayed"]
        )
        self._assert_equal_to_duckdb(None)
