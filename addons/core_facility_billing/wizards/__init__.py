from . import facility_settlement_wizard
