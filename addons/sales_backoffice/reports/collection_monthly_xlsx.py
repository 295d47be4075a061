from odoo import models

from .report_collection_monthly import _sections


class CollectionMonthlyXlsx(models.AbstractModel):
    _name = "report.sales_backoffice.collection_monthly_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Monthly Collection Report (XLSX)"

    def generate_xlsx_report(self, workbook, data, wizards):
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        money_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True})
        percent = workbook.add_format({"num_format": "0.00"})
        percent_bold = workbook.add_format({"num_format": "0.00", "bold": True})
        for wizard in wizards:
            sheet = workbook.add_worksheet(wizard.date_from.strftime("%Y-%m-%d")[:31])
            columns = wizard._columns()
            sheet.write(0, 0, self.env._("Monthly collection report"), bold)
            sheet.write(1, 0, self.env._("Period"))
            sheet.write(1, 1, f"{wizard.date_from} - {wizard.date_to}")
            sheet.write(2, 0, self.env._("District"))
            sheet.write(2, 1, wizard.district_id.complete_name or self.env._("All"))
            sheet.write(3, 0, self.env._("Currency"))
            sheet.write(3, 1, wizard.company_id.currency_id.name)
            row_index = 5
            for title, first_column, rows in _sections(wizard):
                sheet.write(row_index, 0, title, bold)
                row_index += 1
                sheet.write(row_index, 0, first_column, bold)
                for col, (label, __) in enumerate(columns, start=1):
                    sheet.write(row_index, col, label, bold)
                sheet.write(
                    row_index, len(columns) + 1, self.env._("Collection rate %"), bold
                )
                row_index += 1
                for row in rows:
                    plain = row["kind"] in ("month", "line")
                    sheet.write(row_index, 0, row["label"], None if plain else bold)
                    for col, (__, name) in enumerate(columns, start=1):
                        sheet.write_number(
                            row_index,
                            col,
                            row["values"][name],
                            money if plain else money_bold,
                        )
                    sheet.write_number(
                        row_index,
                        len(columns) + 1,
                        row["values"]["collection_rate"],
                        percent if plain else percent_bold,
                    )
                    row_index += 1
                row_index += 1
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, len(columns) + 1, 16)
