"""Every figure the dashboard shows: its label, unit and definition, in one place.

The wording follows docs/design.md's metric definitions; pages show it as the figure's hover help
and the CLI prints it beside the value.
"""

from __future__ import annotations

from dataclasses import dataclass

from relay.holdings import Need


@dataclass(frozen=True)
class Metric:
    label: str
    unit: str  # currency | percent | count | ratio | hours | text
    definition: str
    # What the store must hold for the figure to mean anything (relay.holdings); without
    # it the figure is unknown, never 0.
    needs: tuple[Need, ...] = ()


# What figures need, from the table down to the column (relay.holdings.Need).
DEALS = (Need.DEALS,)
LEADS = (Need.LEADS,)
MQL = (Need.LEADS, Need.MQL_DATES)
SAL = (Need.LEADS, Need.SAL_DATES)
SQL = (Need.LEADS, Need.SQL_DATES)
# Every lead stage's date: what the planner's MQLs needed are worked back through.
LEAD_STAGES = (*MQL, Need.SAL_DATES, Need.SQL_DATES)
TOUCH = (*MQL, Need.FIRST_TOUCH)
SOURCED = (Need.DEALS, Need.LEADS, Need.DEAL_LEADS, Need.CAMPAIGN_LEADS)
FUNNEL_DEALS = (Need.LEADS, Need.DEALS, Need.DEAL_LEADS)
CAMPAIGNS = (Need.CAMPAIGNS,)
CAMPAIGN_MQLS = (Need.CAMPAIGNS, *MQL, Need.CAMPAIGN_LEADS)
COST = (Need.CAMPAIGNS, Need.CAMPAIGN_COSTS)
CAMPAIGN_SOURCED = (Need.CAMPAIGNS, *SOURCED)
ROI = (*COST, *SOURCED)
# The attribution models share deals among the campaigns that touched their leads.
CREDITED = (Need.CAMPAIGNS, Need.DEALS, Need.TOUCHES)
CREDITED_ROI = (*COST, Need.DEALS, Need.TOUCHES)
ARRIVED = (Need.CAMPAIGNS, Need.LEADS, Need.CAMPAIGN_LEADS)

