"""Plotly figures for the pages, built with graph_objects and sized for a projector.

Each figure is made in one construction, its traces and its whole layout at once: every
update_layout, update_xaxes, add_shape or add_trace after it validates and merges the layout
again (a chart of two bars built so took 12 ms on every page run; made at once, 4 ms)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from relay import format as fmt
from relay.fiscal import Phase

TARGET_COLOUR = "#9aa5b1"
ACTUAL_COLOUR = "#1f6feb"
FORECAST_COLOUR = "#f0883e"
COMMIT_COLOUR = "#2da44e"
BEST_CASE_COLOUR = "#8ddb9f"
LABEL_CHARACTERS = 32  # longest row label a chart shows in full
TARGET_LINE_COLOUR = "#cf222e"


def _text(values) -> list[str]:
    """Names from the data as Plotly text: Plotly reads <b>, <a href> and <br> in labels."""
    return [html.escape(str(value), quote=False) for value in values]


def _figure(traces: list, title: str, lines: tuple = (), **layout) -> go.Figure:
    """The figure of `traces` with the house style and its title, the marker `lines`
    (_marker_line) and the rest of its `layout` (which may override the style's height)."""
    shapes = [shape for shape, _ in lines]
    annotations = [label for _, label in lines if label is not None]
    return go.Figure(data=traces, layout={
        "title": {"text": title, "font": {"size": 18}},
        "font": {"size": 14},
        "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
        # Below the plot: on a phone a legend beside the title covers it.
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left",
                   "x": 0},
        "height": 380,
        **({"shapes": shapes} if shapes else {}),
        **({"annotations": annotations} if annotations else {}),
        **layout,
    })


# Where a marker line's label sits, as Plotly's add_vline / add_hline put it:
# {position: (along the line 0..1, its anchor across, its anchor along)}.
_VLINE_LABELS = {"top": (1, "center", "bottom"), "bottom": (0, "center", "top")}
_HLINE_LABELS = {"top right": (1, "right", "bottom"), "top left": (0, "left", "bottom")}


def _marker_line(axis: str, at: float, label: str | None = None, position: str | None = None,
                 **line) -> tuple[dict, dict | None]:
    """A line across the plot at `at` on the x axis (vertical) or the y axis (horizontal),
    and its label: the shape and annotation Plotly's add_vline / add_hline add, without
    their search of the figure's subplots (about 40 ms a line, on every page run)."""
    across = {"x": "y", "y": "x"}[axis]
    shape = {"type": "line", **({"line": line} if line else {}),
             f"{axis}0": at, f"{axis}1": at, f"{axis}ref": axis,
             f"{across}0": 0, f"{across}1": 1, f"{across}ref": f"{across} domain"}
    if label is None:
        return shape, None
    if axis == "x":
        where, anchor, side = _VLINE_LABELS[position or "top"]
        return shape, {"text": label, "showarrow": False, "x": at, "xref": "x",
                       "xanchor": anchor, "y": where, "yref": "y domain", "yanchor": side}
    where, anchor, side = _HLINE_LABELS[position or "top right"]
    return shape, {"text": label, "showarrow": False, "x": where, "xref": "x domain",
                   "xanchor": anchor, "y": at, "yref": "y", "yanchor": side}


def _money_hover(label: str, axis: str, currency: str) -> str:
    symbol = fmt.SYMBOLS.get(currency, currency + " ")
    return f"{label} {symbol}%{{{axis}:,.0f}}<extra></extra>"


def revenue_trend(trend: pd.DataFrame, currency: str) -> go.Figure:
    """Revenue target against closed-won, one pair of bars per quarter."""
    return _figure(
        [go.Bar(x=trend["quarter"], y=trend["revenue_target"], name="Revenue target",
                marker_color=TARGET_COLOUR,
                hovertemplate="%{x}<br>" + _money_hover("Target", "y", currency)),
         go.Bar(x=trend["quarter"], y=trend["closed_won"], name="Closed-won",
                marker_color=ACTUAL_COLOUR,
                hovertemplate="%{x}<br>" + _money_hover("Closed-won", "y", currency))],
        "Revenue target vs closed-won, last 8 quarters",
        barmode="group", xaxis={"type": "category"},
        yaxis={"tickprefix": fmt.SYMBOLS.get(currency, ""), "tickformat": "~s"})


