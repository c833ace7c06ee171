from . import (
    test_access_eval_exports,
    test_access_eval_figures,
    test_access_eval_forms,
    test_access_eval_stats,
    test_access_eval_tables,
    test_access_matrix,
    test_eval_collector,
    test_eval_export,
    test_eval_forecast,
    test_eval_scheme,
    test_nrii_export,
)
