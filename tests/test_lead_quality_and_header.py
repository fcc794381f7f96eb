"""The summaries of migration 0024 never change a figure: lead_data_quality (the funnel and
speed-to-lead pages), sla_reps (the speed-to-lead page's rep picker), data_span and
filter_values (every page's header) read from them give what the same queries gave reading
the source tables (their text before the summaries, kept here as the reference), on the
fixture and the demo store, company-wide and for a region and a segment. A lead whose dates
contradict is counted by hand, and an import of few leads refreshes those leads' rows of the
lead summaries alone, equal to a full rebuild."""

import datetime as dt

import pytest

from relay import cli, sql, store, summaries
from relay.actuals import so_far_before
from relay.fiscal import Quarter

# The queries as they read the source tables before migration 0024.
QUALITY_FROM_LEADS = """
select
    count(*) filter (where sal_at < mql_at) as sal_before_mql,
    count(*) filter (where sql_at < sal_at) as sql_before_sal,
    count(*) filter (where first_touch_at < mql_at) as touch_before_mql,
    count(*) filter (
        where (stage in ('mql', 'sal', 'sql', 'opportunity') and mql_at is null)
            or (stage in ('sal', 'sql', 'opportunity') and sal_at is null)
            or (stage in ('sql', 'opportunity') and sql_at is null)
    ) as missing_timestamps,
    count(*) filter (
        where stage in ('sal', 'sql', 'opportunity') and first_touch_at is null
    ) as moved_on_untouched
from scoped_leads($region, $segment)
where (mql_at >= $starts_on and mql_at < $ends_before)
    or (sal_at >= $starts_on and sal_at < $ends_before)
    or (sql_at >= $starts_on and sql_at < $ends_before)
    or (mql_at is null and created_at >= $starts_on and created_at < $ends_before)
"""
SPAN_FROM_TABLES = """
select
    least(
        (select min(created_at)::date from deals),
        (select min(start_date) from campaigns),
        (select min(created_at)::date from leads)
    ) as first_day,
    (select count(*) from deals) as deals,
    (select count(*) from leads) as leads,
    (select count(*) from campaigns) as campaigns,
    (select count(*) from goals) as goals,
    (select count(*) from people) as people,
    (select count(*) from forecast_submissions) as forecast_submissions
"""
FILTER_VALUES_FROM_TABLES = """
select distinct kind, value
from (
    select 'region' as kind, region as value from deals
    union all select 'segment', segment from deals
    union all select 'region', region from campaigns
    union all select 'segment', segment from campaigns
    union all select 'region', region from people
    union all select 'segment', segment from people
    union all select 'region', region from goals
    union all select 'segment', segment from goals
)
where value is not null
order by kind, value
"""
REPS_FROM_LEADS = """
select distinct people.person_id, people.name
from people
where people.person_id in (
    select owner_id from scoped_leads($region, $segment) where mql_at is not null
)
order by people.name
"""
SCOPES = [(None, None), ("EMEA", None), ("NA", None), (None, "Enterprise"), ("NA", "SMB")]


def _quality(cursor, quarter: Quarter, as_of: dt.date, region, segment) -> tuple[dict, dict]:
    period = {"starts_on": quarter.start, "ends_before": so_far_before(quarter, as_of),
              "region": region, "segment": segment}
    result = cursor.execute(QUALITY_FROM_LEADS, period)
    columns = [column[0] for column in result.description]
    reference = dict(zip(columns, result.fetchall()[0], strict=True))
    return sql.row(cursor, "lead_data_quality", **period), reference


def _same_as_the_source_tables(path, quarters, as_of: dt.date) -> int:
    """The three queries equal their reference on the store at `path`; the count of
    data-quality problems compared."""
    connection = store.open_store(path, read_only=True)
    try:
        cursor = connection.cursor()
        problems = 0
        for quarter in quarters:
            for region, segment in SCOPES:
                read, reference = _quality(cursor, quarter, as_of, region, segment)
                assert read == reference, (quarter, region, segment)
                problems += sum(reference.values())
        for region, segment in SCOPES:
            reps = cursor.execute(REPS_FROM_LEADS, {"region": region,
                                                    "segment": segment}).fetchall()
            assert (sql.frame(cursor, "sla_reps", region=region, segment=segment)
                    .values.tolist() == [list(row) for row in reps]), (region, segment)
        span = cursor.execute(SPAN_FROM_TABLES).fetchall()
        assert list(sql.row(cursor, "data_span").values()) == list(span[0])
        assert (sql.frame(cursor, "filter_values").values.tolist()
                == [list(row) for row in cursor.execute(FILTER_VALUES_FROM_TABLES).fetchall()])
        return problems
    finally:
        connection.close()


def test_the_summaries_give_the_figures_of_the_source_tables_on_the_demo(demo_path):
    problems = _same_as_the_source_tables(demo_path, [Quarter(2026, 3), Quarter(2026, 4)],
                                          dt.date(2026, 11, 22))
    assert problems > 0  # the demo's leads have some: the comparison compares something


def test_the_summaries_give_the_figures_of_the_source_tables_on_the_fixture(handoff_path):
    # The hand-off fixture holds a lead whose dates are out of order.
    problems = _same_as_the_source_tables(handoff_path, [Quarter(2026, 2), Quarter(2026, 3)],
                                          dt.date(2026, 8, 15))
    assert problems > 0


