"""Replay of TPC-H orders through Odoo's standard flows.

:class:`TpchReplay` creates the master data (districts, customers, products,
taxes, salespeople), then replays the orders' events day by day, in date
order: contracts and orders confirmed, deliveries validated, returns made with
the return wizard, invoices and credit notes created from the orders and
posted, credit notes reconciled with their invoices, customer payments
registered and reconciled with the invoices they pay. Everything of one kind
on one day is done in one batch (create multi, one confirmation, one
validation, one reconciliation plan...). Odoo stamps the current time on what
it creates: the historical dates are set afterwards, per chunk of days, and
checked. With ``until``, the events after that date are not replayed (a
later run without it resumes them).

It is a plain class taking an environment, so that the standard flows can
run without the contract model (``sales.contract`` missing: no contract is
made, the orders are replayed alone).
"""

import datetime
import gc
import json
import logging
import time
from collections import defaultdict
from decimal import Decimal

from odoo import Command
from odoo.exceptions import UserError
from odoo.tools import SQL

from . import tpch_data

_logger = logging.getLogger(__name__)

PROGRESS_PARAM = "sales_backoffice_tpch.progress"
NOON = datetime.time(12, 0)
#: Dates Odoo may have stamped "today": nothing of TPC-H is on or after it.
FUTURE = datetime.date(1999, 1, 1)
MAX_ENVIRONMENTS = 100

QUIET_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "no_reset_password": True,
    "skip_sms": True,
}


def noon(day):
    return datetime.datetime.combine(day, NOON)


def order_ref(orderkey):
    return f"TPCH-O{int(orderkey)}"