METRICS: dict[str, Metric] = {
    "revenue_target": Metric(
        "Revenue target", "currency",
        "The quarter's revenue goal for this breakdown (company-wide when no region or segment "
        "is chosen). Regional goals are set on their own and need not add up to it.",
    ),
    "closed_won": Metric(
        "Closed-won", "currency",
        "Sum of deal amounts with status won and close date in the quarter, up to the as-of "
        "day, as recorded by the end of that day.",
        needs=DEALS,
    ),
    "attainment": Metric(
        "Attainment", "percent", "Closed-won ÷ revenue target.",
        needs=DEALS,
    ),
    "quarter_elapsed": Metric(
        "Quarter gone", "percent",
        "Share of the quarter's days that have passed by the as-of date: the attainment a "
        "linear quarter would have reached by now.",
    ),
    "remaining_target": Metric(
        "Still to close", "currency", "Revenue target − closed-won (never below zero).",
        needs=DEALS,
    ),
    "commit": Metric(
        "Commit (reps)", "currency",
        "Sum of each rep's last commit submitted for the quarter before the cut-off. Managers' "
        "own calls are left out so that no team is counted twice.",
    ),
    "best_case": Metric(
        "Best case (reps)", "currency",
        "Sum of each rep's last best-case figure submitted for the quarter before the cut-off.",
    ),
    "submitters": Metric(
        "Reps who submitted", "count",
        "Reps with at least one forecast submission for the quarter before the cut-off.",
    ),
    "open_pipeline": Metric(
        "Open pipeline", "currency",
        "Open deals with close date in the quarter, excluding those the rep marked omitted.",
        needs=DEALS,
    ),
    "past_due_pipeline": Metric(
        "Past due (still open)", "currency",
        "Deals still open today whose close date fell in this closed quarter, omitted from "
        "the forecast or not: past due, not the quarter's pipeline (its result is the "
        "closed-won). Move their close dates or close them.",
        needs=DEALS,
    ),
    "past_due_deals": Metric(
        "Past-due deals", "count",
        "Number of deals still open whose close date fell in this closed quarter.",
        needs=DEALS,
    ),
    "weighted_pipeline": Metric(
        "Weighted pipeline", "currency",
        "Each open deal closing in the quarter × the historical rate of its forecast category "
        "(table below): of the pipeline that was open in that category at the same day of the "
        "look-back quarters (setting lookback_quarters, default 4), the share of its amount "
        "won within its quarter. Slips and amount changes are in that rate. A category the "
        "look-back quarters held no deals of has no rate: its pipeline is left out (the page "
        "says how much), and with no rate at all the figure is unknown.",
        needs=DEALS,
    ),
    "model_forecast": Metric(
        "Model forecast", "currency", "Closed-won so far + weighted pipeline.",
        needs=DEALS,
    ),
    "forecast_gap": Metric(
        "Gap to target (model)", "currency",
        "Revenue target − model forecast: what the quarter will miss by on the model's call; "
        "below zero, what it will beat the target by.",
        needs=DEALS,
    ),
    "commit_gap": Metric(
        "Gap to target (commit)", "currency",
        "Revenue target − the reps' commit; below zero, the commit beats the target.",
    ),
    "reps_in_scope": Metric(
        "Reps", "count",
        "People in this breakdown who manage no one and have a forecast, a closed-won deal or "
        "open pipeline in the quarter.",
    ),
    "pipeline_at_start": Metric(
        "Pipeline at the start", "currency",
        "Open pipeline for the quarter (open deals, not omitted, close date in the quarter) "
        "as it stood at the start of the first day, rebuilt from the deals' history.",
        needs=DEALS,
    ),
    "pipeline_at_end": Metric(
        "Pipeline at the end", "currency",
        "The same open pipeline as it stood at the end of the last day.",
        needs=DEALS,
    ),
    "pipeline_net_change": Metric(
        "Net change", "currency",
        "Pipeline at the end − pipeline at the start: the sum of the movements below.",
        needs=DEALS,
    ),
    "won_between": Metric(
        "Won between the dates", "currency",
        "Amount of the quarter's deals that were won between the two dates.",
        needs=DEALS,
    ),
    "cutoff_week": Metric(
        "Calls judged at week", "count",
        "The week of each quarter whose calls are compared with the result: each rep's last "
        "submission before the end of that week (setting forecast_cutoff_week).",
    ),
    "commit_accuracy_mean": Metric(
        "Reps' accuracy (mean)", "percent",
        "Mean over the quarters shown of 1 − |commit − actual| ÷ actual, the actual being "
        "what the reps who called won.",
        needs=DEALS,
    ),
    "model_accuracy_mean": Metric(
        "Model's accuracy (mean)", "percent",
        "Mean over the quarters shown of 1 − |model forecast − actual| ÷ actual, the model "
        "run as it would have been at the same week with what was known then. Quarters the "
        "model had nothing to learn from (no open deals in its look-back quarters) and "
        "quarters without recorded deal history (judged in hindsight) are left out.",
        needs=DEALS,
    ),
    "commit_bias_mean": Metric(
        "Reps' bias (mean)", "percent",
        "Mean of (commit − actual) ÷ actual: above zero the reps call too high, below zero "
        "they sandbag.",
        needs=DEALS,
    ),
    "model_bias_mean": Metric(
        "Model's bias (mean)", "percent",
        "Mean of (model forecast − actual) ÷ actual, over the quarters its accuracy mean "
        "counts.",
        needs=DEALS,
    ),
    "pipeline_coverage": Metric(
        "Pipeline coverage", "ratio",
        "Open pipeline ÷ (revenue target − closed-won); before the quarter starts, open "
        "pipeline ÷ revenue target. Not applicable once the target is met.",
        needs=DEALS,
    ),
    "mqls": Metric("MQLs", "count", "Leads whose MQL date falls in the quarter.", needs=MQL),
    "mql_target": Metric("MQL goal", "count", "The quarter's MQL goal for this breakdown."),
    "sqls": Metric("SQLs", "count", "Leads whose SQL date falls in the quarter.", needs=SQL),
    "sql_target": Metric("SQL goal", "count", "The quarter's SQL goal for this breakdown."),
    "pipeline_created": Metric(
        "Pipeline created", "currency",
        "Sum of amounts of deals created in the quarter; open deals marked omitted excluded "
        "(lost deals count: they were pipeline when created).",
        needs=DEALS,
    ),
    "marketing_sourced_pipeline_share": Metric(
        "Pipeline created from campaign leads", "percent",
        "Of the pipeline created in this quarter (deals created in it), the share from deals "
        "whose lead came from a campaign, whatever quarter the campaign ran. Not the same as "
        "Campaign performance's figures, which follow the leads of campaigns that ran in the "
        "quarter.",
        needs=SOURCED,
    ),
    "marketing_sourced_revenue_share": Metric(
        "Closed-won from campaign leads", "percent",
        "Of this quarter's closed-won, the share from deals whose lead came from a campaign, "
        "whatever quarter the campaign ran. Not the same as Campaign performance's sourced "
        "revenue, which counts only the leads of campaigns that ran in the quarter.",
        needs=SOURCED,
    ),
    # Goals
    "goals_total": Metric("Goals", "count", "Goals set for the quarter and breakdown."),
    "goals_hit": Metric(
        "Goals hit", "count",
        "Closed quarter: goals whose actual reached the target. Current quarter: goals at or "
        "ahead of a linear pace (target × share of the quarter gone); rates against the "
        "target itself.",
    ),
    "plan_revision": Metric(
        "Plan revision", "count",
        "How many changes the quarter's goals have had; a sign-off agrees to one revision.",
    ),
    # The demand waterfall
    "deals_won_needed": Metric(
        "Deals to win", "count", "Revenue target ÷ average won deal size.",
        needs=DEALS,
    ),
    "pipeline_needed": Metric(
        "Pipeline to close (won + lost)", "currency",
        "Revenue target ÷ win rate, rounded up to the next thousand: the deals that must be "
        "decided, won or lost, in the quarter. Saved as the pipeline closed goal, not as "
        "pipeline created.",
        needs=DEALS,
    ),
    "opportunities_needed": Metric(
        "Opportunities needed", "count", "Deals to win ÷ win rate.",
        needs=DEALS,
    ),
    "lead_opportunities_needed": Metric(
        "From leads", "count",
        "Opportunities needed × the share of deals that come from a lead (sales source the rest).",
        needs=LEADS,
    ),
    "sqls_needed": Metric(
        "SQLs needed", "count", "Opportunities needed from leads ÷ SQL → opportunity.",
        needs=SQL,
    ),
    "sals_needed": Metric(
        "SALs needed", "count", "SQLs needed ÷ SAL → SQL.", needs=(*SAL, Need.SQL_DATES),
    ),
    "mqls_needed": Metric(
        "MQLs needed", "count", "SALs needed ÷ MQL → SAL.", needs=LEAD_STAGES,
    ),
    "campaign_expected_leads": Metric(
        "Leads expected from campaigns", "count",
        "Expected leads of the campaigns that run in the quarter (not cancelled), each spread "
        "evenly over its days and counted for the days in the quarter.",
        needs=CAMPAIGNS,
    ),
    "campaign_mqls": Metric(
        "MQLs from planned campaigns", "count",
        "Leads expected from campaigns × the measured campaign inquiry → MQL rate.",
        needs=CAMPAIGN_MQLS,
    ),
    "other_mqls": Metric(
        "MQLs from outside campaigns", "count",
        "MQLs without a campaign (organic, direct, referral) per quarter in the look-back "
        "window.",
        needs=LEADS,
    ),
    "mql_gap": Metric(
        "MQLs against the need", "count",
        "MQLs needed − MQLs from planned campaigns − MQLs from outside campaigns, in whole "
        "MQLs. Above zero: that many MQLs short, marketing must find them; below zero: that "
        "many more MQLs than needed.",
        needs=LEAD_STAGES,
    ),
    # The funnel
    "funnel_inquiries": Metric("Inquiries", "count", "Leads created in the quarter.", needs=LEADS),
    "funnel_mqls": Metric("MQLs", "count", "Leads whose MQL date falls in the quarter.", needs=MQL),
    "funnel_sals": Metric(
        "SALs", "count", "Leads whose SAL date falls in the quarter.",
        needs=SAL,
    ),
    "funnel_sqls": Metric(
        "SQLs", "count", "Leads whose SQL date falls in the quarter.",
        needs=SQL,
    ),
    "funnel_opportunities": Metric(
        "Opportunities", "count", "Leads whose first deal was created in the quarter.",
        needs=FUNNEL_DEALS,
    ),
    "funnel_won": Metric(
        "Won", "count",
        "Leads with a deal won in the quarter (a lead counts once, at its last win).",
        needs=FUNNEL_DEALS,
    ),
    # Speed to lead
    "sla_hours": Metric("SLA", "hours", "Agreed hours from MQL to first touch."),
    "mqls_in_period": Metric(
        "MQLs", "count", "Leads whose MQL date falls in the quarter so far.",
        needs=MQL,
    ),
    "median_speed_hours": Metric(
        "Median speed", "hours",
        "Median of first touch − MQL over the touched MQLs (a touch before the MQL counts as 0).",
        needs=TOUCH,
    ),
    "p90_speed_hours": Metric(
        "90th percentile", "hours", "Nine in ten touched MQLs got their first touch within this.",
        needs=TOUCH,
    ),
    "within_sla_share": Metric(
        "Within SLA", "percent",
        "MQLs touched within the SLA ÷ MQLs whose SLA has run out (touched late, or not "
        "touched and older than the SLA). MQLs still inside their SLA are not counted yet, "
        "nor those of a rep with no first touch recorded though some of their MQLs moved on "
        "to SAL or further (touches not recorded for them).",
        needs=TOUCH,
    ),
    "open_breaches": Metric(
        "Open breaches", "count",
        "MQLs of the quarter still waiting (stage MQL, nobody has touched them) that are "
        "older than the SLA; not those of a rep with no first touch recorded though some of "
        "their MQLs moved on to SAL or further (touches not recorded for them).",
        needs=TOUCH,
    ),
    "acceptance_rate": Metric(
        "Acceptance rate", "percent",
        "Of the quarter's MQLs, the share sales accepted (SAL) by the as-of day.",
        needs=(*MQL, Need.SAL_DATES),
    ),
    # Campaign performance
    "campaigns_run": Metric(
        "Campaigns in the quarter", "count",
        "Campaigns scheduled on at least one day of the quarter, cancelled ones included (they "
        "may carry a cost).",
        needs=CAMPAIGNS,
    ),
    "campaign_cost": Metric(
        "Campaign cost in the quarter", "currency",
        "The quarter's share of those campaigns' recorded cost (what each has spent to date): "
        "the cost spread evenly over the campaign's days so far, times those days in the "
        "quarter (campaigns with no cost recorded left out; a recorded cost of 0 is a free "
        "campaign).",
        needs=COST,
    ),
    "campaign_sourced_pipeline": Metric(
        "Pipeline from the quarter's campaign leads", "currency",
        "Deals to date from the leads that campaigns running in the quarter brought in the "
        "quarter (open deals marked omitted excluded). Not the overview's marketing-sourced "
        "share.",
        needs=CAMPAIGN_SOURCED,
    ),
    "campaign_sourced_revenue": Metric(
        "Revenue won from the quarter's campaign leads", "currency",
        "Won deals to date from the leads that campaigns running in the quarter brought in "
        "the quarter. Not the overview's marketing-sourced share.",
        needs=CAMPAIGN_SOURCED,
    ),
    "campaign_roi": Metric(
        "Campaign ROI in the quarter", "percent",
        "(Revenue won from the quarter's campaign leads − campaign cost in the quarter) ÷ that "
        "cost, over the campaigns with a cost recorded. Unknown when none has one; not "
        "applicable when they all cost nothing (no cost, so no return on it).",
        needs=ROI,
    ),
    "campaign_credited_pipeline": Metric(
        "Pipeline credited to the quarter's campaigns", "currency",
        "Under the attribution model chosen: the credit of deals created to date (open deals "
        "marked omitted excluded) for the touches of campaigns running in the quarter, each "
        "touch counted in the quarter of its day held to its campaign's days. Each deal's "
        "touches before it was created share its amount.",
        needs=CREDITED,
    ),
    "campaign_credited_revenue": Metric(
        "Revenue won credited to the quarter's campaigns", "currency",
        "Under the attribution model chosen: the credit of deals won to date for those "
        "touches; each won deal's touches before the end of the day it closed share its "
        "amount.",
        needs=CREDITED,
    ),
    "campaign_credited_roi": Metric(
        "Campaign ROI under the model", "percent",
        "(Revenue won credited to the quarter's campaigns − their cost in the quarter) ÷ that "
        "cost, over the campaigns with a cost recorded, under the attribution model chosen.",
        needs=CREDITED_ROI,
    ),
    # The campaign calendar
    "campaigns_in_view": Metric(
        "Campaigns in range", "count", "Campaigns running on at least one day of the range.",
        needs=CAMPAIGNS,
    ),
    "live_now": Metric(
        "Live today", "count", "Campaigns (not cancelled) running today.",
        needs=CAMPAIGNS,
    ),
    "starting_in_range": Metric(
        "Starting soon", "count",
        "Campaigns (not cancelled) that start after today, in the range.",
        needs=CAMPAIGNS,
    ),
    "expected_leads_in_range": Metric(
        "Leads expected", "count",
        "Each campaign's expected leads spread evenly over its days, summed over the days of "
        "the range (cancelled campaigns excluded).",
        needs=CAMPAIGNS,
    ),
    "leads_arrived_in_range": Metric(
        "Leads arrived", "count", "Leads from these campaigns created in the range so far.",
        needs=ARRIVED,
    ),
    "overlapping_pairs": Metric(
        "Overlaps", "count",
        "Pairs of campaigns (not cancelled) for the same region and segment whose dates "
        "overlap.",
        needs=CAMPAIGNS,
    ),
    # My week (views/week.py): one rep's.
    "my_waiting_past_sla": Metric(
        "Your leads past the SLA", "count",
        "The rep's MQLs of the quarter still waiting for a first touch (stage MQL, nobody has "
        "touched them) longer than the SLA: their share of Open breaches.",
        needs=TOUCH,
    ),
    "my_waiting_within_sla": Metric(
        "Your leads inside the SLA", "count",
        "The rep's MQLs of the quarter waiting for a first touch, still inside the SLA.",
        needs=TOUCH,
    ),
    "my_expected_campaign_leads": Metric(
        "Leads to expect from campaigns", "count",
        "Over the campaigns running or starting in the next 30 days in the rep's region and "
        "segment: each campaign's expected leads × the rep's share of the leads created in "
        "the campaign's region and segment over the last 90 days (cancelled: none).",
        needs=(Need.CAMPAIGNS, Need.LEADS),
    ),
    "my_commit": Metric(
        "Your commit call", "currency",
        "The rep's latest commit for the quarter submitted by the end of the as-of day.",
    ),
    "my_best_case": Metric(
        "Your best-case call", "currency",
        "The rep's latest best case for the quarter submitted by the end of the as-of day.",
    ),
    # Rep strengths (views/strengths.py).
    "strength_mqls": Metric(
        "MQLs", "count",
        "Leads that became MQLs in the look-back window, owned by the rep, by channel and "
        "lead source.",
        needs=MQL,
    ),
    "strength_mql_to_sql": Metric(
        "MQL → SQL", "percent",
        "Of those MQLs, the share that reached SQL by the as-of day.",
        needs=(*MQL, Need.SQL_DATES),
    ),
    "strength_mql_to_won": Metric(
        "MQL → won", "percent",
        "Of those MQLs, the share whose deal was won by the as-of day.",
        needs=FUNNEL_DEALS,
    ),
}


def safe_ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator, or None when it is not defined (no or zero denominator)."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator
