from . import (
    facility_deposit_wizard,
    facility_fee_standard_decision_wizard,
    facility_statement_send_wizard,
)
