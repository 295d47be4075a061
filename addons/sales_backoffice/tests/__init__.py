from . import test_contract_review
from . import test_contract_execution
from . import test_contract_performance
from . import test_access
from . import test_bad_input
from . import test_milestones
from . import test_reports
from . import test_ui_tour
