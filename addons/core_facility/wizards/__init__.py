from . import (
    facility_application_decision_line,
    facility_application_decision_wizard,
    facility_booking_finder,
    facility_booking_reject_wizard,
    facility_publication_missing_wizard,
    facility_research_group_state_wizard,
    facility_violation_decision_wizard,
)
