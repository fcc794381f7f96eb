-- The leads behind a stage count of the quarter (lead_actuals.sql, funnel_by_quarter.sql,
-- speed_to_lead.sql's MQLs: the same filters): those whose {stage_date} (created_at for
-- inquiries, mql_at, sal_at, sql_at) falls in the quarter before $before, when nothing after
-- it has happened yet. $went_on keeps those that went on to the next stage ($next: the date
-- it records, or 'deal' for a deal of the lead created before $before), as funnel_by_quarter
-- counts a cohort's conversions; $source, if set, one source's (a funnel breakdown row); $rep,
-- if set, one rep's (speed_to_lead.sql's MQLs of a rep: the page narrowed to them; "" owns
-- none). The first $row_limit by that date; record_count counts them all. Lead columns are
-- named one by one: a new one is one more line.
with chosen as (
    select *
    from scoped_leads($region, $segment)
    where {stage_date} >= $starts_on
        and {stage_date} < $before
        and ($source is null or coalesce(source, '(no source)') = $source)
        and ($rep is null or owner_id = $rep)
        and (not $went_on or case $next
            when 'mql_at' then mql_at < $before
            when 'sal_at' then sal_at < $before
            when 'sql_at' then sql_at < $before
            else lead_id in (
                select lead_id from deals where lead_id is not null and created_at < $before)
        end)
),

first_rows as (
    select *
    from chosen
    order by {stage_date}, lead_id
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
    first_rows.region,
    first_rows.segment,
    (select count(*) from chosen) as record_count
from first_rows
left join people on people.person_id = first_rows.owner_id
left join campaigns on campaigns.campaign_id = first_rows.campaign_id
order by first_rows.{stage_date}, first_rows.lead_id
