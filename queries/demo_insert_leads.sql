insert into leads
select
    'L' || lpad(lead_no::varchar, 8, '0') as lead_id,
    case when campaign_no > 0 then 'C' || lpad(campaign_no::varchar, 6, '0') end as campaign_id,
    source,
    region,
    segment,
    created_at,
    stage,
    mql_at,
    sal_at,
    sql_at,
    first_touch_at,
    owner_id,
    disqualify_reason
from demo_leads
order by lead_no
