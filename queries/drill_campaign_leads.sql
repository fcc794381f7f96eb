-- The leads behind a campaign's row on the campaign page (campaign_performance.sql's
-- `campaign_leads`, the same filters): its leads in the breakdown that arrived in the
-- quarter by $so_far_before, an arrival held to the campaign's days. $campaign_id null: every
-- campaign of the quarter. record_count is over every matching lead, before the cap.
with scoped as (
    select campaign_id, name, start_date, end_date
    from campaigns
    where start_date < $ends_before
        and end_date >= $starts_on
        and ($region is null or region = $region or region is null)
        and ($segment is null or segment = $segment or segment is null)
        and ($campaign_id is null or campaign_id = $campaign_id)
)

select
    leads.lead_id,
    leads.source,
    scoped.name as campaign,
    coalesce(people.name, leads.owner_id) as owner,
    leads.stage,
    leads.created_at,
    leads.mql_at,
    leads.sal_at,
    leads.sql_at,
    leads.first_touch_at,
    leads.region,
    leads.segment,
    count(*) over () as record_count
from scoped_leads($region, $segment) as leads
join scoped on scoped.campaign_id = leads.campaign_id
left join people on people.person_id = leads.owner_id
where greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date)) >= $starts_on
    and greatest(scoped.start_date, least(scoped.end_date, leads.created_at::date))
    < $ends_before
    and leads.created_at < $so_far_before
order by leads.created_at, leads.lead_id
limit $row_limit
