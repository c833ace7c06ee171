from . import (
    test_access,
    test_access_matrix,
    test_access_rpc,
    test_assessment,
    test_booking,
    test_booking_allocation,
    test_booking_concurrency,
    test_certification,
    test_instrument,
    test_organisation,
    test_portal,
    test_views,
)
