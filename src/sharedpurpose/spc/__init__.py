"""Statistical process control for Shared Purpose.

A framework-free numeric core: it imports numpy and the standard library only,
never Django, so that the web application, reports, the CLI and benchmarks all
share one implementation of the charts.

XmR (individuals) charts follow NHS England's "Making Data Count" rules exactly
as the R package NHSRplotthedots computes them:

>>> from sharedpurpose.spc import xmr
>>> r = xmr(range(1, 13), [5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 15], target=4)
>>> str(r.point_type[-1]), r.variation_icon, r.assurance_icon
('special_cause_improvement', 'improvement_high', 'inconsistent')
"""

from .attribute import c_chart, chart_batch, g_chart, p_chart, u_chart
from .batch import SHORT_PERIOD_WARNING, xmr, xmr_batch
from .evidence import (
    InterventionEffect,
    LaggedCorrelation,
    intervention_effect,
    lagged_correlations,
)
from .grouping import SeriesOptions, SpcInputError
from .icons import ASSURANCE_ICONS, VARIATION_ICONS
from .results import BatchResult, ChartResult
from .rules import POINT_TYPES, RULE_NAMES
from .runs import run_chart
from .svg import describe, render_chart, render_data_table
from .xmr import MR_LIMIT_FACTOR, MR_SCREEN_FACTOR, TWO_SIGMA_FACTOR

__all__ = [
    "ASSURANCE_ICONS",
    "MR_LIMIT_FACTOR",
    "MR_SCREEN_FACTOR",
    "POINT_TYPES",
    "RULE_NAMES",
    "SHORT_PERIOD_WARNING",
    "TWO_SIGMA_FACTOR",
    "VARIATION_ICONS",
    "BatchResult",
    "ChartResult",
    "InterventionEffect",
    "LaggedCorrelation",
    "SeriesOptions",
    "SpcInputError",
    "c_chart",
    "chart_batch",
    "intervention_effect",
    "lagged_correlations",
    "describe",
    "g_chart",
    "p_chart",
    "render_chart",
    "render_data_table",
    "run_chart",
    "u_chart",
    "xmr",
    "xmr_batch",
]
