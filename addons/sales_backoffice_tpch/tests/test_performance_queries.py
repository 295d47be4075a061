from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPerformanceListQueries(TransactionCase):
    """Opening a contract's performance list costs the same number of
    queries whatever the number of its lines."""

    def test_query_count_does_not_depend_on_lines(self):
        loader = self.env["sales.backoffice.tpch.loader"]
        warm_up = loader._make_performance_contract(3)
        small = loader._make_performance_contract(10)
        large = loader._make_performance_contract(200)
        loader._open_performance_list(warm_up)
        rows_small, queries_small = loader._open_performance_list(small)
        rows_large, queries_large = loader._open_performance_list(large)
        self.assertEqual(len(rows_small["records"]), 10)
        self.assertEqual(len(rows_large["records"]), 200)
        self.assertEqual(queries_small, queries_large)
        # the figures are there: half of the lines delivered and invoiced
        delivered = [r for r in rows_large["records"] if r["qty_delivered"]]
        self.assertIn(len(delivered), (99, 100))
        with self.assertQueryCount(queries_small):
            self.env.flush_all()
            self.env.invalidate_all()
            self.env["sales.contract.line.performance"].web_search_read(
                [("contract_id", "=", large.id)],
                specification=loader._performance_list_specification(),
            )
