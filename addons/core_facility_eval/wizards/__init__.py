from . import facility_eval_export, facility_nrii_export, facility_nrii_export_line
