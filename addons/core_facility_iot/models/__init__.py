from . import (
    facility_access_decision,
    facility_box,
    facility_box_event,
    facility_box_quarantine,
    facility_instrument,
    facility_spot_check,
    facility_usage_log,
    facility_usage_session,
    res_config_settings,
    res_users,
)
