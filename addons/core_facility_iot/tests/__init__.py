from . import (
    test_access_iot_boxes,
    test_access_iot_intake,
    test_access_iot_usage,
    test_access_matrix,
    test_mqtt_bridge,
)