def forecast_against_target(
    calls: list[tuple[str, float]], target: float | None, currency: str,
    title: str = "Where the quarter lands, by each call",
) -> go.Figure:
    """Where the quarter lands by each call (label, amount), with the target as a line."""
    colours = {"Closed-won so far": ACTUAL_COLOUR, "Closed-won": ACTUAL_COLOUR,
               "Commit (reps)": COMMIT_COLOUR, "Best case (reps)": BEST_CASE_COLOUR,
               "Model forecast": FORECAST_COLOUR}
    labels = [label for label, _ in calls]
    values = [value for _, value in calls]
    lines = () if target is None else (
        _marker_line("x", target, f"Target {fmt.money(target, currency)}", "top", width=3,
                     dash="dash", color=TARGET_LINE_COLOUR),)
    return _figure(
        [go.Bar(x=values, y=labels, orientation="h",
                marker_color=[colours.get(label, ACTUAL_COLOUR) for label in labels],
                text=[fmt.money(value, currency) for value in values], textposition="auto",
                hovertemplate="%{y}: " + _money_hover("", "x", currency))],
        title, lines, yaxis={"autorange": "reversed"},
        xaxis={"tickprefix": fmt.SYMBOLS.get(currency, ""), "tickformat": "~s"})


STATUS_COLOURS = {"Hit": COMMIT_COLOUR, "On pace": COMMIT_COLOUR, "Missed": TARGET_LINE_COLOUR,
                  "Behind pace": FORECAST_COLOUR}


def goal_attainment(goals: pd.DataFrame, elapsed: float, quarter_phase: Phase) -> go.Figure:
    """Attainment of every goal as a bar, with 100% and (in a running quarter) the linear
    pace marked."""
    measured = goals[goals["attainment"].notna()]
    lines = [_marker_line("x", 1, "Target", "top", width=2, color="#57606a")]
    if quarter_phase is Phase.CURRENT:
        lines.append(_marker_line("x", elapsed, f"Pace {elapsed:.0%}", "bottom", width=2,
                                  dash="dot", color=FORECAST_COLOUR))
    return _figure(
        [go.Bar(x=measured["attainment"], y=_text(measured["goal"]), orientation="h",
                marker_color=[STATUS_COLOURS.get(s, TARGET_COLOUR) for s in measured["status"]],
                text=[f"{a:.0%}" for a in measured["attainment"]], textposition="auto",
                customdata=measured["status"],
                hovertemplate="%{y}: %{x:.0%} of target (%{customdata})<extra></extra>")],
        "Attainment by goal", tuple(lines), yaxis={"autorange": "reversed"},
        xaxis={"tickformat": ".0%", "rangemode": "tozero"},
        height=max(320, 60 + 34 * len(measured)), showlegend=False)


def demand_waterfall(stages: list[tuple[str, float]]) -> go.Figure:
    """What the revenue target takes at each stage of the funnel, widest first."""
    return _figure(
        [go.Funnel(y=[label for label, _ in stages], x=[value for _, value in stages],
                   texttemplate="%{x:,.0f}", marker={"color": ACTUAL_COLOUR},
                   hovertemplate="%{y}: %{x:,.0f}<extra></extra>")],
        "What the target takes, stage by stage")


def campaign_timeline(campaigns: pd.DataFrame, today, first, last) -> go.Figure:
    """One bar per campaign from its first to its last day, coloured by channel, with today
    marked."""
    one_day = pd.Timedelta(days=1)
    # Row labels are cut short so that bars keep their width on a phone (the full name is in
    # the hover); two campaigns with one label would share a row, so repeats are numbered.
    short = campaigns["name"].where(campaigns["name"].str.len() <= LABEL_CHARACTERS,
                                    campaigns["name"].str[:LABEL_CHARACTERS - 1] + "…")
    repeat = short.groupby(short).cumcount()
    labels = short.where(repeat == 0, short + " (" + (repeat + 1).astype(str) + ")")
    campaigns = campaigns.assign(label=labels)
    bars = [
        go.Bar(
            y=_text(rows["label"]),
            x=(rows["end_date"] + one_day - rows["start_date"]).dt.days * 86_400_000,
            base=rows["start_date"], orientation="h", name=_text([channel])[0],
            # Cancelled campaigns stay visible (someone may still expect them), but faint.
            marker_opacity=[0.3 if status == "cancelled" else 1 for status in rows["status"]],
            customdata=pd.DataFrame({
                "ends": rows["end_date"].dt.strftime("%d %b %Y"),
                "status": rows["status"],
                "owner": rows["owner_name"],
                "expected": rows["expected_leads"],
                "name": rows["name"],
            }).map(lambda v: "–" if pd.isna(v) else html.escape(str(v), quote=False)),
            hovertemplate="%{customdata[4]}<br>%{base|%d %b %Y} – %{customdata[0]} "
                          "(%{customdata[1]})"
                          "<br>Owner %{customdata[2]}<br>Expected leads %{customdata[3]}"
                          "<extra></extra>",
        )
        for channel, rows in campaigns.groupby("channel", sort=True)
    ]
    today_line = _marker_line("x", pd.Timestamp(today).timestamp() * 1000, "Today", "top",
                              color=TARGET_LINE_COLOUR, width=2)
    return _figure(
        bars, "Campaigns in the range", (today_line,),
        xaxis={"type": "date", "range": [pd.Timestamp(first), pd.Timestamp(last) + one_day],
               "nticks": 6, "tickformat": "%d %b"},
        yaxis={"autorange": "reversed", "categoryorder": "array",
               "categoryarray": _text(campaigns["label"]),
               "showticklabels": len(campaigns) <= 40},
        height=max(320, 90 + 26 * len(campaigns)), barmode="overlay")


