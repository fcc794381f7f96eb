"""The charts' marker lines (a target, today, the SLA) are drawn as the shape and label
Plotly's add_vline / add_hline would add, without their cost on every page run: each chart
is the same figure either way."""

import datetime as dt
import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from relay import charts
from relay.fiscal import Phase


def _plotly_way(figure, axis, at, label=None, position=None, **line):
    add = figure.add_vline if axis == "x" else figure.add_hline
    label_options = {} if label is None else {"annotation_text": label}
    if position is not None:
        label_options["annotation_position"] = position
    add(**{axis: at}, **{f"line_{name}": value for name, value in line.items()},
        **label_options)


GOALS = pd.DataFrame({"goal": ["Revenue", "Pipeline", "MQLs"], "attainment": [0.8, 1.1, None],
                      "status": ["Behind pace", "On pace", None]})
CAMPAIGNS = pd.DataFrame({
    "name": ["Spring webinar", "Field event"], "channel": ["Webinar", "Events"],
    "start_date": pd.to_datetime(["2026-10-01", "2026-11-10"]),
    "end_date": pd.to_datetime(["2026-10-20", "2026-12-15"]),
    "status": ["completed", "cancelled"], "owner_name": ["Ana", None],
    "expected_leads": [120, None]})
WEEKS = pd.DataFrame({"value": ["2026-07-20", "2026-07-27"], "median_hours": [6.0, None],
                      "within_sla_share": [0.5, None]})
WEEKLY = pd.DataFrame({"week": [1, 2], "week_ending": pd.to_datetime(["2026-10-04", "2026-10-11"]),
                       "closed_won": [1.0, 2.0], "commit": [5.0, 6.0], "best_case": [7.0, 8.0],
                       "model_forecast": [6.0, 6.5], "revenue_target": [9.0, 9.0]})
BY_QUARTER = pd.DataFrame({"quarter": ["2026-Q2", "2026-Q3"], "commit_accuracy": [0.9, 1.05],
                           "model_accuracy": [0.95, 0.98]})
CHARTS = {
    "forecast_against_target": lambda: charts.forecast_against_target(
        [("Commit", 5.0), ("Best case", 7.0)], 9.0, "USD"),
    "goal_attainment": lambda: charts.goal_attainment(GOALS, 0.4, Phase.CURRENT),
    "campaign_timeline": lambda: charts.campaign_timeline(
        CAMPAIGNS, dt.date(2026, 12, 2), dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    "speed_by_week": lambda: charts.speed_by_week(WEEKS, 24),
    "forecast_by_week": lambda: charts.forecast_by_week(WEEKLY, "USD"),
    "forecast_accuracy": lambda: charts.forecast_accuracy(BY_QUARTER, 13),
}


@pytest.mark.parametrize("name", CHARTS)
def test_each_marker_line_is_the_one_plotly_would_draw(name, monkeypatch):
    """The chart as drawn, and the same chart with its lines taken off and drawn again by
    Plotly's add_vline / add_hline, are one figure."""
    lines = []
    marker_line = charts._marker_line

    def recorded(axis, at, label=None, position=None, **line):
        lines.append((axis, at, label, position, line))
        return marker_line(axis, at, label, position, **line)

    monkeypatch.setattr(charts, "_marker_line", recorded)
    drawn = CHARTS[name]()
    assert lines and drawn.layout.shapes
    again = go.Figure(drawn)
    again.layout.shapes, again.layout.annotations = (), ()
    for axis, at, label, position, line in lines:
        _plotly_way(again, axis, at, label, position, **line)
    assert json.loads(drawn.to_json()) == json.loads(again.to_json())
