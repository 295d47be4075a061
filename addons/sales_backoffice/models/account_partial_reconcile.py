from odoo import models
from odoo.tools.sql import create_index


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def init(self):
        res = super().init()
        # the receivable ageing as of a date adds back the partials dated
        # after it: few for a recent date, none for today
        create_index(
            self.env.cr,
            "account_partial_reconcile_max_date_idx",
            self._table,
            ["max_date"],
        )
        return res
