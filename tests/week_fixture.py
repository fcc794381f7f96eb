"""A small sales team whose week is worked out by hand (tests/test_week.py, test_digest.py).

As of 2026-08-15 (2026-Q3), ages run to 2026-08-16 00:00 and the SLA is 24 hours.
- Ann (R1, NA SMB, reports to Mia): A3 (MQL 1 Aug 09:00, 351 h) and A1 (10 Aug 10:00, 134 h)
  past the SLA, oldest first; A2 (15 Aug 12:00, 12 h) inside it. Her share of the leads
  created from 18 May: 3 of NA SMB's 10, 3 of all 15. Campaigns of 15 Aug – 13 Sep in NA
  SMB: CB (all regions, from 1 Aug, 200 expected: 200 × 3/15 = 40) and CA (NA SMB, 20 Aug,
  100 expected: 100 × 3/10 = 30); 70 in all. Her last call by the as-of day: $30,000
  commit, $45,000 best case (the one of 20 Aug comes later).
- Bob (R2, NA SMB, reports to Mia): B1 (12 Aug 10:00, 86 h) past the SLA; no deals, no
  call: no forecast to call.
- Eve (R3, EMEA Enterprise): nothing waiting; owns a deal and has not called 2026-Q3.
- Mia (M1): manages Ann and Bob.
- Strengths (MQLs of 2025-07-01 – 2026-06-30): Ann's Webinar MQLs S1 (SQL, won), S2 (SQL),
  S3; her Referral MQL S4; Bob's Webinar MQL S5 (SQL).
"""

from __future__ import annotations

import datetime as dt

AS_OF = dt.date(2026, 8, 15)
T = dt.datetime.fromisoformat

PEOPLE = [
    ("M1", "Mia Lead", "mia@example.com", "sales", "Sales Director", "NA", None, None),
    ("R1", "Ann Rep", "ann@example.com", "sales", "SDR", "NA", "SMB", "M1"),
    ("R2", "Bob Rep", "bob@example.com", "sales", "SDR", "NA", "SMB", "M1"),
    ("R3", "Eve Rep", "eve@example.com", "sales", "AE", "EMEA", "Enterprise", None),
    ("K1", "Kim Marketer", "kim@example.com", "marketing", "Field Marketing", "NA", None,
     None),
]

CAMPAIGNS = [
    # campaign_id, name, channel, region, segment, status, start, end, expected_leads
    ("CA", "NA SMB webinar", "Webinar", "NA", "SMB", "planned", "2026-08-20", "2026-08-20",
     100),
    ("CB", "Ebook for all", "Content Syndication", None, None, "live", "2026-08-01",
     "2026-09-30", 200),
    ("CC", "EMEA event", "Events", "EMEA", "Enterprise", "planned", "2026-09-01",
     "2026-09-02", 50),
    ("CD", "Spring webinar", "Webinar", "NA", "SMB", "completed", "2026-03-01", "2026-03-31",
     30),
    ("CE", "NA Enterprise dinner", "Events", "NA", "Enterprise", "planned", "2026-08-25",
     "2026-08-25", 40),
]

LEAD_COLUMNS = ("lead_id, campaign_id, source, region, segment, created_at, stage, mql_at, "
                "sql_at, first_touch_at, owner_id, name, company, title, email, phone")


def _lead(lead_id, owner, region="NA", segment="SMB", created="2026-07-01 09:00",
          stage="inquiry", mql=None, sql_at=None, touched=None, campaign=None,
          source="Organic Search", name=None, email=None, phone=None):
    return (lead_id, campaign, source, region, segment, T(created), stage,
            T(mql) if mql else None, T(sql_at) if sql_at else None,
            T(touched) if touched else None, owner, name,
            f"{name.split()[0]} Corp" if name else None, "CFO" if name else None, email, phone)


