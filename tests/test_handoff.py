"""The hand-off: funnel, speed to lead and campaign performance, worked out by hand on the
fixture store plus a lead with out-of-order dates and a campaign that cost nothing."""

import datetime as dt
import json

import pytest

from conftest import AS_OF
from relay import cli, store, summaries
from relay.filters import Filters
from relay.fiscal import Quarter
from relay.views import campaign_performance, funnel, sla
from relay.views.common import State

Q3 = Filters(Quarter(2026, 3))


@pytest.fixture
def cursor(handoff_path):
    connection = store.open_store(handoff_path)
    yield connection.cursor()
    connection.close()


def test_funnel_counts_and_cohort_conversion_by_hand(cursor):
    view = funnel.build(cursor, Q3, AS_OF)
    stages = view.tables["stages"].set_index("stage")
    # Created in Q3 by 15 Aug: L1, L3, L5, L6, L7. MQL: L1, L3, L6, L7. SAL: L2 (1 July),
    # L1, L3, L6. SQL: L1, L3. Opportunities from leads: D1 (D2 opened in May). Won: D1, D2.
    assert stages["count"].to_dict() == {"inquiries": 5, "mqls": 4, "sals": 4, "sqls": 2,
                                         "opportunities": 1, "won": 2}
    # Q2: L2 created and MQL; D2 opened from L3.
    assert stages.loc["inquiries", "previous_quarter"] == 1
    assert stages.loc["opportunities", "previous_quarter"] == 1
    conversion = view.tables["conversion"].set_index("step")
    assert conversion.loc["inquiry_to_mql", ["cohort", "converted"]].tolist() == [5, 4]
    assert conversion.loc["mql_to_sal", ["cohort", "converted"]].tolist() == [4, 3]
    assert conversion.loc["sal_to_sql", ["cohort", "converted"]].tolist() == [4, 2]
    assert conversion.loc["sql_to_opportunity", ["cohort", "converted"]].tolist() == [2, 2]
    assert conversion.loc["opportunity_to_won", "rate"] == 1.0
    assert conversion.loc["mql_to_sal", "previous_rate"] == 1.0  # L2: MQL in Q2, SAL later
    assert not conversion["significant"].any()
    assert any("not significant" in note.text for note in view.notes)


def test_conversion_by_quarter_of_mql(cursor):
    over_time = funnel.build(cursor, Q3, AS_OF).tables["over_time"].set_index("quarter")
    q3 = over_time.loc["2026-Q3"]
    # Q3's MQLs L1, L3, L6, L7: SAL L1, L3, L6; SQL L1, L3; both have a deal, both won.
    assert q3["mqls"] == 4
    assert q3[["to_sal", "to_sql", "to_opportunity", "to_won"]].tolist() == [
        3 / 4, 2 / 4, 2 / 4, 2 / 4]
    assert over_time.loc["2026-Q2", ["mqls", "to_sal", "to_sql"]].tolist() == [1, 1.0, 0.0]


def test_funnel_breakdown_by_channel(cursor):
    breakdown = funnel.build(cursor, Q3, AS_OF).tables["breakdown"]
    webinar = breakdown[(breakdown["dimension"] == "channel") & (breakdown["value"] == "Webinar")]
    # Webinar leads created in Q3: L1 and L6, both MQLs.
    step = webinar.set_index("step").loc["inquiry_to_mql"]
    assert (step["cohort"], step["converted"]) == (2, 2)


def test_out_of_order_dates_are_counted_and_reported(cursor):
    view = funnel.build(cursor, Q3, AS_OF)
    quality = view.tables["data_quality"].iloc[0]
    assert quality["sal_before_mql"] == 1 and quality["touch_before_mql"] == 1
    assert any("1 accepted (SAL) before they became MQLs" in n.text for n in view.notes)


