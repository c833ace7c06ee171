from . import (
    test_access_iot_boxes,
    test_access_iot_intake,
    test_access_iot_usage,
    test_access_matrix,
    test_box_register,
    test_box_settings,
    test_box_silence,
)