class TpchReplay:
    """Load a :class:`~.tpch_data.TpchData` selection into ``env``'s company."""

    def __init__(
        self,
        env,
        data,
        commit=False,
        chunk_days=31,
        log=None,
        selection_key=None,
        until=None,
    ):
        self.env = env(context=dict(env.context, **QUIET_CONTEXT))
        self.data = data
        self.commit = commit
        self.chunk_days = chunk_days
        self.until = until
        self.log = log or _logger.info
        self.company = self.env.company
        self.selection_key = selection_key or {"sf": data.sf}
        # Without the back office addon (standard flows only): no district,
        # no contract.
        self.with_contracts = "sales.contract" in self.env
        self.with_districts = "sales.district" in self.env
        # TPC-H key -> Odoo id
        self.regions = {}
        self.nations = {}
        self.partners = {}
        self.products = {}
        self.taxes = {}
        self.users = {}
        self.orders = {}  # orderkey -> sale.order id
        self.order_lines = {}  # (orderkey, linenumber) -> sale.order.line id
        self.acctbal = {}  # custkey -> c_acctbal
        self.payment_term = None
        self.bank_journal = None
        self.chunk_payments = []  # account.payment ids of the current chunk
        self.stats = defaultdict(int)

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------

    def run(self):
        started = time.monotonic()
        self.prepare_company()
        self.load_masters()
        masters_time = time.monotonic() - started
        self._commit()
        orders = self.data.orders()
        replay_started = time.monotonic()
        replayed = self.replay(orders)
        replay_time = time.monotonic() - replay_started
        for key, value in self.stats.items():
            if key.startswith("seconds_"):
                self.stats[key] = round(value, 1)
        self.stats.update(
            orders=len(orders),
            orders_replayed=replayed,
            masters_seconds=round(masters_time, 1),
            replay_seconds=round(replay_time, 1),
        )
        return dict(self.stats)

    def _commit(self):
        if self.commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------
    # Master data
    # ------------------------------------------------------------------

    def prepare_company(self):
        company = self.company
        # The statistics convert move datetimes to the company's timezone.
        if company.partner_id.tz != "UTC":
            company.partner_id.tz = "UTC"
        if (
            "stock_move_sms_validation" in company._fields
            and company.stock_move_sms_validation
        ):
            company.stock_move_sms_validation = False
        if company.tax_calculation_rounding_method != "round_per_line":
            company.tax_calculation_rounding_method = "round_per_line"

    def load_masters(self):
        self.payment_term = self._payment_term()
        self.bank_journal = self._bank_journal()
        self._load_districts()
        self._load_taxes()
        self._load_products()
        self._load_customers()
        self._load_users()
        self.env.flush_all()

    def _payment_term(self):
        """Odoo's "30 Days" payment term when it is still one instalment of
        100 % at 30 days, else one the loader makes."""
        Term = self.env["account.payment.term"].with_context(active_test=False)
        days = tpch_data.PAYMENT_TERM_DAYS

        def fits(term):
            line = term.line_ids
            return (
                term.active
                and not term.early_discount
                and term.company_id in (self.company, self.company.browse())
                and len(line) == 1
                and line.value == "percent"
                and line.value_amount == 100.0
                and line.delay_type == "days_after"
                and line.nb_days == days
            )

        term = self.env.ref("account.account_payment_term_30days", False)
        if term and fits(term):
            return term
        name = f"TPC-H {days} days"
        term = Term.search([("name", "=", name)], limit=1)
        if term and fits(term):
            return term
        return Term.create(
            {
                "name": name,
                "company_id": self.company.id,
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": 100.0,
                            "delay_type": "days_after",
                            "nb_days": days,
                        }
                    )
                ],
            }
        )

    def _bank_journal(self):
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)],
            order="sequence, id",
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._(
                    "The company %(company)s has no bank journal to register the "
                    "TPC-H payments in: create one (Accounting > Configuration > "
                    "Journals).",
                    company=self.company.display_name,
                )
            )
        return journal

    def _country(self, nation_name):
        Country = self.env["res.country"]
        code = tpch_data.NATION_COUNTRY_CODES.get(nation_name)
        if code:
            country = Country.search([("code", "=", code)], limit=1)
            if country:
                return country
        country = Country.with_context(lang="en_US").search(
            [("name", "=ilike", nation_name)], limit=1
        )
        if not country:
            raise UserError(
                self.env._(
                    "No country matches the TPC-H nation %(nation)s.",
                    nation=nation_name,
                )
            )
        return country

    def _load_districts(self):
        if not self.with_districts:
            return
        District = self.env["sales.district"]
        codes = [tpch_data.region_code(r["r_regionkey"]) for r in self.data.regions()]
        codes += [tpch_data.nation_code(n["n_nationkey"]) for n in self.data.nations()]
        existing = {d.code: d for d in District.search([("code", "in", codes)])}
        to_create = []
        for region in self.data.regions():
            code = tpch_data.region_code(region["r_regionkey"])
            if code not in existing:
                to_create.append({"name": region["r_name"].title(), "code": code})
        if to_create:
            for district in District.create(to_create):
                existing[district.code] = district
        to_create = []
        for nation in self.data.nations():
            code = tpch_data.nation_code(nation["n_nationkey"])
            if code not in existing:
                to_create.append(
                    {
                        "name": nation["n_name"].title(),
                        "code": code,
                        "parent_id": existing[
                            tpch_data.region_code(nation["n_regionkey"])
                        ].id,
                        "country_ids": [
                            Command.set(self._country(nation["n_name"]).ids)
                        ],
                    }
                )
        if to_create:
            for district in District.create(to_create):
                existing[district.code] = district
        for region in self.data.regions():
            self.regions[region["r_regionkey"]] = existing[
                tpch_data.region_code(region["r_regionkey"])
            ]
        for nation in self.data.nations():
            self.nations[nation["n_nationkey"]] = existing[
                tpch_data.nation_code(nation["n_nationkey"])
            ]

    def _load_taxes(self):
        Tax = self.env["account.tax"]
        for rate in self.data.tax_rates():
            name = f"TPC-H {rate:.0f}%"
            tax = Tax.search(
                [
                    ("name", "=", name),
                    ("type_tax_use", "=", "sale"),
                    ("company_id", "=", self.company.id),
                ],
                limit=1,
            )
            if not tax:
                tax = Tax.create(
                    {
                        "name": name,
                        "amount_type": "percent",
                        "amount": float(rate),
                        "type_tax_use": "sale",
                        "price_include_override": "tax_excluded",
                        "company_id": self.company.id,
                        "description": f"{rate:.0f}%",
                    }
                )
            self.taxes[rate] = tax.id

    def _load_products(self):
        Product = self.env["product.product"].with_context(active_test=False)
        Category = self.env["product.category"]
        root = Category.search(
            [("name", "=", "TPC-H"), ("parent_id", "=", False)], limit=1
        )
        if not root:
            root = Category.create({"name": "TPC-H"})
        parts = self.data.parts()
        categories = {
            c.name: c.id for c in Category.search([("parent_id", "=", root.id)])
        }
        missing = sorted({p["p_type"] for p in parts} - set(categories))
        if missing:
            for category in Category.create(
                [{"name": name, "parent_id": root.id} for name in missing]
            ):
                categories[category.name] = category.id
        codes = {f"TPCH-P{p['p_partkey']}": p for p in parts}
        existing = Product.search_read(
            [("default_code", "in", list(codes))], ["default_code"]
        )
        for row in existing:
            self.products[codes[row["default_code"]]["p_partkey"]] = row["id"]
        vals_list = [
            {
                "name": part["p_name"],
                "default_code": code,
                "type": "consu",
                "is_storable": False,
                "invoice_policy": "delivery",
                "sale_ok": True,
                "purchase_ok": False,
                "list_price": float(part["p_retailprice"]),
                "categ_id": categories[part["p_type"]],
                "taxes_id": [Command.clear()],
                "supplier_taxes_id": [Command.clear()],
            }
            for code, part in codes.items()
            if part["p_partkey"] not in self.products
        ]
        for start in range(0, len(vals_list), 500):
            batch = vals_list[start : start + 500]
            for vals, product in zip(batch, Product.create(batch), strict=True):
                self.products[codes[vals["default_code"]]["p_partkey"]] = product.id

    def _load_customers(self):
        Partner = self.env["res.partner"].with_context(active_test=False)
        Tag = self.env["res.partner.category"]
        customers = self.data.customers()
        self.acctbal = {c["c_custkey"]: c["c_acctbal"] for c in customers}
        segments = sorted({c["c_mktsegment"] for c in customers})
        tags = {t.name: t.id for t in Tag.search([("name", "in", segments)])}
        for segment in segments:
            if segment not in tags:
                tags[segment] = Tag.create({"name": segment}).id
        refs = {f"TPCH-C{c['c_custkey']}": c for c in customers}
        for row in Partner.search_read([("ref", "in", list(refs))], ["ref"]):
            self.partners[refs[row["ref"]]["c_custkey"]] = row["id"]
        countries = {}
        for nation in self.data.nations():
            countries[nation["n_nationkey"]] = self._country(nation["n_name"]).id
        vals_list = [
            {
                "name": customer["c_name"],
                "ref": ref,
                "is_company": True,
                "street": customer["c_address"],
                "phone": customer["c_phone"],
                "country_id": countries[customer["c_nationkey"]],
                **(
                    {"sales_district_id": self.nations[customer["c_nationkey"]].id}
                    if self.with_districts
                    else {}
                ),
                "category_id": [Command.set([tags[customer["c_mktsegment"]]])],
                "customer_rank": 1,
            }
            for ref, customer in refs.items()
            if customer["c_custkey"] not in self.partners
        ]
        for start in range(0, len(vals_list), 500):
            batch = vals_list[start : start + 500]
            for vals, partner in zip(batch, Partner.create(batch), strict=True):
                self.partners[refs[vals["ref"]]["c_custkey"]] = partner.id

    def _load_users(self):
        Users = self.env["res.users"].with_context(active_test=False)
        clerks = {
            f"tpch.{clerk.replace('#', '').lower()}": clerk
            for clerk in self.data.clerks()
        }
        for row in Users.search_read([("login", "in", list(clerks))], ["login"]):
            self.users[clerks[row["login"]]] = row["id"]
        groups = [
            self.env.ref("base.group_user").id,
            self.env.ref("sales_team.group_sale_salesman").id,
        ]
        vals_list = [
            {
                "name": clerk,
                "login": login,
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set(groups)],
                "tz": "UTC",
            }
            for login, clerk in clerks.items()
            if clerk not in self.users
        ]
        for start in range(0, len(vals_list), 200):
            batch = vals_list[start : start + 200]
            for vals, user in zip(batch, Users.create(batch), strict=True):
                self.users[clerks[vals["login"]]] = user.id

    # ------------------------------------------------------------------
    # Replay
    # ------------------------------------------------------------------

    def _progress(self):
        raw = self.env["ir.config_parameter"].sudo().get_param(PROGRESS_PARAM)
        if not raw:
            return None
        progress = json.loads(raw)
        if progress.get("selection") != self.selection_key:
            raise UserError(
                self.env._(
                    "This database holds a partial TPC-H load of another selection "
                    "(%(other)s, not %(this)s): load it into a fresh database.",
                    other=progress.get("selection"),
                    this=self.selection_key,
                )
            )
        return datetime.date.fromisoformat(progress["day"])

    def _set_progress(self, day):
        self.env["ir.config_parameter"].sudo().set_param(
            PROGRESS_PARAM,
            json.dumps({"selection": self.selection_key, "day": day.isoformat()}),
        )

    def _events(self, orders):
        events = defaultdict(lambda: defaultdict(list))
        for order in orders:
            events[order["o_orderdate"]]["confirm"].append(order)
            refund_days = set()
            for line in order["lines"]:
                if line["is_delivered"]:
                    events[line["l_shipdate"]]["deliver"].append((order, line))
                if line["is_returned"]:
                    events[line["l_receiptdate"]]["return"].append((order, line))
                    if line["l_receiptdate"] > order["invoice_date"]:
                        refund_days.add(line["l_receiptdate"])
            if order["invoice_date"]:
                events[order["invoice_date"]]["invoice"].append(order)
                pay_day = tpch_data.payment_date(
                    order["o_orderkey"], order["invoice_date"]
                )
                if pay_day <= tpch_data.LAST_PAYMENT_DATE:
                    events[pay_day]["pay"].append(order)
            for day in refund_days:
                events[day]["refund"].append(order)
        return events

    def replay(self, orders):
        """Replay the orders' events in date order, per chunk of days; return
        the number of orders confirmed."""
        done_until = self._progress()
        if done_until:
            self._reload_documents(orders, done_until)
        events = self._events(orders)
        days = sorted(
            day
            for day in events
            if (not done_until or day > done_until)
            and (not self.until or day <= self.until)
        )
        confirmed = 0
        chunk_started = time.monotonic()
        chunk = []
        for index, day in enumerate(days):
            chunk.append(day)
            day_events = events[day]
            confirmed += len(day_events["confirm"])
            self._replay_day(day, day_events)
            last = index == len(days) - 1
            if last or (day - chunk[0]).days >= self.chunk_days - 1:
                self._timed("dates", self._fix_and_check_dates, chunk, events)
                self._set_progress(day)
                self.env.flush_all()
                self._commit()
                self.env.invalidate_all()
                elapsed = time.monotonic() - chunk_started
                self.log(
                    f"TPC-H replay up to {day}: {confirmed} orders confirmed "
                    f"({sum(len(events[d]['confirm']) for d in chunk)} in "
                    f"{elapsed:.1f}s)"
                )
                chunk_started = time.monotonic()
                chunk = []
        return confirmed

    def _reload_documents(self, orders, done_until):
        """Resuming: find the orders and lines of the days already replayed."""
        refs = {
            order_ref(o["o_orderkey"]): o["o_orderkey"]
            for o in orders
            if o["o_orderdate"] <= done_until
        }
        if not refs:
            return
        rows = self.env["sale.order.line"].search_read(
            [("order_id.client_order_ref", "in", list(refs))],
            ["order_id", "sequence"],
        )
        order_names = {
            o["id"]: o["client_order_ref"]
            for o in self.env["sale.order"].search_read(
                [("client_order_ref", "in", list(refs))], ["client_order_ref"]
            )
        }
        for order_id, ref in order_names.items():
            self.orders[refs[ref]] = order_id
        for row in rows:
            orderkey = refs[order_names[row["order_id"][0]]]
            self.order_lines[(orderkey, row["sequence"])] = row["id"]
        self.log(
            f"TPC-H replay resumes after {done_until}: {len(order_names)} orders found"
        )

    def _collect_environments(self):
        """Environments live in reference cycles, freed only by the cyclic
        garbage collector; each new one is looked up linearly among the
        live ones, so a long replay slows down as they pile up: collect
        them once there are many."""
        transaction = self.env.transaction
        if transaction is not None and len(transaction.envs) > MAX_ENVIRONMENTS:
            gc.collect()

    def _timed(self, phase, method, *args, **kwargs):
        started = time.monotonic()
        method(*args, **kwargs)
        self.stats[f"seconds_{phase}"] += time.monotonic() - started

    def _replay_day(self, day, day_events):
        self._collect_environments()
        if day_events["confirm"]:
            self._timed("confirm", self._confirm, day, day_events["confirm"])
        if day_events["deliver"]:
            self._timed("deliver", self._deliver, day, day_events["deliver"])
        if day_events["return"]:
            self._timed("return", self._return, day, day_events["return"])
        if day_events["invoice"]:
            self._timed(
                "invoice", self._invoice, day, day_events["invoice"], final=False
            )
        if day_events["refund"]:
            self._timed("refund", self._invoice, day, day_events["refund"], final=True)
        if day_events["pay"]:
            self._timed("pay", self._pay, day, day_events["pay"])

    def _confirm(self, day, orders):
        SaleOrder = self.env["sale.order"]
        contracts = [None] * len(orders)
        if self.with_contracts:
            contracts = self._create_contracts(day, orders)
        vals_list = []
        for order, contract in zip(orders, contracts, strict=True):
            if contract:
                vals = contract._prepare_sale_order_values()
                lines_by_number = {line.sequence: line for line in contract.line_ids}
            else:
                vals = {
                    "partner_id": self.partners[order["o_custkey"]],
                    "user_id": self.users[order["o_clerk"]],
                }
                lines_by_number = {}
            vals.update(
                client_order_ref=order_ref(order["o_orderkey"]),
                payment_term_id=self.payment_term.id,
                date_order=noon(day),
                order_line=[
                    Command.create(
                        {
                            "sequence": line["l_linenumber"],
                            "product_id": self.products[line["l_partkey"]],
                            "product_uom_qty": float(line["qty"]),
                            "price_unit": float(line["price_unit"]),
                            "discount": float(line["discount"]),
                            "tax_id": [Command.set([self.taxes[line["tax_rate"]]])],
                            **(
                                {
                                    "contract_line_id": lines_by_number[
                                        line["l_linenumber"]
                                    ].id
                                }
                                if contract
                                else {}
                            ),
                        }
                    )
                    for line in order["lines"]
                ],
            )
            vals_list.append(vals)
        sale_orders = SaleOrder.create(vals_list)
        sale_orders.action_confirm()
        sale_orders.write({"date_order": noon(day), "validity_date": day})
        for order, sale_order in zip(orders, sale_orders, strict=True):
            self.orders[order["o_orderkey"]] = sale_order.id
            for line in sale_order.order_line:
                self.order_lines[(order["o_orderkey"], line.sequence)] = line.id
        self.stats["sale_orders"] += len(sale_orders)

    def _create_contracts(self, day, orders):
        Contract = self.env["sales.contract"]
        vals_list = [
            {
                "partner_id": self.partners[order["o_custkey"]],
                "user_id": self.users[order["o_clerk"]],
                "district_id": self.nations[self._nation_of(order)].id,
                "company_id": self.company.id,
                "currency_id": self.company.currency_id.id,
                "title": f"TPC-H order {order['o_orderkey']}",
                "date_signed": day,
                "date_start": day,
                "payment_term_id": self.payment_term.id,
                "state": "active",
                "line_ids": [
                    Command.create(
                        {
                            "sequence": line["l_linenumber"],
                            "product_id": self.products[line["l_partkey"]],
                            "product_uom_qty": float(line["qty"]),
                            "price_unit": float(line["price_unit"]),
                            "discount": float(line["discount"]),
                            "tax_ids": [Command.set([self.taxes[line["tax_rate"]]])],
                        }
                    )
                    for line in order["lines"]
                ],
            }
            for order in orders
        ]
        contracts = Contract.create(vals_list)
        # created active, not approved: their collection plan (one
        # instalment of the total, due by the payment term) made here, as the
        # approval does
        if hasattr(Contract, "_generate_collection_plan"):
            contracts._generate_collection_plan()
        self.stats["contracts"] += len(contracts)
        return list(contracts)

    def _nation_of(self, order):
        if not hasattr(self, "_customer_nation"):
            self._customer_nation = {
                c["c_custkey"]: c["c_nationkey"] for c in self.data.customers()
            }
        return self._customer_nation[order["o_custkey"]]

    def _line_ids(self, items):
        return [
            self.order_lines[(order["o_orderkey"], line["l_linenumber"])]
            for order, line in items
        ]

    def _deliver(self, day, items):
        """Validate, in one call, the delivery of the lines shipped that day;
        the lines shipped later stay in a backorder."""
        Move = self.env["stock.move"]
        line_ids = self._line_ids(items)
        moves = Move.search(
            [
                ("sale_line_id", "in", line_ids),
                ("state", "not in", ("done", "cancel")),
                ("picking_code", "=", "outgoing"),
            ]
        )
        if len(moves) != len(line_ids):
            raise UserError(
                self.env._(
                    "TPC-H replay on %(day)s: %(moves)s deliveries open "
                    "for %(lines)s lines shipped.",
                    day=day,
                    moves=len(moves),
                    lines=len(line_ids),
                )
            )
        pickings = moves.picking_id
        for move in moves:
            if move.quantity != move.product_uom_qty:
                move.quantity = move.product_uom_qty
        moves.picked = True
        (pickings.move_ids - moves).filtered(lambda m: m.picked).picked = False
        pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()
        not_done = moves.filtered(lambda m: m.state != "done")
        if not_done:
            raise UserError(
                self.env._(
                    "TPC-H replay on %(day)s: %(count)s deliveries could not "
                    "be validated.",
                    day=day,
                    count=len(not_done),
                )
            )
        self.stats["deliveries"] += len(pickings)

    def _return(self, day, items):
        """Return in full, with the return wizard (updating the ordered
        quantities: ``to_refund``), the lines received back that day: one
        return per delivery, all validated at once."""
        Move = self.env["stock.move"]
        line_ids = self._line_ids(items)
        moves = Move.search(
            [
                ("sale_line_id", "in", line_ids),
                ("state", "=", "done"),
                ("picking_code", "=", "outgoing"),
                ("origin_returned_move_id", "=", False),
            ]
        )
        if len(moves) != len(line_ids):
            raise UserError(
                self.env._(
                    "TPC-H replay on %(day)s: %(moves)s deliveries found "
                    "for %(lines)s lines returned.",
                    day=day,
                    moves=len(moves),
                    lines=len(line_ids),
                )
            )
        Wizard = self.env["stock.return.picking"]
        returns = self.env["stock.picking"]
        for picking in moves.picking_id:
            wizard = Wizard.with_context(
                active_id=picking.id,
                active_ids=picking.ids,
                active_model="stock.picking",
            ).create({"picking_id": picking.id})
            for return_line in wizard.product_return_moves:
                if return_line.move_id in moves:
                    return_line.quantity = return_line.move_id.quantity
                    return_line.to_refund = True
                else:
                    return_line.quantity = 0
            returns |= wizard._create_return()
        for move in returns.move_ids:
            if move.quantity != move.product_uom_qty:
                move.quantity = move.product_uom_qty
        returns.move_ids.picked = True
        returns.with_context(skip_backorder=True, skip_sms=True).button_validate()
        if any(p.state != "done" for p in returns):
            raise UserError(
                self.env._(
                    "TPC-H replay on %(day)s: a return could not be validated.", day=day
                )
            )
        self.stats["returns"] += len(returns)

    def _invoice(self, day, orders, final):
        """Invoice the delivered quantities of the orders (one invoice per
        order), or with ``final`` refund the quantities returned since the
        invoice (one credit note per order), dated ``day``, and post."""
        sale_orders = self.env["sale.order"].browse(
            [self.orders[order["o_orderkey"]] for order in orders]
        )
        # The invoice date given at creation rather than written afterwards
        # (each write on an invoice resyncs its lines): the payment term
        # computes the due date from it.
        moves = sale_orders.with_context(default_invoice_date=day)._create_invoices(
            grouped=True, final=final
        )
        expected_type = "out_refund" if final else "out_invoice"
        if len(moves) != len(sale_orders) or set(moves.mapped("move_type")) != {
            expected_type
        }:
            raise UserError(
                self.env._(
                    "TPC-H replay on %(day)s: %(count)s %(type)s made "
                    "for %(orders)s orders.",
                    day=day,
                    count=len(moves),
                    type=expected_type,
                    orders=len(sale_orders),
                )
            )
        wrong = moves.filtered(
            lambda m: (
                m.invoice_date != day or m.invoice_payment_term_id != self.payment_term
            )
        )
        if wrong:
            wrong.write(
                {"invoice_date": day, "invoice_payment_term_id": self.payment_term.id}
            )
        moves.action_post()
        self.stats["refunds" if final else "invoices"] += len(moves)
        if final:
            self._reconcile_refunds(day, orders, moves)

    def _invoices_of(self, orders):
        """The posted invoice of each order: ``{orderkey: account.move}``."""
        self.env.flush_all()
        keys = {
            self.orders[order["o_orderkey"]]: order["o_orderkey"] for order in orders
        }
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT sol.order_id, aml.move_id
                  FROM sale_order_line sol
                  JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                  JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE sol.order_id IN %s
                   AND am.move_type = 'out_invoice' AND am.state = 'posted'
                """,
                tuple(keys),
            )
        )
        Move = self.env["account.move"]
        result = {}
        for order_id, move_id in self.env.cr.fetchall():
            if keys[order_id] in result:
                raise UserError(
                    self.env._(
                        "TPC-H replay: the order %(order)s has several invoices.",
                        order=order_ref(keys[order_id]),
                    )
                )
            result[keys[order_id]] = Move.browse(move_id)
        missing = [key for key in keys.values() if key not in result]
        if missing:
            raise UserError(
                self.env._(
                    "TPC-H replay: no posted invoice for the orders %(orders)s.",
                    orders=", ".join(order_ref(key) for key in missing),
                )
            )
        return result

    @staticmethod
    def _receivable_lines(moves):
        return moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def _reconcile_refunds(self, day, orders, refunds):
        """Reconcile each credit note with its order's invoice, as far as the
        invoice is still open; the rest of the credit note stays open."""
        invoices = self._invoices_of(orders)
        by_order = {}
        for refund in refunds:
            order_ids = refund.invoice_line_ids.sale_line_ids.order_id.ids
            if len(order_ids) != 1:
                raise UserError(
                    self.env._(
                        "TPC-H replay on %(day)s: the credit note %(move)s is "
                        "not of one order.",
                        day=day,
                        move=refund.name,
                    )
                )
            by_order[order_ids[0]] = refund
        plan = []
        for order in orders:
            refund = by_order[self.orders[order["o_orderkey"]]]
            invoice = invoices[order["o_orderkey"]]
            invoice_line = self._receivable_lines(invoice).filtered(
                lambda line: not line.reconciled
            )
            if invoice_line:
                plan.append(invoice_line + self._receivable_lines(refund))
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)
        self.stats["refunds_reconciled"] += len(plan)

    def _pay(self, day, orders):
        """The payments of the day, by the payment rule: one inbound customer
        payment in the bank journal per invoice still open, posted and
        reconciled with the invoice."""
        invoices = self._invoices_of(orders)
        vals_list = []
        paid = []
        for order in orders:
            invoice = invoices[order["o_orderkey"]]
            amount = tpch_data.payment_amount(
                tpch_data.to_cents(invoice.amount_total),
                tpch_data.to_cents(invoice.amount_residual),
                self.acctbal[order["o_custkey"]],
            )
            if amount <= Decimal(0):
                continue
            paid.append(invoice)
            vals_list.append(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": invoice.commercial_partner_id.id,
                    "amount": float(amount),
                    "currency_id": invoice.currency_id.id,
                    "date": day,
                    "journal_id": self.bank_journal.id,
                    "company_id": self.company.id,
                    "memo": invoice.name,
                }
            )
        if not vals_list:
            return
        payments = self.env["account.payment"].create(vals_list)
        payments.action_post()
        plan = []
        for payment, invoice in zip(payments, paid, strict=True):
            invoice_line = self._receivable_lines(invoice).filtered(
                lambda line: not line.reconciled
            )
            payment_line = payment.move_id.line_ids.filtered(
                lambda line, account=invoice_line.account_id: line.account_id == account
            )
            if len(invoice_line) != 1 or len(payment_line) != 1:
                raise UserError(
                    self.env._(
                        "TPC-H replay on %(day)s: the payment of %(invoice)s "
                        "cannot be reconciled with it.",
                        day=day,
                        invoice=invoice.name,
                    )
                )
            plan.append(invoice_line + payment_line)
        self.env["account.move.line"]._reconcile_plan(plan)
        self.chunk_payments += payments.ids
        self.stats["payments"] += len(payments)

    # ------------------------------------------------------------------
    # Historical dates
    # ------------------------------------------------------------------

    def _fix_and_check_dates(self, chunk, events):
        """Set the TPC-H dates on the documents of the chunk's events, then
        check them and that nothing of the touched orders kept today's date;
        check the dates of the chunk's payments."""
        self._fix_and_check_order_dates(chunk, events)
        self._check_payments(self.chunk_payments)
        self.chunk_payments = []

    def _fix_and_check_order_dates(self, chunk, events):
        self.env.flush_all()
        cr = self.env.cr
        touched = {}
        order_dates = []
        for day in chunk:
            for order in events[day]["confirm"]:
                touched[order["o_orderkey"]] = order
                order_dates.append(
                    (self.orders[order["o_orderkey"]], noon(order["o_orderdate"]))
                )
            for kind in ("deliver", "return"):
                for order, _line in events[day][kind]:
                    touched[order["o_orderkey"]] = order
        if not touched:
            return
        line_dates = [
            (
                self.order_lines[(order["o_orderkey"], line["l_linenumber"])],
                noon(line["l_shipdate"]),
                noon(line["l_receiptdate"]),
            )
            for order in touched.values()
            for line in order["lines"]
        ]
        self._write_move_dates(line_dates)
        touched = sorted(self.orders[key] for key in touched)
        self._write_picking_dates(touched)
        if order_dates:
            cr.execute(
                SQL(
                    "UPDATE sale_order so "
                    "SET date_order = v.d, validity_date = v.d::date "
                    "FROM (VALUES %s) AS v(id, d) WHERE so.id = v.id",
                    SQL(", ").join(
                        SQL("(%s, %s::timestamp)", i, d) for i, d in order_dates
                    ),
                )
            )
        self.env.invalidate_all()
        self._check_dates(touched)

    def _write_move_dates(self, line_dates):
        """Outgoing moves of a line: planned and done on its ship date; its
        returns: on its receipt date; move lines as their moves."""
        if not line_dates:
            return
        cr = self.env.cr
        values = SQL(", ").join(
            SQL("(%s, %s::timestamp, %s::timestamp)", line_id, ship, receipt)
            for line_id, ship, receipt in line_dates
        )
        cr.execute(
            SQL(
                """
                UPDATE stock_move m
                   SET date = CASE WHEN m.origin_returned_move_id IS NULL
                                   THEN v.ship ELSE v.receipt END,
                       date_deadline = CASE WHEN m.origin_returned_move_id IS NULL
                                   THEN v.ship ELSE NULL END,
                       reservation_date = NULL
                  FROM (VALUES %s) AS v(line_id, ship, receipt)
                 WHERE m.sale_line_id = v.line_id
                """,
                values,
            )
        )

    def _write_picking_dates(self, order_ids):
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                UPDATE stock_move_line ml SET date = m.date
                  FROM stock_move m JOIN sale_order_line sol ON sol.id = m.sale_line_id
                 WHERE ml.move_id = m.id AND sol.order_id IN %s AND ml.date <> m.date
                """,
                tuple(order_ids),
            )
        )
        cr.execute(
            SQL(
                """
                UPDATE stock_picking p
                   SET scheduled_date = d.first_date,
                       date_deadline = d.first_deadline,
                       date_done = CASE WHEN p.state = 'done' THEN d.last_done END,
                       date = CASE WHEN p.return_id IS NULL THEN so.date_order
                                   ELSE d.first_date END
                  FROM (
                      SELECT m.picking_id,
                             MIN(m.date) AS first_date,
                             MIN(m.date_deadline) AS first_deadline,
                             MAX(m.date) FILTER (WHERE m.state = 'done') AS last_done
                        FROM stock_move m
                        JOIN sale_order_line sol ON sol.id = m.sale_line_id
                       WHERE sol.order_id IN %s AND m.picking_id IS NOT NULL
                       GROUP BY m.picking_id
                  ) d, sale_order so
                 WHERE p.id = d.picking_id AND so.id = p.sale_id
                """,
                tuple(order_ids),
            )
        )

    def _check_dates(self, order_ids):
        """Nothing of the orders keeps a date Odoo stamped today, and the
        documents' dates are the TPC-H ones; invoices and credit notes fall
        due on their receivable lines 30 days after their date."""
        checks = {
            "sale orders": SQL(
                """SELECT COUNT(*) FROM sale_order
                    WHERE id IN %s AND (date_order >= %s OR validity_date >= %s)""",
                tuple(order_ids),
                FUTURE,
                FUTURE,
            ),
            "stock moves": SQL(
                """SELECT COUNT(*) FROM stock_move m
                    JOIN sale_order_line sol ON sol.id = m.sale_line_id
                    WHERE sol.order_id IN %s AND (m.date >= %s OR m.date_deadline >= %s
                          OR m.reservation_date >= %s)""",
                tuple(order_ids),
                FUTURE,
                FUTURE,
                FUTURE,
            ),
            "stock move lines": SQL(
                """SELECT COUNT(*) FROM stock_move_line ml
                    JOIN stock_move m ON m.id = ml.move_id
                    JOIN sale_order_line sol ON sol.id = m.sale_line_id
                    WHERE sol.order_id IN %s AND ml.date <> m.date""",
                tuple(order_ids),
            ),
            "pickings": SQL(
                """SELECT COUNT(*) FROM stock_picking
                    WHERE sale_id IN %s AND (scheduled_date >= %s OR date_deadline >= %s
                          OR date_done >= %s OR date >= %s
                          OR (state = 'done') <> (date_done IS NOT NULL))""",
                tuple(order_ids),
                FUTURE,
                FUTURE,
                FUTURE,
                FUTURE,
            ),
            "done moves off their day": SQL(
                """SELECT COUNT(*) FROM stock_move m
                    JOIN stock_picking p ON p.id = m.picking_id
                    WHERE p.sale_id IN %s AND m.state = 'done' AND p.state = 'done'
                      AND m.date::date <> p.date_done::date""",
                tuple(order_ids),
            ),
        }
        # the orders' invoices and credit notes, looked up once (a subquery
        # per check can make PostgreSQL plan a scan per touched order)
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT DISTINCT l.move_id FROM account_move_line l
                     JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = l.id
                     JOIN sale_order_line sol ON sol.id = rel.order_line_id
                    WHERE sol.order_id IN %s""",
                tuple(order_ids),
            )
        )
        move_ids = tuple(row[0] for row in cr.fetchall())
        if move_ids:
            checks.update(self._invoice_checks(move_ids))
        self._raise_wrong(checks)

    def _invoice_checks(self, move_ids):
        """Invoices and credit notes: dated, posted, under the 30-days term,
        falling due 30 days after their date, on their receivable line
        too."""
        return {
            "invoices": SQL(
                """SELECT COUNT(*) FROM account_move am
                    WHERE am.id IN %s
                      AND (am.invoice_date IS NULL OR am.date <> am.invoice_date
                           OR am.invoice_date_due <> am.invoice_date + %s
                           OR am.invoice_payment_term_id IS DISTINCT FROM %s
                           OR am.state <> 'posted')""",
                move_ids,
                tpch_data.PAYMENT_TERM_DAYS,
                self.payment_term.id,
            ),
            "journal items": SQL(
                """SELECT COUNT(*) FROM account_move_line aml
                    JOIN account_move am ON am.id = aml.move_id
                    WHERE am.id IN %s
                      AND (aml.date <> am.date OR aml.date_maturity >= %s)""",
                move_ids,
                FUTURE,
            ),
            "receivable due dates": SQL(
                """SELECT COUNT(*) FROM account_move_line aml
                    JOIN account_move am ON am.id = aml.move_id
                    JOIN account_account aa ON aa.id = aml.account_id
                    WHERE am.id IN %s
                      AND aa.account_type = 'asset_receivable'
                      AND aml.date_maturity IS DISTINCT FROM am.invoice_date + %s""",
                move_ids,
                tpch_data.PAYMENT_TERM_DAYS,
            ),
        }

    def _check_payments(self, payment_ids):
        """The payments are dated on their day (payment, entry, journal
        items), posted, and their receivable line fully reconciled."""
        if not payment_ids:
            return
        self.env.flush_all()
        checks = {
            "payments": SQL(
                """SELECT COUNT(*) FROM account_payment p
                    JOIN account_move am ON am.id = p.move_id
                    WHERE p.id IN %s
                      AND (am.date <> p.date OR p.date >= %s OR am.state <> 'posted'
                           OR p.payment_type <> 'inbound'
                           OR p.partner_type <> 'customer')""",
                tuple(payment_ids),
                FUTURE,
            ),
            "payment journal items": SQL(
                """SELECT COUNT(*) FROM account_move_line aml
                    JOIN account_payment p ON p.move_id = aml.move_id
                    JOIN account_account aa ON aa.id = aml.account_id
                    WHERE p.id IN %s
                      AND (aml.date <> p.date OR aml.date_maturity <> p.date
                           OR (aa.account_type = 'asset_receivable'
                               AND NOT aml.reconciled))""",
                tuple(payment_ids),
            ),
        }
        self._raise_wrong(checks)

    def _raise_wrong(self, checks):
        cr = self.env.cr
        wrong = {}
        for name, query in checks.items():
            cr.execute(query)
            count = cr.fetchone()[0]
            if count:
                wrong[name] = count
        if wrong:
            raise UserError(
                self.env._(
                    "TPC-H replay: documents kept wrong dates: %(wrong)s",
                    wrong=", ".join(f"{k}: {v}" for k, v in wrong.items()),
                )
            )