def test_speed_to_lead_by_hand(cursor):
    view = sla.build(cursor, Q3, AS_OF)
    # MQLs: L1 touched after 2 h, L3 after 1 h, L6 before its MQL (counts as 0 h), L7 never
    # touched and 21 days old: an open breach.
    assert view.value("mqls_in_period") == 4
    assert view.value("median_speed_hours") == pytest.approx(1.0)
    assert view.value("p90_speed_hours") == pytest.approx(1.8)  # 0, 1, 2: interpolated
    assert view.value("within_sla_share") == pytest.approx(3 / 4)
    assert view.value("open_breaches") == 1
    assert view.value("acceptance_rate") == pytest.approx(3 / 4)  # L1, L3, L6 accepted
    reps = view.tables["by_rep"].set_index("value")
    assert reps.loc["Ann Rep", ["mqls", "touched", "within_sla", "open_breaches"]].tolist() == [
        3, 2, 2, 1]
    assert reps.loc["Bob Rep", "within_sla_share"] == 1.0
    breaches = view.tables["open_breaches"]
    assert breaches["lead_id"].tolist() == ["L7"]
    assert breaches["campaign"].tolist() == ["Free newsletter"]
    assert breaches["age_hours"].iloc[0] == pytest.approx((dt.datetime(2026, 8, 16)
                                                           - dt.datetime(2026, 7, 26, 10))
                                                          .total_seconds() / 3600)


def test_a_rep_sees_only_their_breaches(cursor):
    assert sla.build(cursor, Q3, AS_OF, rep="P3").tables["open_breaches"].empty
    assert sla.build(cursor, Q3, AS_OF, rep="P2").tables["open_breaches"]["lead_id"].tolist() \
        == ["L7"]


def test_the_figures_follow_the_rep_picked(cursor):
    # Ann (P2) owns L1, L6 and L7: 3 MQLs, L7 her open breach, L1 and L6 within the SLA
    # (2 of the 3 whose SLA ran out), 2 of 3 accepted. Bob (P3) owns L3 alone: no breach.
    ann = sla.build(cursor, Q3, AS_OF, rep="P2")
    assert [ann.value(key) for key in ("mqls_in_period", "open_breaches")] == [3, 1]
    assert ann.value("open_breaches") == len(ann.tables["open_breaches"])
    assert ann.value("acceptance_rate") == pytest.approx(2 / 3)
    assert ann.value("within_sla_share") == pytest.approx(2 / 3)
    assert ann.value("median_speed_hours") == pytest.approx(1.0)  # 0 h (L6) and 2 h (L1)
    bob = sla.build(cursor, Q3, AS_OF, rep="P3")
    assert [bob.value(key) for key in ("mqls_in_period", "open_breaches")] == [1, 0]
    assert bob.value("acceptance_rate") == 1.0
    # The tables stay whole, to compare the rep with the others.
    assert len(bob.tables["by_rep"]) == 2


def test_the_rep_picker_follows_the_region(cursor):
    assert sorted(sla.reps(cursor).values()) == ["Ann Rep", "Bob Rep"]
    assert list(sla.reps(cursor, "EMEA").values()) == ["Bob Rep"]


def test_a_longer_sla_turns_the_breach_into_a_wait(cursor):
    cursor.execute("insert or replace into settings values ('sla_hours', '1000')")
    view = sla.build(cursor, Q3, AS_OF)
    assert view.value("open_breaches") == 0  # L7 is 518 hours old
    assert view.value("within_sla_share") == 1.0  # still inside its SLA: not counted


