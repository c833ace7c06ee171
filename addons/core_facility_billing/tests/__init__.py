from . import (
    test_access_billing_settlements,
    test_access_matrix,
    test_fund,
    test_settlement,
    test_settlement_concurrency,
)
