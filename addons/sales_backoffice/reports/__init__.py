from . import contract_performance_report
from . import contract_line_performance
from . import contract_performance
from . import contract_statistics_xlsx
from . import report_contract_statistics
from . import report_contract_performance
from . import collection_ledger_report