def test_campaign_performance_by_hand(cursor):
    view = campaign_performance.build(cursor, Q3, AS_OF)
    table = view.tables["campaigns"].set_index("campaign_id")
    assert sorted(table.index) == ["C1", "C2", "C3"]
    c1 = table.loc["C1"]
    # C1 (15 Jun – 15 Jul, cost 4,000) ran 15 of its 31 days in Q3: 4,000 × 15/31.
    q3_cost = 4000 * 15 / 31
    assert c1["cost_in_quarter"] == pytest.approx(q3_cost)
    # C1's leads that arrived in Q3 (by 15 Aug): L1 and L6 (L2 came in June), both MQLs and
    # SALs, one SQL (L1); D1 (10,000) won.
    assert c1[["leads", "mqls", "sals", "sqls"]].tolist() == [2, 2, 2, 1]
    assert (c1["sourced_pipeline"], c1["sourced_revenue"]) == (10_000, 10_000)
    assert c1["cost_per_lead"] == pytest.approx(q3_cost / 2)
    assert c1["cost_per_sql"] == pytest.approx(q3_cost)
    assert c1["roi"] == pytest.approx((10_000 - q3_cost) / q3_cost)
    assert c1["acceptance_rate"] == 1.0
    c3 = table.loc["C3"]  # a recorded cost of 0: a free campaign, $0 a lead, no ROI
    assert c3["leads"] == 1 and c3["cost_in_quarter"] == 0
    assert c3["cost_per_lead"] == 0
    assert c3[["cost_per_sql", "roi"]].isna().all()
    assert table.loc["C2", ["leads", "roi"]].isna().tolist() == [False, True]
    assert view.value("campaign_cost") == pytest.approx(q3_cost)
    assert view.value("campaign_roi") == pytest.approx((10_000 - q3_cost) / q3_cost)
    # Only C2 has no cost: C3's 0 is a recorded cost.
    assert any("1 of 3 campaigns have no cost recorded" in n.text for n in view.notes)
    assert any("1 of 3 campaigns have a recorded cost of 0" in n.text for n in view.notes)
    channels = view.tables["channels"].set_index("channel")
    assert channels.loc["Email Nurture", ["leads", "mqls"]].tolist() == [1, 1]
    assert channels.loc["Email Nurture", "cost_per_lead"] == 0
    assert channels[["roi"]].loc["Email Nurture"].isna().all()


def test_a_campaign_spanning_two_quarters_splits_its_cost_by_days(cursor):
    # C1 runs 15 Jun – 15 Jul (31 days) and cost 4,000: 16 days in Q2, 15 in Q3.
    q2 = campaign_performance.build(cursor, Filters(Quarter(2026, 2)), AS_OF)
    q3 = campaign_performance.build(cursor, Q3, AS_OF)
    c1_q2 = q2.tables["campaigns"].set_index("campaign_id").loc["C1"]
    c1_q3 = q3.tables["campaigns"].set_index("campaign_id").loc["C1"]
    assert c1_q2["cost_in_quarter"] == pytest.approx(4000 * 16 / 31)
    assert c1_q3["cost_in_quarter"] == pytest.approx(4000 * 15 / 31)
    assert c1_q2["cost_in_quarter"] + c1_q3["cost_in_quarter"] == pytest.approx(4000)
    assert q2.value("campaign_cost") + q3.value("campaign_cost") == pytest.approx(4000)
    # Q2 has C1's lead of June (L2) alone: its cost per lead is Q2's share of the cost.
    assert c1_q2["leads"] == 1
    assert c1_q2["cost_per_lead"] == pytest.approx(4000 * 16 / 31)
    # Nothing from L2 was won: Q2's return on its 2,064.52 is −100%, a known loss.
    assert q2.value("campaign_roi") == pytest.approx(-1)


def test_a_live_campaigns_spend_to_date_lands_in_the_days_it_has_run(cursor):
    # As of 5 Jul, C1's recorded 4,000 is what it spent over 15 Jun – 5 Jul (21 days): 16 of
    # them in Q2 and 5 in Q3, none of it on the ten days still to come.
    july_5 = dt.date(2026, 7, 5)
    q2 = campaign_performance.build(cursor, Filters(Quarter(2026, 2)), july_5)
    q3 = campaign_performance.build(cursor, Q3, july_5)
    cost = {view.filters.quarter.number: view.tables["campaigns"].set_index(
        "campaign_id").loc["C1", "cost_in_quarter"] for view in (q2, q3)}
    assert cost == {2: pytest.approx(4000 * 16 / 21), 3: pytest.approx(4000 * 5 / 21)}
    # As of 30 Jun Q3 has not started: nothing is spent in it yet, not a $0 cost.
    june_30 = campaign_performance.build(cursor, Q3, dt.date(2026, 6, 30))
    assert june_30.figures["campaign_cost"].state is State.NOT_APPLICABLE
    assert june_30.tables["campaigns"]["cost_in_quarter"].isna().all()


