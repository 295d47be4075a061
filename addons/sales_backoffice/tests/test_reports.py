import io

from lxml import html
from openpyxl import load_workbook

from odoo.tests import Form, tagged

from .common import SalesBackofficeCommon


def _text(element):
    return " ".join(element.text_content().replace("\xa0", " ").split())


@tagged("post_install", "-at_install")
class TestReports(SalesBackofficeCommon):
    """The printed contract, its performance list, the statistics (PDF and
    XLSX) and the performance list sent to the customer, from one contract
    delivered in two parts and invoiced twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "purchasing@alpha-hospital.example.com"
        # a configured document layout: printing goes straight to the report
        cls.company.external_report_layout_id = cls.env.ref(
            "web.external_layout_standard"
        )
        cls.contract = cls._activate(
            cls._create_contract(
                [(cls.product_bed, 10, 100.0, 10.0), (cls.product_lamp, 5, 33.33, 0.0)],
                title="Beds and lamps for the east wing",
            ),
            date_signed="2026-01-10",
        )
        cls.bed_line = cls.contract.line_ids[0]
        cls.env["sales.contract.milestone"].create(
            {
                "contract_id": cls.contract.id,
                "name": "Six beds by the end of March",
                "date_due": "2026-03-31",
                "contract_line_id": cls.bed_line.id,
                "quantity": 6,
            }
        )
        cls.order = cls._order(
            cls.contract,
            {cls.product_bed: 6, cls.product_lamp: 5},
            "2026-02-01 10:00:00",
        )
        cls._deliver(cls.order, {cls.product_bed: 4, cls.product_lamp: 5}, "2026-02-15")
        cls._invoice(cls.order, "2026-02-28")
        cls._deliver(cls.order, {cls.product_bed: 2}, "2026-03-10")
        cls._invoice(cls.order, "2026-04-06")
        cls.wizard = cls.env["sales.contract.statistics.wizard"].create(
            {"date_from": "2026-01-01", "date_to": "2026-12-31"}
        )
        cls.env.flush_all()

    def _render_html(self, report, records, data=None):
        content, content_type = self.env["ir.actions.report"]._render_qweb_html(
            report, records.ids, data=data
        )
        self.assertEqual(content_type, "html")
        return html.fromstring(content)

    def _rows(self, tree, table_xpath="//table[contains(@class, 'o_main_table')]"):
        """{first cell text: [cell texts]} of a table's body rows."""
        rows = {}
        for tr in tree.xpath(f"{table_xpath}//tbody/tr"):
            cells = [_text(td) for td in tr.xpath("./td")]
            rows[cells[0]] = cells
        return rows

    # ------------------------------------------------------------------
    # QWeb reports
    # ------------------------------------------------------------------

    def test_contract_report(self):
        tree = self._render_html(
            "sales_backoffice.report_sales_contract", self.contract
        )
        self.assertIn(self.contract.name, _text(tree.xpath("//h2")[0]))
        self.assertIn("Beds and lamps for the east wing", _text(tree))
        rows = self._rows(tree)
        bed = next(cells for label, cells in rows.items() if "Hospital Bed" in label)
        # description, quantity + unit, unit price, discount, taxes, amount
        self.assertEqual(bed[1], "10.00 Units")
        self.assertEqual(bed[2], "100.00")
        self.assertEqual(bed[3], "10.00")
        self.assertEqual(bed[4], "Sale 10%")
        self.assertIn("900.00", bed[5])
        lamp = next(cells for label, cells in rows.items() if "Surgical Lamp" in label)
        self.assertEqual(lamp[1], "5.00 Units")
        self.assertIn("166.65", lamp[5])
        totals = {}
        for tr in tree.xpath("//div[contains(@class, 'page')]//table[not(thead)]//tr"):
            cells = [_text(td) for td in tr.xpath("./td")]
            if len(cells) == 2:
                totals[cells[0]] = cells[1]
        self.assertIn("1,066.65", totals["Untaxed Amount"])
        self.assertIn("106.67", totals["Taxes"])
        self.assertIn("1,173.32", totals["Total"])
        milestone = self._rows(tree, "//div[h5='Milestones']/table")
        self.assertEqual(
            milestone["Six beds by the end of March"][1:],
            ["Delivery", "03/31/2026", "6.00 Units"],
        )

    def test_performance_report_as_of_a_date(self):
        report = "sales_backoffice.report_contract_performance"
        # before the second delivery and before any invoice
        tree = self._render_html(
            report, self.contract, {"performance_date": "2026-02-20"}
        )
        self.assertIn(f"Contract Performance List {self.contract.name}", _text(tree))
        self.assertIn("As of: 02/20/2026", _text(tree))
        rows = self._rows(tree)
        # product, contracted, ordered, delivered, returned, invoiced,
        # remaining, delivered %, then the amounts
        self.assertEqual(
            rows["Hospital Bed"][1:8],
            ["10.00 Units", "6.00", "4.00", "0.00", "0.00", "6.00", "40.00 %"],
        )
        self.assertEqual(
            rows["Surgical Lamp"][1:8],
            ["5.00 Units", "5.00", "5.00", "0.00", "0.00", "0.00", "100.00 %"],
        )
        total = rows["Total"]
        self.assertIn("1,066.65", total[2])  # contracted
        self.assertIn("526.65", total[3])  # delivered
        self.assertIn("0.00", total[4])  # invoiced
        self.assertIn("540.00", total[5])  # remaining

        # today: everything delivered and invoiced
        tree = self._render_html(report, self.contract)
        rows = self._rows(tree)
        self.assertEqual(
            rows["Hospital Bed"][1:8],
            ["10.00 Units", "6.00", "6.00", "0.00", "6.00", "4.00", "60.00 %"],
        )
        self.assertIn("706.65", rows["Total"][3])
        self.assertIn("706.65", rows["Total"][4])
        milestone = self._rows(tree, "//div[h5='Milestones']/table")
        # name, type, due, target, reached, status
        self.assertEqual(
            milestone["Six beds by the end of March"][1:],
            ["Delivery", "03/31/2026", "6.00", "6.00", "Done"],
        )

    def test_performance_lists_see_documents_of_the_same_transaction(self):
        # a delivery just validated, not flushed yet: the lists read as of
        # a date (not read before, so nothing cached) include it
        order = self._order(self.contract, {self.product_bed: 2}, "2026-05-04 09:00:00")
        self._deliver(order, {self.product_bed: 2}, "2026-05-05")
        as_of = {"performance_date": "2026-05-06"}
        line = (
            self.env["sales.contract.line.performance"]
            .with_context(**as_of)
            .search([("id", "=", self.bed_line.id)])
        )
        self.assertEqual((line.qty_ordered, line.qty_delivered), (8, 8))
        contract = (
            self.env["sales.contract.performance"]
            .with_context(**as_of)
            .search([("contract_id", "=", self.contract.id)])
        )
        self.assertAlmostEqual(contract.amount_delivered, 706.65 + 180.0)
        self.assertAlmostEqual(contract.amount_contracted, 1066.65)

    def test_performance_print_from_the_wizard(self):
        wizard = self.env["sales.contract.performance.wizard"].create(
            {
                "contract_ids": [(6, 0, self.contract.ids)],
                "performance_date": "2026-02-20",
            }
        )
        action = wizard.action_print()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(
            action["report_name"], "sales_backoffice.report_contract_performance"
        )
        self.assertEqual(action["data"]["performance_date"], "2026-02-20")
        self.assertEqual(action["context"]["active_ids"], self.contract.ids)

    def test_statistics_report(self):
        tree = self._render_html(
            "sales_backoffice.report_contract_statistics", self.wizard
        )
        rows = self._rows(tree)
        self.assertEqual(
            [label for label in rows],
            [
                "2026-01",
                "2026-02",
                "2026-03",
                "Q1 2026",
                "2026-04",
                "Q2 2026",
                "2026",
                "Total",
            ],
        )
        # columns: (untaxed, total) of contracted, ordered, delivered,
        # returned, invoiced, refunded, net invoiced
        untaxed = {label: cells[1::2] for label, cells in rows.items()}
        self.assertEqual(
            untaxed["2026-02"],
            ["0.00", "706.65", "526.65", "0.00", "526.65", "0.00", "526.65"],
        )
        self.assertEqual(
            untaxed["2026-03"],
            ["0.00", "0.00", "180.00", "0.00", "0.00", "0.00", "0.00"],
        )
        self.assertEqual(
            untaxed["Q1 2026"],
            ["1,066.65", "706.65", "706.65", "0.00", "526.65", "0.00", "526.65"],
        )
        self.assertEqual(
            untaxed["Q2 2026"],
            ["0.00", "0.00", "0.00", "0.00", "180.00", "0.00", "180.00"],
        )
        self.assertEqual(
            untaxed["2026"],
            ["1,066.65", "706.65", "706.65", "0.00", "706.65", "0.00", "706.65"],
        )
        self.assertEqual(untaxed["Total"], untaxed["2026"])
        # the taxed columns: 10% on each delivered move, rounded per move
        self.assertEqual(rows["2026-03"][6], "198.00")
        self.assertEqual(rows["Q2 2026"][10], "198.00")

    # ------------------------------------------------------------------
    # XLSX
    # ------------------------------------------------------------------

    def test_statistics_xlsx(self):
        content, file_type = self.env["ir.actions.report"]._render(
            "sales_backoffice.contract_statistics_xlsx", self.wizard.ids, {}
        )
        self.assertEqual(file_type, "xlsx")
        sheet = load_workbook(io.BytesIO(content)).active
        cells = list(sheet.iter_rows(values_only=True))
        self.assertEqual(sheet.title, "2026-01-01")
        self.assertEqual(cells[0][0], "Contract performance statistics")
        self.assertEqual(cells[1][:2], ("Period", "2026-01-01 - 2026-12-31"))
        self.assertEqual(cells[2][:2], ("District", "All"))
        header = cells[4]
        self.assertEqual(
            header[:3], ("Period", "Contracted (untaxed)", "Contracted (total)")
        )
        columns = [
            fname
            for __, untaxed, total in self.wizard._columns()
            for fname in (untaxed, total)
        ]
        self.assertEqual(len(header), 1 + len(columns))

        expected = self.wizard._statistics_rows()
        body = cells[5:]
        self.assertEqual([row[0] for row in body], [row["label"] for row in expected])
        for line, row in zip(body, expected, strict=True):
            with self.subTest(row=row["label"]):
                self.assertEqual(
                    list(line[1:]), [row["values"][fname] for fname in columns]
                )
        # the quarter rows equal the report grouped by quarter
        sheet_rows = {
            line[0]: dict(zip(columns, line[1:], strict=True)) for line in body
        }
        groups = self.env["sales.contract.performance.report"]._read_group(
            self.wizard._report_domain(),
            ["date:quarter"],
            [f"{fname}:sum" for fname in columns],
        )
        self.assertEqual(len(groups), 2)
        for quarter, *sums in groups:
            label = f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}"
            for fname, value in zip(columns, sums, strict=True):
                self.assertAlmostEqual(
                    sheet_rows[label][fname], value, places=2, msg=f"{label} {fname}"
                )
        self.assertAlmostEqual(sheet_rows["Q1 2026"]["amount_delivered"], 706.65)
        self.assertAlmostEqual(sheet_rows["Total"]["amount_invoiced_net"], 706.65)

    def test_statistics_export_action(self):
        action = self.wizard.action_export_xlsx()
        self.assertEqual(action["report_type"], "xlsx")
        self.assertEqual(
            action["report_name"], "sales_backoffice.contract_statistics_xlsx"
        )

    # ------------------------------------------------------------------
    # Sending the performance list
    # ------------------------------------------------------------------

    def test_send_performance(self):
        action = self.contract.with_user(self.user_backoffice).action_send_performance()
        self.assertEqual(action["res_model"], "mail.compose.message")
        composer_form = Form(
            self.env["mail.compose.message"]
            .with_user(self.user_backoffice)
            .with_context(**action["context"])
        )
        self.assertIn(self.contract.name, composer_form.subject)
        composer = composer_form.save()
        # the template's report is attached to the composer
        __, report_format = self.env["ir.actions.report"]._render_qweb_pdf(
            "sales_backoffice.report_contract_performance", self.contract.ids
        )
        attachment_name = f"Performance - {self.contract.name}.{report_format}"
        self.assertEqual(composer.attachment_ids.mapped("name"), [attachment_name])
        messages_before = self.contract.message_ids
        composer.action_send_mail()

        message = self.contract.message_ids - messages_before
        self.assertEqual(len(message), 1)
        self.assertEqual(message.message_type, "comment")
        self.assertIn(self.customer, message.partner_ids)
        self.assertIn("performance of contract", message.subject)
        self.assertEqual(message.attachment_ids.mapped("name"), [attachment_name])
        self.assertEqual(message.attachment_ids.res_model, "sales.contract")
        self.assertEqual(message.attachment_ids.res_id, self.contract.id)
        self.assertTrue(message.attachment_ids.raw)
