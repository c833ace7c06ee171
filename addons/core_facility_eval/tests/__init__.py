from . import (
    test_access_eval_exports,
    test_access_eval_figures,
    test_access_eval_forms,
    test_access_eval_stats,
    test_access_eval_tables,
    test_access_matrix,
    test_eval_award,
    test_eval_inspection,
    test_eval_problem,
    test_eval_stats,
    test_eval_stats_demo,
)