def test_each_lead_of_a_campaign_counts_in_one_of_its_quarters(cursor):
    # L9 answers C1 (15 Jun – 15 Jul) on 2 Oct, after it ended: it counts in C1's last
    # quarter, Q3, with L1 and L6; L2 (June) in Q2. The quarters hold all four of its leads.
    _add_leads(cursor, [("L9", "C1", "Webinar", "NA", dt.datetime(2026, 10, 2, 9), "inquiry",
                         None, None, None, None)])
    october_10 = dt.date(2026, 10, 10)
    leads = {
        quarter.number: campaign_performance.build(cursor, Filters(quarter), october_10)
        .tables["campaigns"].set_index("campaign_id")["leads"].get("C1")
        for quarter in (Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4))
    }
    assert leads == {2: 1, 3: 3, 4: None}


def test_campaign_roi_is_unknown_without_deals_linked_to_leads(cursor):
    cursor.execute("update deals set lead_id = null")
    summaries.refresh(cursor, ["deals"])  # by hand
    view = campaign_performance.build(cursor, Q3, AS_OF)
    for key in ("campaign_roi", "campaign_sourced_revenue", "campaign_sourced_pipeline"):
        assert view.figures[key].state is State.UNKNOWN
        assert "No deal is linked to a lead" in view.figures[key].reason
    assert view.tables["channels"]["roi"].isna().all()
    assert view.tables["campaigns"]["sourced_revenue"].isna().all()


def test_campaign_roi_of_free_campaigns_alone_is_not_applicable(cursor):
    cursor.execute("update campaigns set actual_cost = 0")
    summaries.refresh(cursor, ["campaigns"])  # by hand
    view = campaign_performance.build(cursor, Q3, AS_OF)
    assert view.value("campaign_cost") == 0
    assert view.figures["campaign_roi"].state is State.NOT_APPLICABLE
    assert "No cost, so no return on it" in view.figures["campaign_roi"].reason
    assert not any("no cost recorded" in n.text for n in view.notes)


def test_a_future_quarter_has_no_sourced_revenue_yet(cursor):
    cursor.execute("update campaigns set start_date = '2026-10-05', end_date = '2026-10-06'"
                   " where campaign_id = 'C3'")
    summaries.refresh(cursor, ["campaigns"])  # by hand
    view = campaign_performance.build(cursor, Filters(Quarter(2026, 4)), AS_OF)
    for key in ("campaign_sourced_pipeline", "campaign_sourced_revenue", "campaign_roi"):
        assert view.figures[key].state is State.NOT_APPLICABLE
        assert "2026-Q4 has not started" in view.figures[key].reason
    # Its campaigns' leads and what they brought are dashes in the table, not 0s.
    table = view.tables["campaigns"]
    assert len(table) and table[["leads", "sourced_revenue", "roi"]].isna().all().all()


