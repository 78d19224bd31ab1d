"""Template tags of the charts area: the goal-measures panel on one shared time axis."""

from __future__ import annotations

from django import template

from ..charts import GoalCharts, goal_charts
from ..models import Goal

register = template.Library()


@register.simple_tag
def goal_measure_charts(goal: Goal) -> GoalCharts:
    """``{% goal_measure_charts goal as panel %}``: the goal's measures, corporate then clinical."""
    return goal_charts(goal)
