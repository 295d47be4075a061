from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SalesBackofficeCommon


@tagged("post_install", "-at_install")
class TestUiTour(SalesBackofficeCommon, HttpCase):
    """A back-office user follows a contract's performance in the web
    client and prints its performance list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_user = new_test_user(
            cls.env,
            login="sbo_tour_clerk",
            password="sbo_tour_clerk",
            groups="sales_backoffice.sales_backoffice_group_user,base.group_user,"
            "stock.group_stock_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        # printing goes straight to the report, without the layout wizard
        cls.company.external_report_layout_id = cls.env.ref(
            "web.external_layout_standard"
        )
        cls.contract = cls._activate(
            cls._create_contract(
                [(cls.product_bed, 10, 100.0, 0.0)], title="East wing beds (tour)"
            )
        )
        order = cls._order(cls.contract, {cls.product_bed: 6})
        cls._deliver(order, {cls.product_bed: 4}, "2026-02-15")
        cls.env.flush_all()

    def test_contract_performance_tour(self):
        Report = type(self.env["ir.actions.report"])
        render_qweb_pdf = Report._render_qweb_pdf
        printed = []

        def spy(report_model, report_ref, res_ids=None, data=None):
            printed.append((report_model.env.user, report_ref, list(res_ids or [])))
            return render_qweb_pdf(report_model, report_ref, res_ids=res_ids, data=data)

        with patch.object(Report, "_render_qweb_pdf", spy):
            self.start_tour(
                "/odoo/action-sales_backoffice.sales_contract_action",
                "sales_backoffice_contract_performance_tour",
                login=self.tour_user.login,
            )
        # the server rendered the performance list of this contract, for
        # the back-office user
        self.assertEqual(
            printed,
            [
                (
                    self.tour_user,
                    "sales_backoffice.report_contract_performance",
                    self.contract.ids,
                )
            ],
        )