def test_cli_reports_the_handoff_views(capsys, handoff_path):
    base = ["report", "--db", str(handoff_path), "--quarter", "2026-Q3", "--as-of",
            AS_OF.isoformat()]
    for view in ("funnel", "sla", "campaigns"):
        assert cli.main([base[0], view, *base[1:]]) == 0
        assert json.loads(capsys.readouterr().out)["view"] == view
    assert cli.main([base[0], "sla", *base[1:], "--rep", "P2", "--format", "csv",
                     "--table", "open_breaches"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("L7,")
    assert cli.main([base[0], "sla", *base[1:], "--rep", "P404"]) == 2
    assert "no MQLs are owned" in capsys.readouterr().err
    assert cli.main([base[0], "funnel", *base[1:], "--rep", "P2"]) == 2


def _add_leads(cursor, rows):
    cursor.executemany(
        "insert into leads (lead_id, campaign_id, source, region, segment, created_at, stage,"
        " mql_at, sal_at, sql_at, first_touch_at, owner_id, disqualify_reason)"
        " values (?, ?, ?, ?, 'SMB', ?, ?, ?, ?, null, ?, 'P2', ?)", rows)
    summaries.refresh(cursor, ["leads"])  # as a leads import would


def test_breach_count_and_list_follow_one_rule(cursor):
    july = dt.datetime(2026, 7, 27, 10)
    _add_leads(cursor, [
        # Untouched but moved on: no longer waiting, a data-quality case instead.
        ("L8", None, "Direct", "NA", july, "sal", july, july, None, None),
        ("L9", None, "Direct", "NA", july, "disqualified", july, None, None, None),
    ])
    view = sla.build(cursor, Q3, AS_OF)
    assert view.value("open_breaches") == 1
    assert view.tables["open_breaches"]["lead_id"].tolist() == ["L7"]
    assert any("accepted or further with no first touch recorded" in n.text for n in view.notes)


def test_rejections_are_leads_sales_did_not_accept(cursor):
    july = dt.datetime(2026, 7, 27, 10)
    _add_leads(cursor, [
        ("L8", None, "Direct", "NA", july, "disqualified", july, july, july, "No budget"),
        ("L9", None, "Direct", "NA", july, "disqualified", july, None, july, None),
        ("L10", None, "Direct", "NA", july, "disqualified", july, None, july, "Competitor"),
    ])
    view = sla.build(cursor, Q3, AS_OF)
    # L8 was accepted before being dropped: it counts as accepted, not as a rejection.
    assert view.tables["rejections"].set_index("reason")["leads"].to_dict() == {
        "(no reason given)": 1, "Competitor": 1}
    assert view.value("acceptance_rate") == pytest.approx(4 / 7)  # L1, L3, L6, L8 of 7


def test_an_earlier_as_of_sees_only_what_had_happened(cursor):
    view = funnel.build(cursor, Q3, dt.date(2026, 7, 5))
    conversion = view.tables["conversion"].set_index("step")
    # By 5 July: MQL L1 (SAL on the 4th); SALs L2 and L1, neither an SQL yet.
    assert conversion.loc["mql_to_sal", ["cohort", "converted"]].tolist() == [1, 1]
    assert conversion.loc["sal_to_sql", ["cohort", "converted"]].tolist() == [2, 0]


def test_a_lead_listed_twice_does_not_double_its_deals(cursor):
    cursor.execute("insert into leads select * from leads where lead_id = 'L1'")
    summaries.refresh(cursor, ["leads"])  # by hand
    view = campaign_performance.build(cursor, Q3, AS_OF)
    assert view.tables["campaigns"].set_index("campaign_id").loc[
        "C1", "sourced_pipeline"] == 10_000
    assert funnel.build(cursor, Q3, AS_OF).value("funnel_opportunities") == 1


def test_a_regional_view_counts_only_that_regions_leads_of_a_global_campaign(cursor):
    cursor.execute("update campaigns set region = null where campaign_id = 'C1'")
    cursor.execute("update leads set region = 'EMEA' where lead_id = 'L6'")
    summaries.refresh(cursor, ["leads"])  # by hand
    view = campaign_performance.build(cursor, Filters(Quarter(2026, 3), region="NA"), AS_OF)
    # C1's NA leads of Q3: L1 (L6 is now EMEA's, L2 came in Q2).
    assert view.tables["campaigns"].set_index("campaign_id").loc["C1", "leads"] == 1
    assert any("not split" in note.text for note in view.notes)


def test_today_ages_run_to_now_not_to_midnight(cursor):
    now = dt.datetime.now()
    for hours_ago, breached in ((15, False), (30, True)):
        mql_at = now - dt.timedelta(hours=hours_ago)
        cursor.execute("update leads set mql_at = ? where lead_id = 'L7'", [mql_at])
        summaries.refresh(cursor, ["leads"])  # by hand
        # The quarter of the MQL (it may be the last one, early in a quarter).
        view = sla.build(cursor, Filters(Quarter.containing(mql_at.date())), now.date())
        assert ("L7" in view.tables["open_breaches"]["lead_id"].tolist()) is breached


def test_breakdown_compares_with_last_quarter(cursor):
    breakdown = funnel.build(cursor, Q3, AS_OF).tables["breakdown"]
    na = breakdown[(breakdown["dimension"] == "region") & (breakdown["value"] == "NA")]
    step = na.set_index("step").loc["mql_to_sal"]
    # NA MQLs: Q3 L1, L6 (accepted), L7 (not); Q2 L2 (accepted).
    assert (step["cohort"], step["converted"]) == (3, 2)
    assert step["previous_rate"] == 1.0 and step["trailing_rate"] == 1.0