def test_the_header_of_an_empty_store_reads_as_before(empty_path):
    # Nothing held: no first day, every count 0, no region or segment to offer.
    assert _same_as_the_source_tables(empty_path, [Quarter(2026, 3)], dt.date(2026, 8, 15)) == 0


def _refreshes(monkeypatch) -> list[str]:
    ran = []
    execute = summaries.sql.execute

    def recorded(cursor, name, /, **params):
        if name.startswith("refresh_"):
            ran.append(name)
        return execute(cursor, name, **params)

    monkeypatch.setattr(summaries.sql, "execute", recorded)
    return ran


def _q3_quality_in_na(path) -> dict:
    connection = store.open_store(path, read_only=True)
    try:
        return _quality(connection.cursor(), Quarter(2026, 3), dt.date(2026, 9, 30), "NA",
                        None)[0]
    finally:
        connection.close()


def _summaries_as_defined(path) -> None:
    connection = store.open_store(path, read_only=True)
    try:
        for name in summaries.SOURCES:
            assert (connection.execute(f"select * from {name} order by all").fetchall()
                    == connection.execute(f"select * from {name}_live order by all").fetchall()
                    ), name
    finally:
        connection.close()


@pytest.mark.parametrize("listed_twice", [False, True])
def test_an_import_of_few_leads_refreshes_their_rows_alone(fixture_path, tmp_path, monkeypatch,
                                                          listed_twice):
    """L90, new in NA: accepted (SAL, 5 July) before it became an MQL (10 July), and no
    first touch though it moved on: one more of each in 2026-Q3's counts for NA. Its dates
    put right again, the counts are back where they were. Listed twice (a second row of L1,
    which has a deal), it is in the funnel's look-up rows too."""
    before = _q3_quality_in_na(fixture_path)
    ran = _refreshes(monkeypatch)
    leads = tmp_path / "leads.csv"
    second = "L1,Web,NA,SMB,2026-07-01 09:00,mql,2026-07-03 10:00,\n" if listed_twice else ""
    leads.write_text("lead_id,source,region,segment,created_at,stage,mql_at,sal_at\n"
                     "L90,Web,NA,SMB,2026-07-01 09:00,sal,2026-07-10 10:00,2026-07-05 10:00\n"
                     + second, encoding="utf-8")
    assert cli.main(["import", str(leads), "--table", "leads", "--db", str(fixture_path)]) == 0
    # Lead by lead, not rebuilt: each summary's rows of the imported leads.
    assert "refresh_summary_drop_leads" in ran
    assert not {"refresh_lead_quality", "refresh_funnel_lookup_leads"} & set(ran)
    after = _q3_quality_in_na(fixture_path)
    assert after == {**before, "sal_before_mql": before["sal_before_mql"] + 1,
                     "moved_on_untouched": before["moved_on_untouched"] + 1}
    _summaries_as_defined(fixture_path)

    leads.write_text("lead_id,source,region,segment,created_at,stage,mql_at,sal_at\n"
                     "L90,Web,NA,SMB,2026-07-01 09:00,mql,2026-07-10 10:00,\n", encoding="utf-8")
    assert cli.main(["import", str(leads), "--table", "leads", "--db", str(fixture_path)]) == 0
    assert _q3_quality_in_na(fixture_path) == before
    _summaries_as_defined(fixture_path)


def test_a_deals_import_keeps_the_header_summaries_current(fixture_path, tmp_path):
    """A deal in a region no deal named before (LATAM), created before every other day of
    the store: the filters offer LATAM and the store's first day moves back to it."""
    deals = tmp_path / "deals.csv"
    deals.write_text("deal_id,owner_id,region,segment,amount,status,forecast_category,"
                     "created_at,close_date\n"
                     "D90,P2,LATAM,SMB,1000,open,pipeline,2020-01-02,2026-09-20\n",
                     encoding="utf-8")
    assert cli.main(["import", str(deals), "--table", "deals", "--db", str(fixture_path)]) == 0
    _summaries_as_defined(fixture_path)
    connection = store.open_store(fixture_path, read_only=True)
    try:
        cursor = connection.cursor()
        assert sql.row(cursor, "data_span")["first_day"] == dt.date(2020, 1, 2)
        assert ["region", "LATAM"] in sql.frame(cursor, "filter_values").values.tolist()
    finally:
        connection.close()


def test_a_deals_import_moves_a_deal_to_another_lead_in_the_funnels_look_up(fixture_path,
                                                                            tmp_path,
                                                                            monkeypatch):
    """D2 was L3's only deal; imported again as L2's, L3 leaves the leads the funnel looks up
    by id and L2 joins them, without rebuilding the summary."""
    ran = _refreshes(monkeypatch)
    deals = tmp_path / "deals.csv"
    deals.write_text("deal_id,lead_id,account,owner_id,region,segment,amount,status,"
                     "forecast_category,created_at,close_date\n"
                     "D2,L2,Globex,P3,EMEA,Enterprise,50000,won,closed,2026-05-01 09:00,"
                     "2026-08-14\n", encoding="utf-8")
    assert cli.main(["import", str(deals), "--table", "deals", "--db", str(fixture_path)]) == 0
    assert "refresh_funnel_lookup_leads_drop_dealless" in ran
    assert "refresh_funnel_lookup_leads" not in ran
    _summaries_as_defined(fixture_path)
    connection = store.open_store(fixture_path, read_only=True)
    try:
        looked_up = {lead_id for (lead_id,) in connection.execute(
            "select lead_id from funnel_lookup_leads").fetchall()}
    finally:
        connection.close()
    assert looked_up == {"L1", "L2"}
