-- After a write of deals alone: the leads of funnel_lookup_leads that no longer have a deal
-- (a deal moved to another lead) and are not listed twice leave it. The leads' own rows did
-- not change, so every other row stays as it is.
delete from funnel_lookup_leads
where lead_id not in (select lead_id from deals where lead_id is not null)
    and lead_id not in (select lead_id from funnel_listed_twice)
