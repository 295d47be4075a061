"""TPC-H data generated with DuckDB, and the figures a sales back office
loaded from it must show, computed independently in DuckDB SQL.

This module knows nothing of Odoo: it generates the TPC-H tables
(``CALL dbgen``), selects the orders to load (all of them, a given list, or
the deterministic test subset), hands out the rows the loader needs, and
computes the expected statistics straight from the TPC-H tables.

The business rules of the replay (the same ones the loader follows):

* each order is a contract signed and an order confirmed on ``o_orderdate``;
  each lineitem is a contract line and an order line: unit price
  ``p_retailprice``, discount ``l_discount`` x 100 %, one percent tax
  (price excluded) of rate ``l_tax`` x 100;
* a lineitem shipped on or before the TPC-H current date (1995-06-17) is
  delivered on ``l_shipdate``;
* a lineitem flagged ``R`` is returned in full on ``l_receiptdate``;
* an order with a delivered line is invoiced once, on the latest ship date of
  its delivered lines, for the delivered quantities net of the returns made
  on or before that date;
* a return made after that date is refunded by a credit note dated on its
  receipt date;
* every contract has a 30-days payment term: an invoice or credit note falls
  due 30 days after its date;
* a credit note is reconciled with its order's invoice when it is posted, as
  far as the invoice is still open; the rest stays open (the customer's
  credit);
* an invoice is paid on its payment date, its date + ``o_orderkey`` mod 60
  days, when that date is on or before 1995-06-17: the customer pays the
  invoice's residual at that date (after the credit notes dated on or before
  it, the same day's first), or, with ``c_acctbal`` below zero, half the
  invoice total (rounded half-up to the cent, at most that residual); no
  payment when the residual is zero. The payment is reconciled with the
  invoice.

Amounts per line: untaxed = ROUND(qty x price x (1 - discount), 2), tax =
ROUND(untaxed x rate, 2) (Odoo's "round per line": the base is rounded first,
then the tax on the rounded base), total = untaxed + tax.
"""

import datetime
import glob
import importlib.util
import os
from decimal import ROUND_HALF_UP, Decimal

CURRENT_DATE = datetime.date(1995, 6, 17)

#: TPC-H nation names that are not the English name of an Odoo country,
#: mapped to the ISO code of the country.
NATION_COUNTRY_CODES = {
    "RUSSIA": "RU",
    "IRAN": "IR",
    "VIETNAM": "VN",
    "UNITED STATES": "US",
    "UNITED KINGDOM": "GB",
}

#: The measures compared, each with the date it counts on.
MEASURES = ("contracted", "ordered", "delivered", "returned", "invoiced", "refunded")
#: Report field names compared, per measure (quantity, untaxed, total).
FIELDS = tuple(
    name
    for measure in MEASURES
    for name in (f"qty_{measure}", f"amount_{measure}", f"amount_{measure}_total")
) + ("amount_invoiced_net", "amount_invoiced_net_total")

#: The levels expected figures are given at: district code of each row.
LEVELS = ("region", "nation")

CENT = Decimal("0.01")

#: Days from an invoice's (or credit note's) date to its due date.
PAYMENT_TERM_DAYS = 30
#: An invoice is paid on its date + orderkey mod this many days.
PAYMENT_DAY_MODULO = 60
#: No payment is made after this date (the TPC-H current date).
LAST_PAYMENT_DATE = CURRENT_DATE
#: The ageing is compared as of this date.
AGEING_DATE = CURRENT_DATE
#: Upper limits (days overdue) of the ageing buckets 1 to 4; 5 is beyond.
AGEING_LIMITS = (30, 60, 90, 180)
AGEING_FIELDS = ("not_due_amount",) + tuple(
    f"bucket_{index}_amount" for index in range(1, len(AGEING_LIMITS) + 2)
)
COLLECTION_FIELDS = ("collected_amount",)


def region_code(regionkey):
    return f"TPCH-R{int(regionkey)}"


def nation_code(nationkey):
    return f"TPCH-N{int(nationkey)}"


def to_cents(value):
    """An exact decimal rounded half-up to the cent (floats via repr)."""
    if value is None:
        value = 0
    if not isinstance(value, Decimal):
        value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def customer_ref(custkey):
    return f"TPCH-C{int(custkey)}"


