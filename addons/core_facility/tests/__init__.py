from . import (
    test_access,
    test_assessment,
    test_booking,
    test_booking_allocation,
    test_booking_concurrency,
    test_booking_lifecycle,
    test_certification,
    test_instrument,
    test_organisation,
    test_portal,
    test_portal_booking,
    test_views,
)
