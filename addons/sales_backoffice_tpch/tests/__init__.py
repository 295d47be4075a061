from . import test_tpch_subset
from . import test_performance_queries
