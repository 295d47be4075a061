from odoo.tests import tagged

from .common import SalesBackofficeCommon


@tagged("post_install", "-at_install")
class TestContractPerformance(SalesBackofficeCommon):
    """One contract followed through a partial delivery, an invoice, a
    return after the invoice and its refund, and a cancelled order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._activate(
            cls._create_contract(
                [(cls.product_bed, 10, 100.0, 10.0), (cls.product_lamp, 5, 33.33, 0.0)]
            ),
            date_signed="2026-01-10",
        )
        cls.bed_line, cls.lamp_line = cls.contract.line_ids
        cls.order = cls._order(
            cls.contract,
            {cls.product_bed: 6, cls.product_lamp: 5},
            "2026-02-01 10:00:00",
        )
        cls.delivery = cls._deliver(
            cls.order, {cls.product_bed: 4, cls.product_lamp: 5}, "2026-02-15"
        )
        cls.invoice = cls._invoice(cls.order, "2026-02-28")
        cls.returned = cls._return(cls.delivery, {cls.product_lamp: 2}, "2026-04-05")
        cls.refund = cls._invoice(cls.order, "2026-04-06", final=True)
        cancelled = cls._order(
            cls.contract, {cls.product_bed: 3}, "2026-03-01 10:00:00"
        )
        cancelled._action_cancel()
        cls.env.flush_all()

    def _performance(self, as_of=None):
        Performance = self.env["sales.contract.line.performance"]
        if as_of:
            Performance = Performance.with_context(performance_date=as_of)
        rows = Performance.search([("contract_id", "=", self.contract.id)])
        return {row.product_id: row for row in rows}

    def test_documents_are_what_the_test_says(self):
        self.assertEqual(self.invoice.move_type, "out_invoice")
        self.assertEqual(self.refund.move_type, "out_refund")
        self.assertAlmostEqual(self.refund.amount_untaxed, 66.66)
        self.assertAlmostEqual(self.invoice.amount_untaxed, 526.65)

    def test_line_performance_today(self):
        perf = self._performance()
        bed, lamp = perf[self.product_bed], perf[self.product_lamp]
        self.assertEqual(
            (
                bed.qty_contracted,
                bed.qty_ordered,
                bed.qty_delivered,
                bed.qty_returned,
                bed.qty_invoiced,
                bed.qty_remaining,
            ),
            (10, 6, 4, 0, 4, 6),
        )
        self.assertEqual(
            (
                lamp.qty_contracted,
                lamp.qty_ordered,
                lamp.qty_delivered,
                lamp.qty_returned,
                lamp.qty_invoiced,
                lamp.qty_remaining,
            ),
            (5, 5, 5, 2, 3, 2),
        )
        self.assertAlmostEqual(bed.amount_delivered, 360.0)
        self.assertAlmostEqual(lamp.amount_delivered, 166.65)
        self.assertAlmostEqual(lamp.amount_returned, 66.66)
        self.assertAlmostEqual(lamp.amount_invoiced, 166.65 - 66.66)
        self.assertAlmostEqual(bed.delivered_rate, 40.0)
        self.assertAlmostEqual(lamp.delivered_rate, 60.0)
        self.assertAlmostEqual(lamp.invoiced_rate, 60.0)
        self.assertTrue(bed.is_under_delivered, "2 beds ordered, not delivered")
        # 5 lamps ordered, 2 came back: the customer holds 3 of the 5
        self.assertTrue(lamp.is_under_delivered)
        # the same figures on the contract lines themselves
        self.assertEqual(self.lamp_line.qty_returned, 2)
        self.assertEqual(self.bed_line.qty_remaining, 6)

    def test_line_performance_as_of_past_date(self):
        perf = self._performance("2026-02-20")
        lamp = perf[self.product_lamp]
        self.assertEqual(
            (lamp.qty_delivered, lamp.qty_returned, lamp.qty_invoiced), (5, 0, 0)
        )
        self.assertEqual(perf[self.product_bed].qty_ordered, 6)
        before = self._performance("2026-01-31")
        self.assertEqual(before[self.product_bed].qty_ordered, 0)

    def test_contract_performance_row(self):
        row = self.env["sales.contract.performance"].search(
            [("contract_id", "=", self.contract.id)]
        )
        self.assertAlmostEqual(row.amount_contracted, 900.0 + 166.65)
        self.assertAlmostEqual(row.amount_ordered, 540.0 + 166.65)
        self.assertAlmostEqual(row.amount_delivered, 360.0 + 166.65 - 66.66)
        self.assertAlmostEqual(row.amount_invoiced, 526.65 - 66.66)
        self.assertAlmostEqual(row.delivered_rate, round(100 * 459.99 / 1066.65, 2))
        self.assertTrue(row.is_under_delivered)
        under = self.env["sales.contract.performance"].search(
            [("is_under_delivered", "=", True)]
        )
        self.assertIn(row, under)

    def test_statistics_each_figure_on_its_date(self):
        Report = self.env["sales.contract.performance.report"]
        domain = [("contract_id", "=", self.contract.id)]
        fields = [
            "amount_contracted",
            "amount_ordered",
            "amount_delivered",
            "amount_returned",
            "amount_invoiced",
            "amount_refunded",
            "amount_invoiced_net",
            "amount_delivered_total",
            "amount_returned_total",
        ]
        by_month = {
            month.strftime("%Y-%m"): dict(zip(fields, sums, strict=True))
            for month, *sums in Report._read_group(
                domain, ["date:month"], [f"{f}:sum" for f in fields]
            )
        }
        self.assertEqual(set(by_month), {"2026-01", "2026-02", "2026-04"})
        self.assertAlmostEqual(by_month["2026-01"]["amount_contracted"], 1066.65)
        self.assertAlmostEqual(by_month["2026-02"]["amount_ordered"], 706.65)
        self.assertAlmostEqual(by_month["2026-02"]["amount_delivered"], 526.65)
        # 396.00 + (166.65 + round(16.665) = 183.32)
        self.assertAlmostEqual(by_month["2026-02"]["amount_delivered_total"], 579.32)
        self.assertAlmostEqual(by_month["2026-02"]["amount_invoiced"], 526.65)
        self.assertAlmostEqual(by_month["2026-04"]["amount_returned"], 66.66)
        self.assertAlmostEqual(by_month["2026-04"]["amount_returned_total"], 73.33)
        self.assertAlmostEqual(by_month["2026-04"]["amount_refunded"], 66.66)
        self.assertAlmostEqual(by_month["2026-04"]["amount_invoiced_net"], -66.66)
        # the cancelled order's March date never appears
        self.assertNotIn("2026-03", by_month)

    def test_statistics_grouped_by_district_levels(self):
        Report = self.env["sales.contract.performance.report"]
        groups = Report._read_group(
            [("contract_id", "=", self.contract.id)],
            ["district_level1_id", "district_level2_id"],
            ["amount_contracted:sum"],
        )
        self.assertEqual(
            [(g[0], g[1]) for g in groups], [(self.region_north, self.district_alpha)]
        )
        region = Report._read_group(
            [("district_id", "child_of", self.region_north.id)],
            [],
            ["amount_contracted:sum"],
        )
        self.assertAlmostEqual(region[0][0], 1066.65)

    def test_months_add_up_to_quarters_and_years(self):
        wizard = self.env["sales.contract.statistics.wizard"].create(
            {"date_from": "2026-01-01", "date_to": "2026-12-31"}
        )
        rows = wizard._statistics_rows()
        Report = self.env["sales.contract.performance.report"]
        quarters = {
            f"Q{(q.month - 1) // 3 + 1} {q.year}": (untaxed, total)
            for q, untaxed, total in Report._read_group(
                wizard._report_domain(),
                ["date:quarter"],
                ["amount_invoiced_net:sum", "amount_invoiced_net_total:sum"],
            )
        }
        quarter_rows = {r["label"]: r for r in rows if r["kind"] == "quarter"}
        self.assertEqual(set(quarter_rows), set(quarters))
        for label, (untaxed, total) in quarters.items():
            self.assertAlmostEqual(
                quarter_rows[label]["values"]["amount_invoiced_net"], untaxed
            )
            self.assertAlmostEqual(
                quarter_rows[label]["values"]["amount_invoiced_net_total"], total
            )
        year = Report._read_group(
            wizard._report_domain(), ["date:year"], ["amount_delivered:sum"]
        )
        year_row = next(r for r in rows if r["kind"] == "year")
        self.assertAlmostEqual(year_row["values"]["amount_delivered"], year[0][1])
        self.assertAlmostEqual(year_row["values"]["amount_delivered"], 526.65)
        self.assertAlmostEqual(
            sum(r["values"]["amount_delivered"] for r in rows if r["kind"] == "month"),
            year_row["values"]["amount_delivered"],
        )

    def test_query_count_does_not_grow_with_lines(self):
        def count_queries(n_lines):
            contract = self._activate(
                self._create_contract([(self.product_bed, 1, 10.0, 0.0)] * n_lines)
            )
            self.env.flush_all()
            self.env.invalidate_all()
            Performance = self.env["sales.contract.line.performance"]
            spec = {
                name: {}
                for name in Performance._fields
                if name not in ("display_name",)
            }
            spec["product_id"] = {"fields": {"display_name": {}}}
            before = self.env.cr.sql_log_count
            result = Performance.web_search_read(
                [("contract_id", "=", contract.id)], spec
            )
            self.assertEqual(result["length"], n_lines)
            return self.env.cr.sql_log_count - before

        count_queries(3)  # warm the registry and rule caches
        self.assertEqual(count_queries(10), count_queries(200))
