"""Issue #16, marketing: a real-shaped spend sheet (spend per channel and month, dollars as a
spreadsheet writes them) built from a public campaign dataset (tests/data/exports/README.md)
is spread over the campaigns that ran, by their days, in one import; again changes nothing;
a month no campaign of the channel runs in is refused with the store unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
from test_imports import fingerprint, query, run, write_csv

EXPORTS = Path(__file__).parent / "data" / "exports"
SPEND = EXPORTS / "marketing-spend-by-channel-month.csv"
CENT = Decimal("0.01")


def source() -> pd.DataFrame:
    """The dataset subset, read apart from make_marketing.py: one row per campaign."""
    frame = pd.read_csv(EXPORTS / "marketing-campaigns-subset.csv")
    frame["start"] = pd.to_datetime(frame["Dates"])
    frame["end"] = frame["start"] + pd.to_timedelta(
        frame["Duration"].str.removesuffix(" days").astype(int) - 1, unit="D")
    frame["campaign_id"] = "MC-" + frame["Campaign_ID"].astype(str)
    return frame


def campaign_store(capsys, tmp_path, new_store) -> Path:
    path = new_store(tmp_path / "store.duckdb")
    frame = source()
    campaigns = write_csv(tmp_path / "campaigns.csv", [
        "campaign_id", "name", "channel", "status", "start_date", "end_date"], [
        [row.campaign_id, f"{row.Company} {row.Campaign_Type} {row.Campaign_ID}",
         row.Channel_Used, "completed", row.start.date().isoformat(), row.end.date().isoformat()]
        for row in frame.itertuples()])
    code, _, err = run(capsys, "import", campaigns, "--table", "campaigns", "--db", path)
    assert code == 0, err
    return path


def expected_costs():
    """Spend per channel and month from the source (by start month), and each campaign's cost
    as the README has it: each month's spend split over the channel's campaigns running that
    month by their days in it, rounded to cents, the campaign with the most days (then the
    first ID) taking the rounding; a campaign's cost is the sum of its months' shares."""
    frame = source()
    frame["month"] = frame["start"].dt.strftime("%Y-%m")
    spend = {key: Decimal(str(value)).quantize(CENT) for key, value in
             frame.groupby(["Channel_Used", "month"])["Acquisition_Cost"].sum().items()}
    costs = {campaign: Decimal(0) for campaign in frame["campaign_id"]}
    for (channel, month), total in spend.items():
        first = pd.Timestamp(f"{month}-01")
        last = first + pd.offsets.MonthEnd(0)
        running = frame[frame["Channel_Used"] == channel].copy()
        running["days"] = ((running["end"].clip(upper=last)
                            - running["start"].clip(lower=first)).dt.days + 1)
        running = running[running["days"] > 0].sort_values(
            ["days", "campaign_id"], ascending=[False, True])
        all_days = int(running["days"].sum())
        shares = [(total * int(days) / all_days).quantize(CENT, ROUND_HALF_UP)
                  for days in running["days"]]
        shares[0] = total - sum(shares[1:])
        for campaign, share in zip(running["campaign_id"], shares, strict=True):
            costs[campaign] += share
    return spend, costs


def test_the_public_spend_sheet_is_spread_over_the_campaigns_by_their_days(capsys, tmp_path,
                                                                           new_store):
    path = campaign_store(capsys, tmp_path, new_store)
    started = dt.datetime.now()
    code, out, err = run(capsys, "import", SPEND, "--table", "campaign_spend", "--db", path)
    took = (dt.datetime.now() - started).total_seconds()
    assert code == 0, err
    assert "24 new" in out, out
    print(f"imported {SPEND.name} in {took:.2f} s")
    spend, expected = expected_costs()
    # The sheet's "$88,004.00" figures are stored as the source's sums.
    stored = {(channel, month): Decimal(value) for channel, month, value in query(
        path, "select channel, month, spend::varchar from campaign_spend")}
    assert stored == spend
    costs = {campaign: Decimal(value or "0") for campaign, value in query(
        path, "select campaign_id, actual_cost::varchar from campaigns")}
    # Each channel's spend is all on its campaigns, to the cent.
    frame = source()
    for channel, ids in frame.groupby("Channel_Used")["campaign_id"]:
        assert sum(costs[campaign] for campaign in ids) == sum(
            value for (of, _), value in spend.items() if of == channel)
    # Each campaign's cost is its months' shares, worked out here apart from the importer.
    assert costs == expected
    # By hand: MC-1 (Google Ads, 30 days from 2021-01-01) runs Jan 1-30 only. Google Ads in
    # January: MC-1 30 days, MC-2 (60 from Jan 2) 30, MC-8 (45 from Jan 8) 24, MC-12 (60
    # from Jan 12) 20, MC-19 (60 from Jan 19) 13, MC-20 (15 from Jan 20) 12: 129 days.
    # 88,004.00 x 30/129 = 20,466.05 (MC-2); x 24/129 = 16,372.84; x 20/129 = 13,644.03;
    # x 13/129 = 8,868.62; x 12/129 = 8,186.42. MC-1 (most days, first ID) takes the rest:
    # 88,004.00 - 67,537.96 = 20,466.04.
    assert costs["MC-1"] == Decimal("20466.04")

    before = fingerprint(path)
    code, out, err = run(capsys, "import", SPEND, "--table", "campaign_spend", "--db", path)
    assert code == 0, err
    assert "0 new, 0 updated, 24 unchanged" in out
    assert fingerprint(path) == before


def test_spend_in_a_month_no_campaign_of_the_channel_runs_in_is_refused(capsys, tmp_path,
                                                                       new_store):
    path = campaign_store(capsys, tmp_path, new_store)
    lines = SPEND.read_text(encoding="utf-8").splitlines()
    # Website campaigns of the subset end by mid-June 2021: none runs in December.
    broken = tmp_path / "spend-december.csv"
    broken.write_text("\r\n".join(lines + ['Website,2021-12,"$1,000.00"']) + "\r\n",
                      encoding="utf-8")
    before = fingerprint(path)
    code, _, err = run(capsys, "import", broken, "--table", "campaign_spend", "--db", path)
    assert code == 1
    assert ("line 26, column 'Channel': 'Website': no campaign of this channel runs in "
            "2021-12: the spend has nowhere to go") in err
    assert fingerprint(path) == before
