"""Statistics of a campaign (seed 001 §4.2–4.3): mean and standard deviation of hours and
scores, rankings. Plain values, no Odoo import."""


def mean_std(values):
    """``(mean, standard deviation)`` of ``values`` (population: every evaluated instrument,
    not a sample), ``(0.0, 0.0)`` for none."""
    raise NotImplementedError
