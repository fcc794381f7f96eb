-- The leads behind the funnel's opportunities and wins (funnel_by_quarter.sql: the same
-- filters): $stage 'opportunities' = the lead's first deal created in the quarter; 'won' = a
-- deal of the lead won, its last such close date in the quarter. Nothing at or after $before
-- has happened yet. $went_on keeps the opportunities' leads that were won (the step's
-- conversions); $source, if set, one source's (a funnel breakdown row). The first $row_limit
-- by that moment; record_count counts them all.
with lead_deals as (
    select
        lead_id,
        min(created_at) as opportunity_at,
        max(close_date) filter (where status = 'won' and close_date < $before) as won_on
    from deals
    where lead_id is not null
        and created_at < $before
        -- Only leads that may have reached the stage in the quarter: a deal of theirs
        -- created (or won) in it.
        and lead_id in (
            select lead_id
            from deals
            where case when $stage = 'won'
                then status = 'won' and close_date >= $starts_on and close_date < $before
                else created_at >= $starts_on and created_at < $before end
        )
    group by lead_id
),

reached as (
    select
        *,
        case when $stage = 'won' then won_on::timestamp else opportunity_at end as reached_at
    from lead_deals
    where case when $stage = 'won' then won_on >= $starts_on and won_on < $before
        else opportunity_at >= $starts_on and opportunity_at < $before end
        and (not $went_on or won_on is not null)
),

-- One pass over the leads: the leads reached are few (a deal each), so all they show is kept.
chosen as (
    select
        leads.lead_id,
        leads.name,
        leads.company,
        leads.title,
        leads.source,
        leads.campaign_id,
        leads.owner_id,
        leads.stage,
        leads.created_at,
        leads.mql_at,
        leads.sal_at,
        leads.sql_at,
        leads.first_touch_at,
        reached.opportunity_at,
        reached.won_on,
        reached.reached_at,
        leads.region,
        leads.segment
    from scoped_leads($region, $segment) as leads
    join reached using (lead_id)
    where $source is null or coalesce(leads.source, '(no source)') = $source
),

first_rows as (
    select *
    from chosen
    order by reached_at, lead_id
    limit $row_limit
)

select
    first_rows.lead_id,
    first_rows.name,
    first_rows.company,
    first_rows.title,
    first_rows.source,
    campaigns.name as campaign,
    coalesce(people.name, first_rows.owner_id) as owner,
    first_rows.stage,
    first_rows.created_at,
    first_rows.mql_at,
    first_rows.sal_at,
    first_rows.sql_at,
    first_rows.first_touch_at,
    first_rows.opportunity_at,
    first_rows.won_on,
    first_rows.region,
    first_rows.segment,
    (select count(*) from chosen) as record_count
from first_rows
left join people on people.person_id = first_rows.owner_id
left join campaigns on campaigns.campaign_id = first_rows.campaign_id
order by first_rows.reached_at, first_rows.lead_id
