from . import (
    test_access_iot_boxes,
    test_access_iot_intake,
    test_access_iot_usage,
    test_access_matrix,
    test_allow_list,
    test_card,
    test_decision,
    test_matching,
    test_session,
    test_spot_check,
    test_unbooked,
    test_usage_log,
)