def payment_date(orderkey, invoice_date):
    """The day an order's invoice is paid (paid only on or before
    :data:`LAST_PAYMENT_DATE`)."""
    return invoice_date + datetime.timedelta(days=int(orderkey) % PAYMENT_DAY_MODULO)


def payment_amount(total, residual, acctbal):
    """What the customer pays on an invoice of ``total`` whose residual is
    ``residual`` on the payment date (Decimals): the residual, or for a
    customer of negative account balance half the total, rounded half-up,
    never more than the residual."""
    residual = to_cents(residual)
    if residual <= 0:
        return Decimal("0.00")
    if to_cents(acctbal) < 0:
        half = (to_cents(total) / 2).quantize(CENT, rounding=ROUND_HALF_UP)
        return min(half, residual)
    return residual


def find_extension():
    """Path of the TPC-H extension shipped by the ``duckdb-ext-tpch`` wheel,
    for the running DuckDB version (no download, no INSTALL)."""
    import duckdb  # noqa: PLC0415 - optional dependency, imported when used

    env_path = os.environ.get("DUCKDB_TPCH_EXTENSION")
    if env_path:
        return env_path
    spec = importlib.util.find_spec("duckdb_ext")
    roots = list(spec.submodule_search_locations) if spec else []
    version = duckdb.__version__
    candidates = []
    for root in roots:
        candidates += sorted(
            glob.glob(
                os.path.join(
                    root, "extensions", f"v{version}", "*", "tpch.duckdb_extension"
                )
            )
        )
        candidates += sorted(
            glob.glob(
                os.path.join(root, "extensions", "*", "*", "tpch.duckdb_extension")
            )
        )
    if not candidates:
        raise RuntimeError(
            "The DuckDB TPC-H extension was not found: install the "
            f"duckdb-ext-tpch wheel matching duckdb=={version}."
        )
    return candidates[0]


