import unittest
from decimal import Decimal

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models import tpch_data
from ..models.tpch_replay import PROGRESS_PARAM


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