def lead_flow(flow: pd.DataFrame) -> go.Figure:
    """Leads expected per week from the campaigns in view, and those that arrived."""
    return _figure(
        [go.Bar(x=flow["week"], y=flow["expected_leads"], name="Expected",
                marker_color=TARGET_COLOUR,
                hovertemplate="Week of %{x|%d %b}: %{y:,.0f} expected<extra></extra>"),
         go.Scatter(x=flow["week"], y=flow["actual_leads"], name="Arrived",
                    mode="lines+markers", line={"color": ACTUAL_COLOUR, "width": 3},
                    hovertemplate="Week of %{x|%d %b}: %{y:,.0f} arrived<extra></extra>")],
        "Leads per week from these campaigns", xaxis={"type": "date", "tickformat": "%d %b"})


def stage_counts(stages: pd.DataFrame) -> go.Figure:
    """The quarter's funnel, stage by stage; a stage the store records nothing of is left
    out (no bar of 0)."""
    stages = stages.dropna(subset=["count"])
    return _figure(
        [go.Funnel(y=stages["label"], x=stages["count"], texttemplate="%{x:,.0f}",
                   marker={"color": ACTUAL_COLOUR},
                   hovertemplate="%{y}: %{x:,.0f}<extra></extra>")],
        "Leads at each stage this quarter")


def conversion_over_time(over_time: pd.DataFrame, steps: list[tuple[str, str]]) -> go.Figure:
    """How far each quarter's MQLs got down the funnel."""
    # Hollow markers: fewer MQLs than it takes for a significant rate.
    symbols = ["circle" if ok else "circle-open" for ok in over_time["significant"]]
    return _figure(
        [go.Scatter(x=over_time["quarter"], y=over_time[key], name=label,
                    mode="lines+markers", marker={"symbol": symbols, "size": 9},
                    customdata=over_time["mqls"],
                    hovertemplate=f"{label} %{{x}}: %{{y:.0%}} of %{{customdata:,}} "
                                  "MQLs<extra></extra>")
         for key, label in steps],
        "Where each quarter's MQLs got to",
        yaxis={"tickformat": ".0%", "rangemode": "tozero"}, xaxis={"type": "category"})


def speed_by_week(weeks: pd.DataFrame, sla_hours: float) -> go.Figure:
    """Median speed to lead per week of MQL, with the SLA as a line: one axis, in hours
    (days once the longest bar reaches two days). A week without a known speed has no bar."""
    in_days = max(weeks["median_hours"].max(skipna=True), sla_hours) >= fmt.HOURS_SHOWN_AS_DAYS
    scale, unit = (24, "days") if in_days else (1, "hours")
    sla_line = _marker_line("y", sla_hours / scale, f"SLA {fmt.hours(sla_hours)}", dash="dash",
                            color=TARGET_LINE_COLOUR)
    return _figure(
        [go.Bar(x=weeks["value"], y=weeks["median_hours"] / scale, name="Median",
                marker_color=ACTUAL_COLOUR,
                hovertemplate=f"Week of %{{x}}: median %{{y:.1f}} {unit}<extra></extra>")],
        "Median speed to lead by week of MQL", (sla_line,),
        yaxis={"title": unit, "rangemode": "tozero"}, xaxis={"type": "category"})


def within_sla_by_week(weeks: pd.DataFrame) -> go.Figure:
    """The share of each week's MQLs touched within the SLA (of those whose SLA has run
    out). A week without a known share has no point, never a 0%."""
    return _figure(
        [go.Scatter(x=weeks["value"], y=weeks["within_sla_share"], name="Within SLA",
                    mode="lines+markers", line={"color": COMMIT_COLOUR},
                    hovertemplate="Week of %{x}: %{y:.0%} within SLA<extra></extra>")],
        "Within SLA by week of MQL",
        yaxis={"tickformat": ".0%", "range": [0, 1.05]}, xaxis={"type": "category"})


