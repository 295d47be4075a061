import io

from lxml import html
from openpyxl import load_workbook

from odoo import Command, fields
from odoo.tests import tagged

from .common import SalesBackofficeCommon

LEDGER = "sales.collection.ledger.report"
MEASURES = [
    "planned_amount:sum",
    "invoiced_amount:sum",
    "collected_amount:sum",
    "overdue_amount:sum",
    "outstanding_amount:sum",
]


@tagged("post_install", "-at_install")
class TestCollectionLedger(SalesBackofficeCommon):
    """The collection ledger against the documents it reads, at every
    grouping, and the monthly collection report (PDF, XLSX) against the
    ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.external_report_layout_id = cls.env.ref(
            "web.external_layout_standard"
        )
        term = cls.env["account.payment.term"].create(
            {
                "name": "Half now, half in 60 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 60}
                    ),
                ],
            }
        )
        # north: 10 beds, 1,100.00; invoiced in March, 2 returned in April
        cls.north = cls._activate(
            cls._create_contract(
                [(cls.product_bed, 10, 100.0, 0.0)], payment_term_id=term.id
            ),
            date_signed="2026-03-01",
        )
        order = cls._order(cls.north, {cls.product_bed: 10})
        picking = cls._deliver(order, {cls.product_bed: 10}, "2026-03-02")
        cls.north_invoice = cls._invoice(order, "2026-03-05")
        cls._pay(cls.north_invoice, 300.0, "2026-03-20")
        cls._return(picking, {cls.product_bed: 2}, "2026-04-02")
        cls.north_refund = cls._invoice(order, "2026-04-02", final=True)
        # the clerk uses the credit note against the invoice
        (cls.north_invoice + cls.north_refund).line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        ).reconcile()
        cls._pay(cls.north_invoice, 200.0, "2026-07-10")
        # south, another salesperson: 5 beds, 550.00, paid in full in May
        cls.south = cls._activate(
            cls._create_contract(
                [(cls.product_bed, 5, 100.0, 0.0)],
                partner=cls.customer_south,
                user=cls.user_salesman_other,
            ),
            date_signed="2026-04-01",
        )
        order = cls._order(cls.south, {cls.product_bed: 5})
        cls._deliver(order, {cls.product_bed: 5}, "2026-04-02")
        cls.south_invoice = cls._invoice(order, "2026-04-03")
        cls._pay(cls.south_invoice, 550.0, "2026-05-04")
        cls.env.flush_all()

    @classmethod
    def _pay(cls, invoices, amount, day):
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount, "payment_date": day})
            ._create_payments()
        )

    def _ledger(self, groupby, domain=None, user=None):
        Ledger = self.env[LEDGER].with_user(user) if user else self.env[LEDGER]
        contracts = [("contract_id", "in", (self.north | self.south).ids)]
        return {
            key: dict(zip([m.split(":")[0] for m in MEASURES], sums, strict=True))
            for key, *sums in Ledger._read_group(
                contracts + (domain or []), groupby, MEASURES
            )
        }

    def test_ledger_reconciles_with_the_documents(self):
        by_contract = self._ledger(["contract_id"])
        north = by_contract[self.north]
        self.assertEqual(north["planned_amount"], 1100.0)
        # a credit note lowers what is owed, not the plan
        self.assertEqual(north["invoiced_amount"], 1100.0 - 220.0)
        # the credit note, reconciled with the invoice, is not collected
        refund_lines = self.north_refund.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        self.assertTrue(refund_lines and all(refund_lines.mapped("reconciled")))
        self.assertEqual(north["collected_amount"], 500.0)
        self.assertEqual(north["outstanding_amount"], 380.0)
        self.assertEqual(north["outstanding_amount"], self.north.amount_outstanding)
        self.assertEqual(north["collected_amount"], self.north.amount_collected)
        # both halves are past due today: what is still open on them
        open_today = sum(
            self.north_invoice.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
            ).mapped("amount_residual")
        )
        self.assertEqual(north["overdue_amount"], open_today)
        self.assertEqual(open_today, 380.0)
        south = by_contract[self.south]
        self.assertEqual(
            (
                south["invoiced_amount"],
                south["collected_amount"],
                south["overdue_amount"],
            ),
            (550.0, 550.0, 0.0),
        )

    def test_collections_count_on_their_reconciliation_date(self):
        by_month = self._ledger(["date:month"], [("kind", "=", "collection")])
        self.assertEqual(
            {
                month.strftime("%Y-%m"): v["collected_amount"]
                for month, v in by_month.items()
            },
            {"2026-03": 300.0, "2026-05": 550.0, "2026-07": 200.0},
        )

    def test_months_add_up_to_quarters_and_years(self):
        months = self._ledger(["date:month"])
        quarters = self._ledger(["date:quarter"])
        years = self._ledger(["date:year"])
        for measure in ("planned_amount", "invoiced_amount", "collected_amount"):
            by_quarter = {}
            for month, values in months.items():
                quarter = fields.Date.to_date(
                    f"{month.year}-{(month.month - 1) // 3 * 3 + 1:02d}-01"
                )
                by_quarter[quarter] = by_quarter.get(quarter, 0.0) + values[measure]
            self.assertEqual(
                {q: round(v, 2) for q, v in by_quarter.items()},
                {q: round(v[measure], 2) for q, v in quarters.items()},
            )
            self.assertAlmostEqual(
                sum(v[measure] for v in quarters.values()),
                sum(v[measure] for v in years.values()),
                places=2,
            )

    def test_district_levels(self):
        by_region = self._ledger(["district_level1_id"])
        self.assertEqual(by_region[self.region_north]["collected_amount"], 500.0)
        self.assertEqual(by_region[self.region_south]["collected_amount"], 550.0)
        child_of = self._ledger(
            ["contract_id"], [("district_id", "child_of", self.region_north.id)]
        )
        self.assertEqual(list(child_of), [self.north])

    def test_collection_rate_of_a_group(self):
        groups = self.env[LEDGER].read_group(
            [("contract_id", "in", (self.north | self.south).ids)],
            ["collection_rate", "collected_amount:sum"],
            ["user_id"],
        )
        rates = {g["user_id"][0]: round(g["collection_rate"], 2) for g in groups}
        self.assertEqual(rates[self.user_salesman.id], round(500.0 / 880.0 * 100, 2))
        self.assertEqual(rates[self.user_salesman_other.id], 100.0)

    def test_salesperson_sees_own_rows_only(self):
        mine = self._ledger(["contract_id"], user=self.user_salesman)
        self.assertEqual(list(mine), [self.north])

    def test_other_company_is_invisible(self):
        other = self.setup_other_company()["company"]
        self.user_backoffice.write(
            {"company_ids": [Command.link(other.id)], "company_id": other.id}
        )
        rows = (
            self.env[LEDGER]
            .with_user(self.user_backoffice)
            .with_context(allowed_company_ids=other.ids)
            .search_count([("contract_id", "in", (self.north | self.south).ids)])
        )
        self.assertEqual(rows, 0)

    def test_ledger_query_count_does_not_grow_with_rows(self):
        Ledger = self.env[LEDGER]
        domain = [("contract_id", "in", (self.north | self.south).ids)]
        Ledger._read_group(domain, ["date:month"], MEASURES)  # warm the caches
        Ledger.search_fetch(domain, ["date", "kind", "collected_amount"])
        with self.assertQueryCount(1):
            Ledger._read_group(domain, ["date:month"], MEASURES)
        with self.assertQueryCount(2):
            Ledger.search_fetch(domain, ["date", "kind", "collected_amount"])

    # ------------------------------------------------------------------
    # The monthly collection report
    # ------------------------------------------------------------------

    def _wizard(self, **values):
        return self.env["sales.collection.report.wizard"].create(
            {"date_from": "2026-01-01", "date_to": "2026-12-31", **values}
        )

    def test_monthly_report_reconciles_with_the_ledger(self):
        wizard = self._wizard(district_id=self.region_north.id)
        rows = wizard._month_rows()
        months = [r for r in rows if r["kind"] == "month"]
        total = rows[-1]
        ledger = self.env[LEDGER]._read_group(
            wizard._ledger_domain(), [], [m for m in MEASURES]
        )[0]
        for measure, value in zip(MEASURES, ledger, strict=True):
            name = measure.split(":")[0]
            self.assertAlmostEqual(total["values"][name], value, places=2)
            self.assertAlmostEqual(
                sum(r["values"][name] for r in months), value, places=2
            )
        quarters = {r["label"]: r for r in rows if r["kind"] == "quarter"}
        self.assertEqual(quarters["Q1 2026"]["values"]["collected_amount"], 300.0)
        self.assertEqual(quarters["Q3 2026"]["values"]["collected_amount"], 200.0)
        self.assertEqual(total["values"]["collected_amount"], 500.0)
        self.assertEqual(
            total["values"]["collection_rate"], round(500.0 / 880.0 * 100, 2)
        )
        people = wizard._rows_by("user_id")
        self.assertEqual(people[0]["label"], self.user_salesman.display_name)
        self.assertEqual(people[-1]["values"], total["values"])

    def test_monthly_report_pdf(self):
        wizard = self._wizard()
        content, __ = self.env["ir.actions.report"]._render_qweb_html(
            "sales_backoffice.report_collection_monthly", wizard.ids
        )
        tree = html.fromstring(content)
        text = " ".join(tree.text_content().replace("\xa0", " ").split())
        self.assertIn("Monthly Collection Report", text)
        first_table = tree.xpath("//table[contains(@class, 'o_main_table')]")[0]
        cells = {
            tr.xpath("./td")[0].text_content().strip(): [
                td.text_content().strip() for td in tr.xpath("./td")
            ]
            for tr in first_table.xpath(".//tbody/tr")
        }
        # Period, Planned, Invoiced, Collected, Outstanding, Overdue, Rate
        self.assertEqual(cells["2026-05"][3], "550.00")
        self.assertEqual(cells["Q2 2026"][3], "550.00")
        self.assertEqual(cells["Total"][3], "1,050.00")
        self.assertEqual(cells["Total"][2], "1,430.00")

    def test_monthly_report_xlsx(self):
        wizard = self._wizard()
        content, file_type = self.env["ir.actions.report"]._render(
            "sales_backoffice.collection_monthly_xlsx", wizard.ids, {}
        )
        self.assertEqual(file_type, "xlsx")
        cells = list(
            load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
        )
        self.assertEqual(cells[0][0], "Monthly collection report")
        by_label = {row[0]: row for row in cells if row and row[0]}
        self.assertEqual(by_label["2026-07"][3], 200.0)
        expected = wizard._month_rows()[-1]["values"]
        total = next(row for row in cells if row[0] == "Total")
        self.assertEqual(
            total[1:6], tuple(expected[name] for __, name in wizard._columns())
        )
