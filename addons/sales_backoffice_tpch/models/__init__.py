from . import tpch_data
from . import tpch_replay
from . import tpch_loader
