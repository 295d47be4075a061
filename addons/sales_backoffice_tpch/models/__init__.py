from . import tpch_loader
