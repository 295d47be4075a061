from datetime import datetime, time

from odoo import Command, fields
from odoo.tests import Form, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class SalesBackofficeCommon(AccountTestInvoicingCommon):
    """Fixtures: a two-level district tree, a customer in each leaf, goods
    without inventory tracking, a 10% sale tax, and one user per role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # the fixture-building user keeps the back office's configuration
        cls.env.user.groups_id += cls.env.ref(
            "sales_backoffice.sales_backoffice_group_manager"
        )
        cls.company.partner_id.tz = "UTC"
        if "stock_move_sms_validation" in cls.company._fields:
            cls.company.stock_move_sms_validation = False
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        District = cls.env["sales.district"]
        cls.region_north = District.create({"name": "North", "code": "N"})
        cls.district_alpha = District.create(
            {"name": "Alpha", "code": "N-A", "parent_id": cls.region_north.id}
        )
        cls.region_south = District.create({"name": "South", "code": "S"})
        cls.district_beta = District.create(
            {"name": "Beta", "code": "S-B", "parent_id": cls.region_south.id}
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Alpha Hospital",
                "is_company": True,
                "sales_district_id": cls.district_alpha.id,
                "company_id": False,
            }
        )
        cls.customer_south = cls.env["res.partner"].create(
            {
                "name": "Beta Clinic",
                "is_company": True,
                "sales_district_id": cls.district_beta.id,
            }
        )
        cls.tax_10 = cls.env["account.tax"].create(
            {
                "name": "Sale 10%",
                "amount": 10.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.product_bed = cls._create_goods("Hospital Bed", 100.0)
        cls.product_lamp = cls._create_goods("Surgical Lamp", 33.33)

        groups_salesman = "sales_team.group_sale_salesman,base.group_user"
        cls.user_salesman = new_test_user(
            cls.env,
            login="sbo_salesman",
            groups=groups_salesman,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.user_salesman_other = new_test_user(
            cls.env,
            login="sbo_salesman_other",
            groups=groups_salesman,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.user_backoffice = new_test_user(
            cls.env,
            login="sbo_clerk",
            groups="sales_backoffice.sales_backoffice_group_user,base.group_user,"
            "stock.group_stock_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="sbo_manager",
            groups="sales_backoffice.sales_backoffice_group_manager,base.group_user,"
            "stock.group_stock_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def _create_goods(cls, name, price):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": False,
                "list_price": price,
                "invoice_policy": "delivery",
                "taxes_id": [Command.set(cls.tax_10.ids)],
                "property_account_income_id": cls.company_data[
                    "default_account_revenue"
                ].id,
            }
        )

    @classmethod
    def _create_contract(cls, lines, partner=None, user=None, **values):
        """lines: [(product, quantity, unit price, discount %), ...]"""
        return cls.env["sales.contract"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "user_id": (user or cls.user_salesman).id,
                "date_start": values.pop("date_start", "2026-01-01"),
                "date_end": values.pop("date_end", "2026-12-31"),
                "line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                            "discount": discount,
                            "tax_ids": [Command.set(cls.tax_10.ids)],
                        }
                    )
                    for product, qty, price, discount in lines
                ],
                **values,
            }
        )

    @classmethod
    def _activate(cls, contract, date_signed="2026-01-10"):
        contract.date_signed = date_signed
        contract.action_submit()
        contract.with_user(cls.user_manager).action_approve()
        return contract

    @classmethod
    def _order(
        cls, contract, quantities, date_order="2026-02-01 10:00:00", confirm=True
    ):
        """quantities: {product: qty}; through the contract's order wizard."""
        wizard = Form(
            cls.env["sales.contract.order.wizard"].with_context(
                default_contract_id=contract.id
            )
        ).save()
        for line in wizard.line_ids:
            line.quantity = quantities.get(line.product_id, 0.0)
        action = wizard.action_create_order()
        order = cls.env["sale.order"].browse(action["res_id"])
        if confirm:
            order.action_confirm()
            order.date_order = date_order
        return order

    @classmethod
    def _at_noon(cls, day):
        return datetime.combine(fields.Date.to_date(day), time(12, 0))

    @classmethod
    def _deliver(cls, order, quantities, day):
        """Validate the order's open delivery for {product: qty} on ``day``,
        leaving a backorder for the rest."""
        picking = order.picking_ids.filtered(
            lambda p: (
                p.state not in ("done", "cancel")
                and p.picking_type_id.code == "outgoing"
            )
        )
        picking.ensure_one()
        for move in picking.move_ids:
            move.quantity = quantities.get(move.product_id, 0.0)
            move.picked = True
        picking.with_context(cancel_backorder=False)._action_done()
        when = cls._at_noon(day)
        picking.write({"date_done": when})
        picking.move_ids.write({"date": when})
        picking.move_ids.move_line_ids.write({"date": when})
        return picking

    @classmethod
    def _return(cls, picking, quantities, day):
        wizard = Form(
            cls.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        for line in wizard.product_return_moves:
            line.quantity = quantities.get(line.product_id, 0.0)
            line.to_refund = True
        return_picking = wizard._create_return()
        for move in return_picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        return_picking._action_done()
        when = cls._at_noon(day)
        return_picking.write({"date_done": when})
        return_picking.move_ids.write({"date": when})
        return return_picking

    @classmethod
    def _invoice(cls, order, day, final=False):
        moves = order._create_invoices(final=final)
        moves.write({"invoice_date": day, "date": day})
        moves.action_post()
        return moves
