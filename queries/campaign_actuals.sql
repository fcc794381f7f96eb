-- What the given campaigns have brought so far: leads, and of them MQLs and SQLs.
select
    campaign_id,
    count(*) as leads,
    count(mql_at) as mqls,
    count(sql_at) as sqls
from leads
where list_contains($campaign_ids::varchar[], campaign_id)
group by campaign_id
