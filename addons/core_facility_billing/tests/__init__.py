from . import (
    test_access_billing_external,
    test_access_billing_standards,
    test_access_matrix,
    test_allocation,
    test_arrears,
    test_balance,
    test_balance_concurrency,
    test_fee_standard,
    test_fee_standard_concurrency,
    test_portal_billing,
    test_reconciliation,
    test_statement,
)