class TpchData:
    """TPC-H tables of one scale factor in an in-memory DuckDB, restricted to
    a selection of orders (table ``sel``), with the derived table ``li``
    (one row per selected lineitem with its amounts and event dates)."""

    def __init__(self, sf=0.01, order_keys=None, subset=False):
        import duckdb  # noqa: PLC0415 - optional dependency, imported when used

        self.sf = sf
        self.con = duckdb.connect(database=":memory:")
        self.con.execute(f"LOAD '{find_extension()}'")
        self.con.execute(f"CALL dbgen(sf={float(sf)!r})")
        self._derive_events()
        if subset:
            order_keys = self.subset_order_keys()
        self.select(order_keys)

    # ------------------------------------------------------------------
    # Selection and derived tables
    # ------------------------------------------------------------------

    def _derive_events(self):
        """Per order: its invoice date. Per lineitem: amounts and the date of
        each event. Computed over all orders (each order's events depend on
        its own lines only)."""
        cutoff = CURRENT_DATE.isoformat()
        self.con.execute(
            f"""
            CREATE TABLE li_base AS
            SELECT l.l_orderkey, l.l_linenumber, l.l_partkey,
                   l.l_quantity AS qty,
                   p.p_retailprice AS price_unit,
                   l.l_discount * 100 AS discount,
                   l.l_tax, l.l_tax * 100 AS tax_rate,
                   o.o_orderdate, o.o_custkey, c.c_nationkey, n.n_regionkey,
                   l.l_shipdate, l.l_receiptdate,
                   l.l_shipdate <= DATE '{cutoff}' AS is_delivered,
                   l.l_returnflag = 'R' AS is_returned,
                   ROUND(l.l_quantity * p.p_retailprice * (1 - l.l_discount), 2)
                       AS untaxed
            FROM lineitem l
            JOIN orders o ON o.o_orderkey = l.l_orderkey
            JOIN customer c ON c.c_custkey = o.o_custkey
            JOIN nation n ON n.n_nationkey = c.c_nationkey
            JOIN part p ON p.p_partkey = l.l_partkey
            """
        )
        self.con.execute(
            """
            CREATE TABLE ord_all AS
            SELECT l_orderkey AS o_orderkey,
                   MAX(l_shipdate) FILTER (WHERE is_delivered) AS invoice_date,
                   MIN(l_shipdate) AS first_ship,
                   MAX(l_shipdate) AS last_ship,
                   COUNT(*) AS line_count,
                   COUNT(*) FILTER (WHERE is_delivered) AS delivered_count,
                   COUNT(*) FILTER (WHERE is_returned) AS returned_count
            FROM li_base GROUP BY l_orderkey
            """
        )
        self.con.execute(
            """
            CREATE TABLE li_all AS
            SELECT b.*,
                   CAST(b.untaxed + ROUND(b.untaxed * b.l_tax, 2)
                        AS DECIMAL(18, 2)) AS total,
                   o.invoice_date
            FROM li_base b JOIN ord_all o ON o.o_orderkey = b.l_orderkey
            """
        )

    def subset_order_keys(self):
        """The deterministic test subset: per kind of order history, the
        first orders in a fixed pseudo-random order (``o_orderkey x 7919 mod
        10007``), so it mixes regions, nations and quarters:

        * 8 orders partly delivered at the current date;
        * 8 orders with a return refunded by a credit note (after the invoice);
        * 8 orders with a return made before their invoice;
        * 6 orders fully delivered without return;
        * 4 orders not delivered at all;
        * 2 orders with both kinds of return;
        * 2 orders of customers with a negative account balance (paying
          half) refunded after the payment;
        * 1 order refunded on its payment day.

        The payments (:func:`payment_date`) then fall before and after the
        current date, before and after credit notes.
        """
        cutoff = CURRENT_DATE.isoformat()
        rows = self.con.execute(
            f"""
            WITH kinds AS (
                SELECT o.o_orderkey,
                       (o.o_orderkey * 7919) % 10007 AS rank_key,
                       bool_or(l.is_returned AND l.l_receiptdate > o.invoice_date
                               AND l.l_receiptdate > o.invoice_date
                                   + CAST(o.o_orderkey % {PAYMENT_DAY_MODULO}
                                          AS INTEGER)
                               AND c.c_acctbal < 0)
                           AS half_paid_refund,
                       bool_or(l.is_returned AND l.l_receiptdate > o.invoice_date
                               AND l.l_receiptdate = o.invoice_date
                                   + CAST(o.o_orderkey % {PAYMENT_DAY_MODULO}
                                          AS INTEGER))
                           AS refund_on_payment_day,
                       o.delivered_count > 0 AND o.last_ship > DATE '{cutoff}'
                           AS partial,
                       bool_or(l.is_returned AND l.l_receiptdate > o.invoice_date)
                           AS refund,
                       bool_or(l.is_returned AND l.l_receiptdate <= o.invoice_date)
                           AS early_return,
                       o.delivered_count = o.line_count AND o.returned_count = 0
                           AS plain,
                       o.delivered_count = 0 AS undelivered
                FROM ord_all o JOIN li_all l ON l.l_orderkey = o.o_orderkey
                JOIN customer c ON c.c_custkey = l.o_custkey
                GROUP BY ALL
            ),
            picks AS (
                (SELECT o_orderkey FROM kinds WHERE partial
                 ORDER BY rank_key, o_orderkey LIMIT 8)
                UNION
                (SELECT o_orderkey FROM kinds WHERE refund AND NOT early_return
                 ORDER BY rank_key, o_orderkey LIMIT 8)
                UNION
                (SELECT o_orderkey FROM kinds WHERE early_return AND NOT refund
                 ORDER BY rank_key, o_orderkey LIMIT 8)
                UNION
                (SELECT o_orderkey FROM kinds WHERE plain
                 ORDER BY rank_key, o_orderkey LIMIT 6)
                UNION
                (SELECT o_orderkey FROM kinds WHERE undelivered
                 ORDER BY rank_key, o_orderkey LIMIT 4)
                UNION
                (SELECT o_orderkey FROM kinds WHERE early_return AND refund
                 ORDER BY rank_key, o_orderkey LIMIT 2)
                UNION
                (SELECT o_orderkey FROM kinds WHERE half_paid_refund
                 ORDER BY rank_key, o_orderkey LIMIT 2)
                UNION
                (SELECT o_orderkey FROM kinds WHERE refund_on_payment_day
                 ORDER BY rank_key, o_orderkey LIMIT 1)
            )
            SELECT o_orderkey FROM picks ORDER BY o_orderkey
            """
        ).fetchall()
        return [row[0] for row in rows]

    def select(self, order_keys=None):
        """Restrict the data to the given orders (all orders when None)."""
        self.con.execute("DROP TABLE IF EXISTS sel")
        if order_keys is None:
            self.con.execute("CREATE TABLE sel AS SELECT o_orderkey FROM orders")
        else:
            self.con.execute("CREATE TABLE sel (o_orderkey BIGINT PRIMARY KEY)")
            keys = sorted({int(k) for k in order_keys})
            if keys:
                self.con.executemany("INSERT INTO sel VALUES (?)", [(k,) for k in keys])
        self.con.execute(
            """
            CREATE OR REPLACE VIEW li AS
            SELECT li_all.* FROM li_all
            JOIN sel ON sel.o_orderkey = li_all.l_orderkey
            """
        )

    def order_keys(self):
        return [
            r[0]
            for r in self.con.execute(
                "SELECT o_orderkey FROM sel ORDER BY 1"
            ).fetchall()
        ]

    # ------------------------------------------------------------------
    # Rows for the loader
    # ------------------------------------------------------------------

    def _dicts(self, query, params=None):
        cursor = self.con.execute(query, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def regions(self):
        return self._dicts(
            "SELECT r_regionkey, r_name FROM region ORDER BY r_regionkey"
        )

    def nations(self):
        return self._dicts(
            "SELECT n_nationkey, n_name, n_regionkey FROM nation ORDER BY n_nationkey"
        )

    def customers(self):
        """The customers of the selected orders."""
        return self._dicts(
            """
            SELECT c_custkey, c_name, c_address, c_nationkey, c_phone,
                   c_mktsegment, c_acctbal
            FROM customer
            WHERE c_custkey IN (SELECT DISTINCT o_custkey FROM li)
            ORDER BY c_custkey
            """
        )

    def parts(self):
        """The parts of the selected lineitems."""
        return self._dicts(
            """
            SELECT p_partkey, p_name, p_type, p_retailprice
            FROM part
            WHERE p_partkey IN (SELECT DISTINCT l_partkey FROM li)
            ORDER BY p_partkey
            """
        )

    def clerks(self):
        """The clerks of the selected orders."""
        rows = self.con.execute(
            """
            SELECT DISTINCT o_clerk FROM orders
            WHERE o_orderkey IN (SELECT o_orderkey FROM sel) ORDER BY 1
            """
        ).fetchall()
        return [r[0] for r in rows]

    def tax_rates(self):
        """Distinct tax rates (percent) of the selected lineitems."""
        rows = self.con.execute(
            "SELECT DISTINCT tax_rate FROM li ORDER BY 1"
        ).fetchall()
        return [r[0] for r in rows]

    def orders(self):
        """The selected orders in date order, each with its lines and the
        dates of its events."""
        orders = self._dicts(
            """
            SELECT o.o_orderkey, o.o_custkey, o.o_orderdate, o.o_clerk,
                   a.invoice_date
            FROM orders o JOIN ord_all a ON a.o_orderkey = o.o_orderkey
            WHERE o.o_orderkey IN (SELECT o_orderkey FROM sel)
            ORDER BY o.o_orderdate, o.o_orderkey
            """
        )
        lines = self._dicts(
            """
            SELECT l_orderkey, l_linenumber, l_partkey, qty, price_unit,
                   discount, tax_rate, l_shipdate, l_receiptdate,
                   is_delivered, is_returned
            FROM li ORDER BY l_orderkey, l_linenumber
            """
        )
        by_order = {}
        for line in lines:
            by_order.setdefault(line["l_orderkey"], []).append(line)
        for order in orders:
            order["lines"] = by_order.get(order["o_orderkey"], [])
        return orders

    # ------------------------------------------------------------------
    # Expected figures
    # ------------------------------------------------------------------

    FACTS_SQL = """
        -- contracted: every line, on the signature (= order) date
        SELECT l_orderkey, l_linenumber, c_nationkey, n_regionkey,
               'contracted' AS measure, o_orderdate AS day,
               qty, untaxed, total FROM li
        UNION ALL
        -- ordered: the confirmed order, on the order date
        SELECT l_orderkey, l_linenumber, c_nationkey, n_regionkey,
               'ordered', o_orderdate, qty, untaxed, total FROM li
        UNION ALL
        -- delivered on the ship date, up to the current date
        SELECT l_orderkey, l_linenumber, c_nationkey, n_regionkey,
               'delivered', l_shipdate, qty, untaxed, total
        FROM li WHERE is_delivered
        UNION ALL
        -- returned in full on the receipt date
        SELECT l_orderkey, l_linenumber, c_nationkey, n_regionkey,
               'returned', l_receiptdate, qty, untaxed, total
        FROM li WHERE is_returned
        UNION ALL
        -- invoiced once per order, on its last delivery, net of the
        -- returns received on or before that day
        SELECT l_orderkey, l_linenumber, c_nationkey, n_regionkey,
               'invoiced', invoice_date, qty, untaxed, total
        FROM li
        WHERE is_delivered
          AND NOT (is_returned AND l_receiptdate <= invoice_date)
        UNION ALL
        -- refunded: returns received after the invoice
        SELECT l_orderkey, l_linenumber, c_nationkey, n_regionkey,
               'refunded', l_receiptdate, qty, untaxed, total
        FROM li
        WHERE is_returned AND l_receiptdate > invoice_date
    """

    @staticmethod
    def _district_key_sql(level):
        if level == "region":
            return "'TPCH-R' || CAST(n_regionkey AS VARCHAR)"
        if level == "nation":
            return "'TPCH-N' || CAST(c_nationkey AS VARCHAR)"
        raise ValueError(level)

    def expected(self, level="region", until=None):
        """Expected figures per (district code, quarter start date):
        ``{(code, date): {field: Decimal}}`` for the report fields of
        :data:`FIELDS`, at the region (level 1) or nation (level 2) level;
        with ``until`` (a load stopped at that date), only what is dated on
        or before it."""
        key_sql = self._district_key_sql(level)
        rows = self.con.execute(
            f"""
            SELECT {key_sql} AS code,
                   CAST(date_trunc('quarter', day) AS DATE) AS quarter,
                   measure,
                   SUM(qty) AS qty, SUM(untaxed) AS untaxed, SUM(total) AS total
            FROM ({self.FACTS_SQL}) facts
            WHERE ? IS NULL OR day <= ?
            GROUP BY ALL
            """,
            [until, until],
        ).fetchall()
        result = {}
        for code, quarter, measure, qty, untaxed, total in rows:
            figures = result.setdefault(
                (code, quarter), dict.fromkeys(FIELDS, Decimal("0.00"))
            )
            figures[f"qty_{measure}"] = to_cents(qty)
            figures[f"amount_{measure}"] = to_cents(untaxed)
            figures[f"amount_{measure}_total"] = to_cents(total)
        for figures in result.values():
            figures["amount_invoiced_net"] = (
                figures["amount_invoiced"] - figures["amount_refunded"]
            )
            figures["amount_invoiced_net_total"] = (
                figures["amount_invoiced_total"] - figures["amount_refunded_total"]
            )
        return result

    # ------------------------------------------------------------------
    # Expected receivables: invoices, credit notes, payments
    # ------------------------------------------------------------------

    def _receivables_sql(self, until=None):
        """SQL (WITH clauses, amounts in integer cents) of the receivable
        documents up to ``until``, from the TPC-H tables only:

        * ``inv``: one invoice per invoiced order (date, total, customer);
        * ``ref``: one credit note per order and day of return after the
          invoice;
        * ``pay``: the payments, by the payment rule;
        * ``ref_applied``: each credit note with the part of it reconciled
          with its invoice (all of it before the payment: the credit notes
          never exceed the invoice; after the payment, what the invoice
          still owes, credit notes taken in date order).
        """
        last = LAST_PAYMENT_DATE if until is None else min(until, LAST_PAYMENT_DATE)
        until_sql = "DATE '9999-12-31'" if until is None else f"DATE '{until}'"
        return f"""
            inv AS (
                SELECT l_orderkey AS o_orderkey,
                       ANY_VALUE(o_custkey) AS o_custkey,
                       ANY_VALUE(c_nationkey) AS c_nationkey,
                       ANY_VALUE(n_regionkey) AS n_regionkey,
                       ANY_VALUE(invoice_date) AS day,
                       SUM(CAST(total * 100 AS BIGINT)) AS amount
                FROM li
                WHERE is_delivered
                  AND NOT (is_returned AND l_receiptdate <= invoice_date)
                  AND invoice_date <= {until_sql}
                GROUP BY l_orderkey
            ),
            ref AS (
                SELECT l_orderkey AS o_orderkey, l_receiptdate AS day,
                       SUM(CAST(total * 100 AS BIGINT)) AS amount
                FROM li
                WHERE is_returned AND l_receiptdate > invoice_date
                  AND l_receiptdate <= {until_sql}
                GROUP BY ALL
            ),
            pay_due AS (
                SELECT i.o_orderkey, i.amount AS total, c.c_acctbal,
                       i.day + CAST(i.o_orderkey % {PAYMENT_DAY_MODULO} AS INTEGER)
                           AS day
                FROM inv i JOIN customer c ON c.c_custkey = i.o_custkey
            ),
            pay_residual AS (
                SELECT p.o_orderkey, p.day, p.total, p.c_acctbal,
                       p.total - COALESCE(SUM(r.amount), 0) AS residual
                FROM pay_due p
                LEFT JOIN ref r ON r.o_orderkey = p.o_orderkey AND r.day <= p.day
                WHERE p.day <= DATE '{last}'
                GROUP BY p.o_orderkey, p.day, p.total, p.c_acctbal
            ),
            pay AS (
                SELECT o_orderkey, day,
                       CASE WHEN c_acctbal < 0
                            THEN LEAST((total + 1) // 2, residual)
                            ELSE residual END AS amount
                FROM pay_residual WHERE residual > 0
            ),
            ref_pay AS (
                SELECT r.o_orderkey, r.day, r.amount, i.o_custkey,
                       i.amount AS invoice_amount,
                       COALESCE(p.amount, 0) AS paid,
                       p.day IS NOT NULL AND r.day <= p.day AS before_payment
                FROM ref r JOIN inv i ON i.o_orderkey = r.o_orderkey
                LEFT JOIN pay p ON p.o_orderkey = r.o_orderkey
            ),
            ref_cumulated AS (
                SELECT *,
                       invoice_amount - paid - SUM(
                           CASE WHEN before_payment THEN amount ELSE 0 END
                       ) OVER (PARTITION BY o_orderkey) AS left_after_payment,
                       SUM(CASE WHEN before_payment THEN 0 ELSE amount END) OVER (
                           PARTITION BY o_orderkey ORDER BY day
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                       ) AS cumulated
                FROM ref_pay
            ),
            ref_applied AS (
                SELECT o_orderkey, o_custkey, day, amount,
                       CASE WHEN before_payment THEN amount
                            ELSE LEAST(cumulated, left_after_payment)
                                 - LEAST(cumulated - amount, left_after_payment)
                       END AS applied
                FROM ref_cumulated
            )
        """

    def expected_collections(self, level="region", until=None):
        """Collected (payments reconciled with invoices, on the payment
        date) per (district code, month start date):
        ``{(code, month): {"collected_amount": Decimal}}``."""
        key_sql = self._district_key_sql(level)
        rows = self.con.execute(
            f"""
            WITH {self._receivables_sql(until)}
            SELECT {key_sql} AS code,
                   CAST(date_trunc('month', p.day) AS DATE) AS month,
                   SUM(p.amount) AS cents
            FROM pay p JOIN inv i ON i.o_orderkey = p.o_orderkey
            GROUP BY ALL
            """
        ).fetchall()
        return {
            (code, month): {"collected_amount": cents_to_decimal(cents)}
            for code, month, cents in rows
        }

    def expected_ageing(self, as_of=AGEING_DATE, until=None):
        """The open receivables as of ``as_of`` per customer and bucket:
        ``{(customer ref,): {field: Decimal}}`` for :data:`AGEING_FIELDS`.
        An invoice is open for its total less what was reconciled with it
        (credit notes, payment) on or before ``as_of``; a credit note, for
        what of it was not used against its invoice, negative. Each sits in
        the bucket of its days overdue (``as_of`` - due date)."""
        limits = AGEING_LIMITS
        buckets = " ".join(
            f"WHEN overdue <= {limit} THEN {index}"
            for index, limit in enumerate(limits, start=1)
        )
        rows = self.con.execute(
            f"""
            WITH {self._receivables_sql(until)},
            items AS (
                SELECT i.o_custkey, i.day + {PAYMENT_TERM_DAYS} AS due,
                       i.amount
                       - COALESCE((SELECT SUM(r.applied) FROM ref_applied r
                                    WHERE r.o_orderkey = i.o_orderkey
                                      AND r.day <= ?), 0)
                       - COALESCE((SELECT SUM(p.amount) FROM pay p
                                    WHERE p.o_orderkey = i.o_orderkey
                                      AND p.day <= ?), 0) AS open_amount
                FROM inv i WHERE i.day <= ?
                UNION ALL
                SELECT o_custkey, day + {PAYMENT_TERM_DAYS}, applied - amount
                FROM ref_applied WHERE day <= ?
            ),
            aged AS (
                SELECT o_custkey, open_amount,
                       CAST(? AS DATE) - CAST(due AS DATE) AS overdue
                FROM items WHERE open_amount <> 0
            )
            SELECT o_custkey,
                   CASE WHEN overdue <= 0 THEN 0 {buckets}
                        ELSE {len(limits) + 1} END AS bucket,
                   SUM(open_amount) AS cents
            FROM aged GROUP BY ALL
            """,
            [as_of, as_of, as_of, as_of, as_of],
        ).fetchall()
        result = {}
        for custkey, bucket, cents in rows:
            figures = result.setdefault(
                (customer_ref(custkey),), dict.fromkeys(AGEING_FIELDS, Decimal("0.00"))
            )
            figures[AGEING_FIELDS[bucket]] += cents_to_decimal(cents)
        return result

    def summary(self):
        """Counts describing the selection (orders, lines, events)."""
        return self._dicts(
            """
            SELECT COUNT(DISTINCT l_orderkey) AS orders,
                   COUNT(*) AS lines,
                   COUNT(*) FILTER (WHERE is_delivered) AS delivered_lines,
                   COUNT(*) FILTER (WHERE is_returned) AS returned_lines,
                   COUNT(DISTINCT l_orderkey) FILTER (WHERE is_delivered)
                       AS invoices,
                   COUNT(DISTINCT (l_orderkey, l_receiptdate)) FILTER (
                       WHERE is_returned AND l_receiptdate > invoice_date
                   ) AS refunds,
                   COUNT(DISTINCT n_regionkey) AS regions,
                   COUNT(DISTINCT c_nationkey) AS nations,
                   COUNT(DISTINCT date_trunc('quarter', o_orderdate)) AS quarters
            FROM li
            """
        )[0]


def cents_to_decimal(cents):
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def compare(expected, actual, fields=FIELDS):
    """Differences between two ``{key: {field: value}}`` mappings, as a list
    of ``(key, field, expected, actual)`` (values rounded to the cent; a key
    missing on one side counts as zeros)."""
    differences = []
    for key in sorted(
        set(expected) | set(actual), key=lambda k: tuple(str(part) for part in k)
    ):
        exp = expected.get(key, {})
        act = actual.get(key, {})
        for field in fields:
            exp_value = to_cents(exp.get(field, 0))
            act_value = to_cents(act.get(field, 0))
            if exp_value != act_value:
                differences.append((key, field, exp_value, act_value))
    return differences


def totals(figures, fields=FIELDS):
    """Sum of a ``{key: {field: value}}`` mapping over its keys."""
    result = dict.fromkeys(fields, Decimal("0.00"))
    for values in figures.values():
        for field in fields:
            result[field] += to_cents(values.get(field, 0))
    return result
