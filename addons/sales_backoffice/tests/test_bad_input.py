from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SalesBackofficeCommon


@tagged("post_install", "-at_install")
class TestBadInput(SalesBackofficeCommon):
    """Wrong input is refused with a message that says what to fix, and
    nothing is left half-written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Contract = cls.env["sales.contract"].with_user(cls.user_backoffice)
        cls.product_not_sold = cls._create_goods("Demo Bed (not for sale)", 10.0)
        cls.product_not_sold.sale_ok = False
        cls.company_2 = cls.setup_other_company(name="Other Company")["company"]
        cls.customer_2 = cls.env["res.partner"].create(
            {"name": "Customer of the Other Company", "company_id": cls.company_2.id}
        )

    def _values(self, line=None, **values):
        line_values = {"product_id": self.product_bed.id, "product_uom_qty": 2}
        line_values.update(line or {})
        return {
            "partner_id": self.customer.id,
            "user_id": self.user_salesman.id,
            "date_start": "2026-03-01",
            "date_end": "2026-09-30",
            "line_ids": [Command.create(line_values)],
            **values,
        }

    def _counts(self):
        env = self.env(su=True)
        return (
            env["sales.contract"].search_count([]),
            env["sales.contract.line"].search_count([]),
        )

    def assertRefused(self, exception, regex, values):
        """Creating ``values`` raises ``exception`` matching ``regex`` and
        writes no contract and no line."""
        before = self._counts()
        with self.assertRaisesRegex(exception, regex), self.env.cr.savepoint():
            self.Contract.create(values)
        self.assertEqual(self._counts(), before, "nothing written")

    def test_good_input_is_accepted(self):
        # the baseline of the tests below: the same values, without the error
        before = self._counts()
        contract = self.Contract.create(self._values())
        self.assertEqual(self._counts(), (before[0] + 1, before[1] + 1))
        self.assertEqual(contract.line_ids.product_uom_qty, 2)

    def test_end_before_start(self):
        self.assertRefused(
            ValidationError,
            r"ends on 2026-02-01, before it starts on 2026-03-01\. "
            r"Set an end date on or after the start date",
            self._values(date_end="2026-02-01"),
        )
        # on an existing contract too
        contract = self.Contract.create(self._values())
        with (
            self.assertRaisesRegex(ValidationError, "Set an end date on or after"),
            self.env.cr.savepoint(),
        ):
            contract.write({"date_end": "2026-01-31"})
        contract.invalidate_recordset()
        self.assertEqual(str(contract.date_end), "2026-09-30")
        # a one-day contract is fine
        contract.date_end = "2026-03-01"
        self.assertEqual(contract.date_start, contract.date_end)

    def test_zero_or_negative_quantity(self):
        for qty in (0, -3):
            with self.subTest(qty=qty):
                self.assertRefused(
                    ValidationError,
                    rf"line Hospital Bed: the quantity must be positive "
                    rf"\(it is {float(qty)}\)",
                    self._values(line={"product_uom_qty": qty}),
                )
        contract = self.Contract.create(self._values())
        with (
            self.assertRaisesRegex(ValidationError, "quantity must be positive"),
            self.env.cr.savepoint(),
        ):
            contract.line_ids.product_uom_qty = -1
        contract.line_ids.invalidate_recordset()
        self.assertEqual(contract.line_ids.product_uom_qty, 2)

    def test_product_not_for_sale(self):
        self.assertRefused(
            ValidationError,
            r'Demo Bed \(not for sale\) cannot be sold \(its "Can be Sold" option '
            r"is off\)",
            self._values(line={"product_id": self.product_not_sold.id}),
        )

    def test_discount_out_of_range(self):
        for discount in (-5.0, 100.5, 120.0):
            with self.subTest(discount=discount):
                self.assertRefused(
                    ValidationError,
                    "line Hospital Bed: the discount must be between 0 and 100%",
                    self._values(line={"discount": discount}),
                )
        # the bounds themselves are fine
        contract = self.Contract.create(self._values(line={"discount": 100.0}))
        self.assertEqual(contract.amount_untaxed, 0.0)
        contract.line_ids.discount = 0.0
        self.assertAlmostEqual(contract.amount_untaxed, 200.0)

    def test_customer_of_another_company(self):
        self.assertRefused(
            UserError,
            r"(?s)Incompatible companies.*.Customer. \(partner_id: "
            r"'Customer of the Other Company'\) belongs to another company",
            self._values(partner_id=self.customer_2.id),
        )

    # ------------------------------------------------------------------
    # Odoo's standard import
    # ------------------------------------------------------------------

    IMPORT_FIELDS = [
        "partner_id",
        "date_start",
        "date_end",
        "line_ids/product_id",
        "line_ids/product_uom_qty",
    ]

    def _load(self, rows):
        before = self._counts()
        with mute_logger("odoo.sql_db"):  # the failing INSERTs are logged
            result = self.Contract.load(self.IMPORT_FIELDS, rows)
        self.assertEqual(
            self._counts(), before, "an import with errors creates nothing"
        )
        self.assertFalse(result["ids"])
        errors = [m for m in result["messages"] if m["type"] == "error"]
        self.assertTrue(errors)
        return errors

    def test_import_good_rows(self):
        # the baseline: the same rows, well formed, are imported
        before = self._counts()
        result = self.Contract.load(
            self.IMPORT_FIELDS,
            [
                ["Alpha Hospital", "2026-03-01", "2026-09-30", "Hospital Bed", "4"],
                ["Beta Clinic", "2026-04-01", "2026-10-31", "Surgical Lamp", "2"],
            ],
        )
        self.assertFalse(result["messages"])
        self.assertEqual(len(result["ids"]), 2)
        self.assertEqual(self._counts(), (before[0] + 2, before[1] + 2))
        contracts = self.env["sales.contract"].browse(result["ids"])
        self.assertEqual(contracts.partner_id, self.customer | self.customer_south)
        self.assertEqual(contracts.line_ids.mapped("product_uom_qty"), [4.0, 2.0])

    def test_import_unknown_customer(self):
        errors = self._load(
            [
                ["Alpha Hospital", "2026-03-01", "2026-09-30", "Hospital Bed", "4"],
                ["Gamma Nursing Home", "2026-03-01", "2026-09-30", "Hospital Bed", "4"],
            ]
        )
        self.assertIn(
            "No matching record found for name 'Gamma Nursing Home' "
            "in field 'Customer'",
            "\n".join(m["message"] for m in errors),
        )
        # the message points at the faulty row (the second data row)
        self.assertIn(1, [m.get("record") for m in errors])

    def test_import_malformed_date(self):
        errors = self._load(
            [["Alpha Hospital", "31/02/2026", "2026-09-30", "Hospital Bed", "4"]]
        )
        self.assertIn(
            "'31/02/2026' does not seem to be a valid date for field 'Start Date'",
            "\n".join(m["message"] for m in errors),
        )

    def test_import_rows_breaking_the_rules(self):
        errors = self._load(
            [["Alpha Hospital", "2026-09-30", "2026-03-01", "Hospital Bed", "4"]]
        )
        self.assertIn(
            "Set an end date on or after the start date",
            "\n".join(m["message"] for m in errors),
        )
        errors = self._load(
            [["Alpha Hospital", "2026-03-01", "2026-09-30", "Hospital Bed", "0"]]
        )
        self.assertIn(
            "the quantity must be positive (it is 0.0)",
            "\n".join(m["message"] for m in errors),
        )
