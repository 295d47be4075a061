from . import sales_contract_reject_wizard
from . import sales_contract_order_wizard
from . import sales_contract_order_wizard_line
from . import sales_contract_attach_wizard
from . import contract_statistics_wizard
from . import contract_performance_wizard
from . import collection_report_wizard
