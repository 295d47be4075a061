import datetime
import hashlib
import logging
from decimal import Decimal

from odoo import Command, api, models

from . import tpch_data
from .tpch_replay import TpchReplay

_logger = logging.getLogger(__name__)

REPORT_MODEL = "sales.contract.performance.report"
PERFORMANCE_MODEL = "sales.contract.line.performance"
LEDGER_MODEL = "sales.collection.ledger.report"
AGEING_MODEL = "sales.receivable.ageing.report"
LEVEL_FIELDS = {"region": "district_level1_id", "nation": "district_level2_id"}


class SalesBackofficeTpchLoader(models.AbstractModel):
    """Loads TPC-H data into the sales back office and compares the
    statistics report, the collection ledger and the receivable ageing with
    figures computed by DuckDB from the TPC-H tables."""

    _name = "sales.backoffice.tpch.loader"
    _description = "TPC-H Loader for the Sales Back Office"

    @api.model
    def _tpch_data(self, sf=0.01, order_keys=None, subset=False):
        return tpch_data.TpchData(sf=sf, order_keys=order_keys, subset=subset)

    @api.model
    def _selection_key(self, sf, order_keys, subset):
        if subset:
            orders = "subset"
        elif order_keys is None:
            orders = "all"
        else:
            keys = ",".join(str(k) for k in sorted({int(k) for k in order_keys}))
            orders = hashlib.sha1(keys.encode()).hexdigest()[:12]
        return {"sf": sf, "orders": orders}

    @api.model
    def load(
        self,
        sf=0.01,
        order_keys=None,
        commit=False,
        subset=False,
        data=None,
        chunk_days=31,
        log=None,
        until=None,
    ):
        """Generate TPC-H data of scale factor ``sf`` and load the selected
        orders (all, ``order_keys``, or the test ``subset``) into the
        current company. ``commit``: commit per chunk of days (script mode;
        never inside tests); a load interrupted then resumes after the last
        committed chunk. ``until`` (a date): replay only the events dated on
        or before it (a later load without it resumes the rest). Returns the
        load statistics (counts, seconds)."""
        if data is None:
            data = self._tpch_data(sf=sf, order_keys=order_keys, subset=subset)
        replay = TpchReplay(
            self.env,
            data,
            commit=commit,
            chunk_days=chunk_days,
            log=log,
            selection_key=self._selection_key(sf, order_keys, subset),
            until=until,
        )
        return replay.run()

    @api.model
    def _tpch_districts(self):
        District = self.env["sales.district"].with_context(active_test=False)
        return District.search([("code", "=like", "TPCH-%")])

    @api.model
    def report_figures(self, level="region"):
        """The statistics report grouped by district (region: level 1, nation:
        level 2) and quarter: ``{(district code, quarter date): {field:
        Decimal}}``, the fields of :data:`tpch_data.FIELDS` (groups where
        they are all zero left out)."""
        Report = self.env[REPORT_MODEL]
        district_field = LEVEL_FIELDS[level]
        aggregates = [f"{field}:sum" for field in tpch_data.FIELDS]
        groups = Report._read_group(
            [(district_field, "in", self._tpch_districts().ids)],
            [district_field, "date:quarter"],
            aggregates,
        )
        result = {}
        for district, quarter, *values in groups:
            figures = {
                field: tpch_data.to_cents(value)
                for field, value in zip(tpch_data.FIELDS, values, strict=True)
            }
            # a quarter of other events only (collections) has none of these
            if any(figures.values()):
                result[(district.code, quarter)] = figures
        return result

    @api.model
    def compare(self, data, levels=tpch_data.LEVELS, until=None):
        """Compare the report with DuckDB's figures (those dated up to
        ``until`` when given): ``{level: (expected, actual, differences)}``."""
        result = {}
        for level in levels:
            expected = data.expected(level, until=until)
            actual = self.report_figures(level)
            result[level] = (expected, actual, tpch_data.compare(expected, actual))
        return result

    # ------------------------------------------------------------------
    # Collections and receivables
    # ------------------------------------------------------------------

    @api.model
    def collection_figures(self, level="region"):
        """The collection ledger's collected amount per district (region:
        level 1, nation: level 2) and month: ``{(district code, month
        date): {"collected_amount": Decimal}}`` (months without collection
        left out)."""
        Ledger = self.env[LEDGER_MODEL]
        district_field = LEVEL_FIELDS[level]
        groups = Ledger._read_group(
            [(district_field, "in", self._tpch_districts().ids)],
            [district_field, "date:month"],
            ["collected_amount:sum"],
        )
        result = {}
        for district, month, collected in groups:
            amount = tpch_data.to_cents(collected)
            if amount:
                result[(district.code, month)] = {"collected_amount": amount}
        return result

    @api.model
    def ageing_figures(self, as_of=tpch_data.AGEING_DATE):
        """The receivable ageing as of ``as_of`` per TPC-H customer:
        ``{(customer ref,): {field: Decimal}}`` for
        :data:`tpch_data.AGEING_FIELDS` (customers with nothing open left
        out)."""
        Ageing = self.env[AGEING_MODEL].with_context(as_of_date=as_of)
        aggregates = [f"{field}:sum" for field in tpch_data.AGEING_FIELDS]
        groups = Ageing._read_group(
            [("partner_id.ref", "=like", "TPCH-C%")], ["partner_id"], aggregates
        )
        result = {}
        for partner, *values in groups:
            figures = {
                field: tpch_data.to_cents(value)
                for field, value in zip(tpch_data.AGEING_FIELDS, values, strict=True)
            }
            if any(figures.values()):
                result[(partner.ref,)] = figures
        return result

    @api.model
    def compare_receivables(
        self, data, levels=tpch_data.LEVELS, as_of=tpch_data.AGEING_DATE, until=None
    ):
        """Compare the collection ledger (per district level and month) and
        the ageing (per customer, as of ``as_of``) with DuckDB's figures:
        ``{name: (expected, actual, differences, fields)}``; a report not
        installed (yet) is left out."""
        result = {}
        for level in levels if LEDGER_MODEL in self.env else ():
            expected = data.expected_collections(level, until=until)
            actual = self.collection_figures(level)
            result[f"collected by {level} x month"] = (
                expected,
                actual,
                tpch_data.compare(expected, actual, tpch_data.COLLECTION_FIELDS),
                tpch_data.COLLECTION_FIELDS,
            )
        if AGEING_MODEL not in self.env:
            return result
        expected = data.expected_ageing(as_of=as_of, until=until)
        actual = self.ageing_figures(as_of=as_of)
        result[f"ageing by customer as of {as_of}"] = (
            expected,
            actual,
            tpch_data.compare(expected, actual, tpch_data.AGEING_FIELDS),
            tpch_data.AGEING_FIELDS,
        )
        return result

    @api.model
    def format_receivables_comparison(self, comparison):
        """Lines of text, as :meth:`format_comparison`, for
        :meth:`compare_receivables`."""
        lines = []
        for name, (expected, actual, differences, fields) in comparison.items():
            exp_totals = tpch_data.totals(expected, fields)
            act_totals = tpch_data.totals(actual, fields)
            verdict = "PASS" if not differences else "FAIL"
            lines.append(
                f"== {name}: {len(expected)} expected groups, {len(actual)} "
                f"reported, {len(differences)} differences: {verdict}"
            )
            lines.append(f"{'figure':<28}{'DuckDB':>20}{'Odoo report':>20}{'diff':>14}")
            for field in fields:
                diff = act_totals[field] - exp_totals[field]
                lines.append(
                    f"{field:<28}{exp_totals[field]:>20}{act_totals[field]:>20}"
                    f"{diff if diff else Decimal('0.00'):>14}"
                )
            for key, field, exp_value, act_value in differences[:20]:
                lines.append(
                    f"  MISMATCH {' '.join(str(part) for part in key)} {field}: "
                    f"DuckDB {exp_value} Odoo {act_value}"
                )
            if len(differences) > 20:
                lines.append(f"  ... {len(differences) - 20} more")
        return lines

    @api.model
    def format_comparison(self, comparison):
        """Lines of text: the totals per figure, expected and reported, and
        the differences."""
        lines = []
        for level, (expected, actual, differences) in comparison.items():
            exp_totals = tpch_data.totals(expected)
            act_totals = tpch_data.totals(actual)
            lines.append(
                f"== by {level} x quarter: {len(expected)} expected groups, "
                f"{len(actual)} reported, {len(differences)} differences"
            )
            lines.append(f"{'figure':<28}{'DuckDB':>20}{'Odoo report':>20}{'diff':>14}")
            for field in tpch_data.FIELDS:
                diff = act_totals[field] - exp_totals[field]
                lines.append(
                    f"{field:<28}{exp_totals[field]:>20}{act_totals[field]:>20}"
                    f"{diff if diff else Decimal('0.00'):>14}"
                )
            for key, field, exp_value, act_value in differences[:20]:
                lines.append(
                    f"  MISMATCH {key[0]} {key[1]} {field}: "
                    f"DuckDB {exp_value} Odoo {act_value}"
                )
            if len(differences) > 20:
                lines.append(f"  ... {len(differences) - 20} more")
        return lines

    # ------------------------------------------------------------------
    # Performance list: queries per contract
    # ------------------------------------------------------------------

    @api.model
    def _make_performance_contract(self, line_count, day=datetime.date(1995, 1, 2)):
        """An active contract of ``line_count`` lines executed by one
        confirmed order: half of its lines delivered and invoiced, one of
        them returned and refunded, so every figure of its performance list
        has data."""
        env = self.env(
            context=dict(self.env.context, tracking_disable=True, skip_sms=True)
        )
        company = env.company
        tax = env["account.tax"].create(
            {
                "name": f"Performance test 5% ({line_count} lines)",
                "amount_type": "percent",
                "amount": 5.0,
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        partner = env["res.partner"].create(
            {
                "name": f"Performance test customer ({line_count} lines)",
                "is_company": True,
            }
        )
        products = env["product.product"].create(
            [
                {
                    "name": f"Performance test product {index} ({line_count} lines)",
                    "type": "consu",
                    "is_storable": False,
                    "invoice_policy": "delivery",
                    "list_price": 10.0 + index,
                    "taxes_id": [Command.set(tax.ids)],
                }
                for index in range(line_count)
            ]
        )
        contract = env["sales.contract"].create(
            {
                "partner_id": partner.id,
                "user_id": env.user.id,
                "company_id": company.id,
                "currency_id": company.currency_id.id,
                "date_signed": day,
                "date_start": day,
                "state": "active",
                "line_ids": [
                    Command.create(
                        {
                            "sequence": index,
                            "product_id": product.id,
                            "product_uom_qty": 10.0,
                            "price_unit": product.list_price,
                            "discount": index % 5,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                    for index, product in enumerate(products)
                ],
            }
        )
        order_vals = contract._prepare_sale_order_values()
        order_vals["order_line"] = [
            Command.create(
                {
                    "product_id": line.product_id.id,
                    "product_uom_qty": line.product_uom_qty,
                    "price_unit": line.price_unit,
                    "discount": line.discount,
                    "tax_id": [Command.set(line.tax_ids.ids)],
                    "contract_line_id": line.id,
                }
            )
            for line in contract.line_ids
        ]
        order = env["sale.order"].create(order_vals)
        order.action_confirm()
        delivered = order.order_line[: max(1, line_count // 2)]
        moves = delivered.move_ids
        moves.picked = True
        moves.picking_id.with_context(skip_backorder=True).button_validate()
        order._create_invoices(grouped=True).action_post()
        picking = moves.picking_id
        wizard = (
            env["stock.return.picking"]
            .with_context(
                active_id=picking.id,
                active_ids=picking.ids,
                active_model="stock.picking",
            )
            .create({"picking_id": picking.id})
        )
        for return_line in wizard.product_return_moves:
            returned = return_line.move_id == moves[0]
            return_line.quantity = return_line.move_id.quantity if returned else 0
            return_line.to_refund = True
        returned = wizard._create_return()
        returned.move_ids.picked = True
        returned.with_context(skip_backorder=True).button_validate()
        order._create_invoices(grouped=True, final=True).action_post()
        return contract

    @api.model
    def _performance_list_specification(self):
        """What the performance list reads: every field, many2ones with
        their display name."""
        Performance = self.env[PERFORMANCE_MODEL]
        specification = {}
        for name, field in Performance._fields.items():
            if name == "id":
                continue
            if field.type == "many2one":
                specification[name] = {"fields": {"display_name": {}}}
            elif field.type in ("one2many", "many2many"):
                specification[name] = {"fields": {"display_name": {}}}
            else:
                specification[name] = {}
        return specification

    @api.model
    def _open_performance_list(self, contract):
        """Open a contract's performance list with cold caches; return
        (rows, number of SQL queries)."""
        Performance = self.env[PERFORMANCE_MODEL]
        specification = self._performance_list_specification()
        self.env.flush_all()
        self.env.invalidate_all()
        cr = self.env.cr
        before = cr.sql_log_count
        result = Performance.web_search_read(
            [("contract_id", "=", contract.id)], specification=specification
        )
        return result, cr.sql_log_count - before
