{
    "name": "Sales Back Office - TPC-H Loader",
    "summary": "Load TPC-H data generated with DuckDB into the sales back office "
    "and check its statistics against DuckDB",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Sales Back Office contributors",
    "website": "https://example.com/sales_backoffice",
    "license": "LGPL-3",
    "depends": ["sales_backoffice"],
    "external_dependencies": {"python": ["duckdb", "duckdb-ext-tpch"]},
    "data": [],
    "installable": True,
    "auto_install": False,
}
