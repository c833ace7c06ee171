from . import (
    test_access_eval_exports,
    test_access_eval_figures,
    test_access_eval_forms,
    test_access_eval_stats,
    test_access_eval_tables,
    test_access_matrix,
    test_eval_campaign,
    test_eval_roles,
    test_eval_sheet,
    test_eval_sheet_tables,
    test_eval_sheet_views,
    test_eval_unit,
)
