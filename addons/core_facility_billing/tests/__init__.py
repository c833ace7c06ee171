from . import test_access_matrix, test_balance
