from . import facility_box_secret_wizard
