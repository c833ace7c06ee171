from . import (
    test_access_iot_boxes,
    test_access_iot_intake,
    test_access_iot_usage,
    test_access_matrix,
    test_http_intake,
    test_intake,
    test_intake_concurrency,
    test_quarantine,
)
