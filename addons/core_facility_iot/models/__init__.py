from . import (
    facility_access_decision,
    facility_booking,
    facility_box,
    facility_box_event,
    facility_box_quarantine,
    facility_instrument,
    facility_spot_check,
    facility_spot_check_line,
    facility_spot_check_wizard,
    facility_usage_log,
    facility_usage_session,
    res_users,
)
