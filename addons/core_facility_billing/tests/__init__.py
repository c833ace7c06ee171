from . import (
    test_access_billing_standards,
    test_access_matrix,
    test_fee_standard,
    test_fee_standard_concurrency,
)
