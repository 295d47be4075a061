# Plain functions that need no ORM (testable without a database)
from . import ageing
