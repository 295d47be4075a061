from odoo import models


class ContractStatisticsXlsx(models.AbstractModel):
    _name = "report.sales_backoffice.contract_statistics_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Contract Performance Statistics (XLSX)"

    def generate_xlsx_report(self, workbook, data, wizards):
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        money_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True})
        for wizard in wizards:
            sheet = workbook.add_worksheet(wizard.date_from.strftime("%Y-%m-%d")[:31])
            columns = wizard._columns()
            sheet.write(0, 0, self.env._("Contract performance statistics"), bold)
            sheet.write(1, 0, self.env._("Period"))
            sheet.write(1, 1, f"{wizard.date_from} - {wizard.date_to}")
            sheet.write(2, 0, self.env._("District"))
            sheet.write(2, 1, wizard.district_id.complete_name or self.env._("All"))
            header_row = 4
            sheet.write(header_row, 0, self.env._("Period"), bold)
            col = 1
            for label, __, __ in columns:
                sheet.write(header_row, col, self.env._("%s (untaxed)", label), bold)
                sheet.write(header_row, col + 1, self.env._("%s (total)", label), bold)
                col += 2
            for index, row in enumerate(
                wizard._statistics_rows(), start=header_row + 1
            ):
                fmt = money if row["kind"] == "month" else money_bold
                sheet.write(
                    index, 0, row["label"], bold if row["kind"] != "month" else None
                )
                col = 1
                for __, untaxed, total in columns:
                    sheet.write_number(index, col, row["values"][untaxed], fmt)
                    sheet.write_number(index, col + 1, row["values"][total], fmt)
                    col += 2
            sheet.set_column(0, 0, 14)
            sheet.set_column(1, col, 16)
            sheet.freeze_panes(header_row + 1, 1)
