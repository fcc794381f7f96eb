-- The leads behind a stage count of the quarter (lead_actuals.sql, funnel_by_quarter.sql,
-- speed_to_lead.sql's MQLs: the same filters): $stage 'inquiries' = created in the quarter so
-- far; 'mqls' / 'sals' / 'sqls' = that stage's date in it; 'opportunities' = the lead's first
-- deal created in it; 'won' = a deal of the lead won, its last such close date in it. Nothing
-- at or after $before has happened yet. record_count is over every matching lead, before
-- the $row_limit cap. Lead columns are named one by one: a new one is one more line.
with lead_deals as (
    select
        lead_id,
        min(created_at) as opportunity_at,
        max(close_date) filter (where status = 'won' and close_date < $before) as won_on
    from deals
    where lead_id is not null
        and created_at < $before
        and $stage in ('opportunities', 'won')
    group by lead_id
),

chosen as (
    select
        leads.*,
        lead_deals.opportunity_at,
        lead_deals.won_on
    from scoped_leads($region, $segment) as leads
    left join lead_deals using (lead_id)
    where case $stage
        when 'inquiries' then leads.created_at >= $starts_on and leads.created_at < $before
        when 'mqls' then leads.mql_at >= $starts_on and leads.mql_at < $before
        when 'sals' then leads.sal_at >= $starts_on and leads.sal_at < $before
        when 'sqls' then leads.sql_at >= $starts_on and leads.sql_at < $before
        when 'opportunities' then lead_deals.opportunity_at >= $starts_on
            and lead_deals.opportunity_at < $before
        else lead_deals.won_on >= $starts_on and lead_deals.won_on < $before
    end
)

select
    chosen.lead_id,
    chosen.source,
    campaigns.name as campaign,
    coalesce(people.name, chosen.owner_id) as owner,
    chosen.stage,
    chosen.created_at,
    chosen.mql_at,
    chosen.sal_at,
    chosen.sql_at,
    chosen.first_touch_at,
    chosen.opportunity_at,
    chosen.won_on,
    chosen.region,
    chosen.segment,
    count(*) over () as record_count
from chosen
left join people on people.person_id = chosen.owner_id
left join campaigns on campaigns.campaign_id = chosen.campaign_id
order by chosen.created_at, chosen.lead_id
limit $row_limit
