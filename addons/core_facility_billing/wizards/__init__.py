from . import (
    facility_charge_correct_wizard,
    facility_charge_dispute_wizard,
    facility_deposit_wizard,
    facility_fee_standard_decision_wizard,
    facility_settlement_wizard,
    facility_statement_send_wizard,
)
