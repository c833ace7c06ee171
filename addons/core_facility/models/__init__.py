from . import facility_booking_rule_mixin  # isort: skip (inherited below)
from . import facility_guarded_mixin  # isort: skip (inherited below)
from . import facility_booking_check  # isort: skip (inherited below)
from . import (
    facility_assessment,
    facility_assessment_line,
    facility_booking,
    facility_booking_allocation,
    facility_booking_blackout,
    facility_booking_demo,
    facility_booking_policy,
    facility_booking_quota,
    facility_booking_slot,
    facility_booking_waitlist,
    facility_certification_item,
    facility_certification_level,
    facility_certification_scheme,
    facility_instrument,
    facility_instrument_category,
    facility_instrument_demo,
    facility_qualification,
    facility_research_group,
    facility_training,
    facility_unit,
    maintenance_equipment,
    res_lang,
    res_users,
)
