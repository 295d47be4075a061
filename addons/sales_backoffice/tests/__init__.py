from . import test_contract_review
from . import test_contract_execution
from . import test_contract_performance
