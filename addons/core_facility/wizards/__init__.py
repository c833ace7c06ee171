from . import (
    facility_booking_finder,
    facility_booking_reject_wizard,
    facility_research_group_state_wizard,
)
