from . import (
    test_access_billing_charges,
    test_access_matrix,
    test_charge_checks,
    test_charge_concurrency,
    test_charge_generation,
    test_charge_lifecycle,
)