LEADS = [
    _lead("A1", "R1", created="2026-08-10 09:00", stage="mql", mql="2026-08-10 10:00",
          name="Zoe <Zed> & Co", email="zoe@zed.example", phone="+1 202 555 0101",
          campaign="CB", source="Content Syndication"),
    _lead("A2", "R1", created="2026-08-15 11:00", stage="mql", mql="2026-08-15 12:00",
          name="Al Inside", email="al@inside.example", phone="(202) 555-0102"),
    _lead("A3", "R1", created="2026-08-01 08:00", stage="mql", mql="2026-08-01 09:00",
          name="Old Oscar", email="oscar@old.example", phone="+1 202 555 0103"),
    _lead("B1", "R2", created="2026-08-12 09:00", stage="mql", mql="2026-08-12 10:00",
          name="Bea Bobslead", email="bea@bob.example", phone="+1 202 555 0104"),
    _lead("B2", "R2", created="2026-08-02 09:00", stage="sql", mql="2026-08-02 10:00",
          sql_at="2026-08-03 10:00", touched="2026-08-02 11:00", name="Ben Touched"),
    *[_lead(f"U{i}", None) for i in range(1, 6)],
    _lead("E1", "R3", region="EMEA", segment="Enterprise", stage="sql",
          mql="2026-07-02 10:00", sql_at="2026-07-03 10:00", touched="2026-07-02 11:00"),
    *[_lead(f"V{i}", None, region="EMEA", segment="Enterprise") for i in range(1, 5)],
    # Strengths: MQLs of the look-back window, created before the 90 days of lead shares.
    _lead("S1", "R1", created="2026-03-01 09:00", stage="opportunity", mql="2026-03-02 09:00",
          sql_at="2026-03-05 09:00", touched="2026-03-02 10:00", campaign="CD",
          source="Webinar"),
    _lead("S2", "R1", created="2026-03-01 09:00", stage="sql", mql="2026-03-02 09:00",
          sql_at="2026-03-06 09:00", touched="2026-03-02 10:00", campaign="CD",
          source="Webinar"),
    _lead("S3", "R1", created="2026-03-01 09:00", stage="disqualified",
          mql="2026-03-02 09:00", touched="2026-03-02 10:00", campaign="CD",
          source="Webinar"),
    _lead("S4", "R1", created="2026-03-01 09:00", stage="disqualified",
          mql="2026-03-02 09:00", touched="2026-03-02 10:00", source="Referral"),
    _lead("S5", "R2", created="2026-03-01 09:00", stage="sql", mql="2026-03-02 09:00",
          sql_at="2026-03-04 09:00", touched="2026-03-02 10:00", campaign="CD",
          source="Webinar"),
]

DEALS = [
    ("DW", "S1", "Zed Corp", "R1", "NA", "SMB", 9_000, "won", "closed", T("2026-03-10 09:00"),
     dt.date(2026, 4, 1)),
    ("DE", None, "Emea Corp", "R3", "EMEA", "Enterprise", 50_000, "open", "commit",
     T("2026-07-10 09:00"), dt.date(2026, 9, 20)),
]

SUBMISSIONS = [
    ("2026-Q3", "R1", T("2026-08-03 10:00"), 20_000, 30_000),
    ("2026-Q3", "R1", T("2026-08-10 10:00"), 30_000, 45_000),
    ("2026-Q3", "R1", T("2026-08-20 10:00"), 99_000, 120_000),  # after the as-of day
]


def fill(connection) -> None:
    from relay import summaries

    connection.executemany("insert into people values (?, ?, ?, ?, ?, ?, ?, ?)", PEOPLE)
    connection.executemany(
        "insert into campaigns (campaign_id, name, channel, region, segment, status, "
        "start_date, end_date, expected_leads) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", CAMPAIGNS)
    connection.executemany(f"insert into leads ({LEAD_COLUMNS}) values "
                           f"({', '.join(['?'] * 16)})", LEADS)
    connection.executemany("insert into deals values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", DEALS)
    connection.executemany("insert into forecast_submissions values (?, ?, ?, ?, ?)",
                           SUBMISSIONS)
    summaries.refresh(connection, ["deals", "deal_history", "leads"])