def channel_returns(channels: pd.DataFrame, currency: str) -> go.Figure:
    """Cost in the quarter, and the pipeline and revenue won from the quarter's campaign
    leads, per channel (a channel with no cost recorded has no cost bar, not a zero one)."""
    measures = (("cost_in_quarter", "Cost in the quarter", TARGET_COLOUR),
                ("sourced_pipeline", "Pipeline from its leads", FORECAST_COLOUR),
                ("sourced_revenue", "Won from its leads", COMMIT_COLOUR))
    return _figure(
        [go.Bar(x=_text(channels["channel"]), y=channels[column], name=label,
                marker_color=colour,
                hovertemplate="%{x}<br>" + _money_hover(label, "y", currency))
         for column, label, colour in measures],
        "What each channel cost in the quarter and its leads brought", barmode="group",
        yaxis={"tickprefix": fmt.SYMBOLS.get(currency, ""), "tickformat": "~s"})


def forecast_by_week(weekly: pd.DataFrame, currency: str) -> go.Figure:
    """The calls week by week through the quarter: closed-won as bars, the reps' commit and
    best case and the model's call as lines, the target as a dashed line."""
    weeks = [f"W{week} · {day:%d %b}" for week, day in zip(weekly["week"],
                                                            weekly["week_ending"], strict=True)]
    calls = (("best_case", "Best case (reps)", BEST_CASE_COLOUR),
             ("commit", "Commit (reps)", COMMIT_COLOUR),
             ("model_forecast", "Model forecast", FORECAST_COLOUR))
    traces = [go.Bar(x=weeks, y=weekly["closed_won"], name="Closed-won",
                     marker_color=ACTUAL_COLOUR,
                     hovertemplate="%{x}<br>" + _money_hover("Closed-won", "y", currency))]
    traces += [go.Scatter(x=weeks, y=weekly[column], name=label, mode="lines+markers",
                          line={"color": colour, "width": 3},
                          hovertemplate="%{x}<br>" + _money_hover(label, "y", currency))
               for column, label, colour in calls]
    target = weekly["revenue_target"].dropna()
    lines = () if not len(target) else (
        _marker_line("y", float(target.iloc[0]),
                     f"Target {fmt.money(float(target.iloc[0]), currency)}", "top left",
                     width=3, dash="dash", color=TARGET_LINE_COLOUR),)
    return _figure(
        traces, "How the call moved, week by week (end of each week)", lines,
        xaxis={"type": "category"},
        yaxis={"tickprefix": fmt.SYMBOLS.get(currency, ""), "tickformat": "~s",
               "rangemode": "tozero"})


def pipeline_movement(changes: pd.DataFrame, start: float, end: float,
                      currency: str) -> go.Figure:
    """The quarter's open pipeline from one date to another as a waterfall of movements."""
    moving = changes[changes["pipeline_change"] != 0]
    labels = ["At the start", *moving["label"], "At the end"]
    values = [start, *moving["pipeline_change"], end]
    return _figure(
        [go.Waterfall(
            x=labels, y=values, measure=["absolute", *["relative"] * len(moving), "total"],
            text=[fmt.money(value, currency) for value in values], textposition="outside",
            increasing={"marker": {"color": COMMIT_COLOUR}},
            decreasing={"marker": {"color": TARGET_LINE_COLOUR}},
            totals={"marker": {"color": ACTUAL_COLOUR}},
            connector={"line": {"color": TARGET_COLOUR}},
            hovertemplate="%{x}: " + _money_hover("", "y", currency))],
        "What moved the open pipeline",
        yaxis={"tickprefix": fmt.SYMBOLS.get(currency, ""), "tickformat": "~s"},
        xaxis={"type": "category", "tickangle": -20}, showlegend=False, height=440)


def forecast_accuracy(by_quarter: pd.DataFrame, week: int) -> go.Figure:
    """Accuracy of the reps' commit and of the model per closed quarter."""
    series = (("commit_accuracy", "Reps (commit)", COMMIT_COLOUR),
              ("model_accuracy", "Model", FORECAST_COLOUR))
    return _figure(
        [go.Scatter(x=by_quarter["quarter"], y=by_quarter[column], name=label,
                    mode="lines+markers", line={"color": colour, "width": 3},
                    hovertemplate=f"%{{x}}<br>{label}: %{{y:.1%}}<extra></extra>")
         for column, label, colour in series],
        f"Forecast accuracy at week {week}, by quarter",
        (_marker_line("y", 1, width=1, color="#57606a"),),
        xaxis={"type": "category"}, yaxis={"tickformat": ".0%"})
