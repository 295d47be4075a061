import hashlib
import logging
from decimal import Decimal

from odoo import api, models

from . import tpch_data
from .tpch_replay import TpchReplay

_logger = logging.getLogger(__name__)

REPORT_MODEL = "sales.contract.performance.report"
LEVEL_FIELDS = {"region": "district_level1_id", "nation": "district_level2_id"}


class SalesBackofficeTpchLoader(models.AbstractModel):
    """Loads TPC-H data into the sales back office and compares the
    statistics report with figures computed by DuckDB from the TPC-H tables."""

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
    def load(self, sf=0.01, order_keys=None, commit=False, subset=False, data=None, chunk_days=31, log=None):
        """Generate TPC-H data of scale factor ``sf`` and load the selected
        orders (all, ``order_keys``, or the test ``subset``) into the
        current company. ``commit``: commit per chunk of days (script mode;
        never inside tests); a load interrupted then resumes after the last
        committed chunk. Returns the load statistics (counts, seconds)."""
        if data is None:
            data = self._tpch_data(sf=sf, order_keys=order_keys, subset=subset)
        replay = TpchReplay(
            self.env,
            data,
            commit=commit,
            chunk_days=chunk_days,
            log=log,
            selection_key=self._selection_key(sf, order_keys, subset),
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
        Decimal}}``, the fields of :data:`tpch_data.FIELDS`."""
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
            key = (district.code, quarter)
            result[key] = {
                field: tpch_data.to_cents(value)
                for field, value in zip(tpch_data.FIELDS, values, strict=True)
            }
        return result

    @api.model
    def compare(self, data, levels=tpch_data.LEVELS):
        """Compare the report with DuckDB's figures: ``{level: (expected,
        actual, differences)}``."""
        result = {}
        for level in levels:
            expected = data.expected(level)
            actual = self.report_figures(level)
            result[level] = (expected, actual, tpch_data.compare(expected, actual))
        return result

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
                lines.append(f"  MISMATCH {key[0]} {key[1]} {field}: DuckDB {exp_value} Odoo {act_value}")
            if len(differences) > 20:
                lines.append(f"  ... {len(differences) - 20} more")
        return lines
