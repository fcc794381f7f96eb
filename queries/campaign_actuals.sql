-- What the given campaigns have brought by $created_before (the day after the as-of day):
-- leads, and of them those that became MQLs and SQLs by then.
select
    campaign_id,
    count(*) as leads,
    count(*) filter (where mql_at < $created_before) as mqls,
    count(*) filter (where sql_at < $created_before) as sqls
from leads
where list_contains($campaign_ids::varchar[], campaign_id)
    and created_at < $created_before
group by campaign_id
