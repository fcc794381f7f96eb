-- Pairs of the given campaigns (not cancelled) aimed at the same region and segment whose
-- dates overlap. A campaign for all regions (segments) is aimed at every one of them. With
-- $started_by, only the pairs of campaigns that both start by that day: every pair that
-- overlaps from a day up to then (null: all pairs).
with scoped as (
    select
        campaign_id,
        name,
        region,
        segment,
        start_date,
        end_date
    from campaigns
    where campaign_id in (select unnest($campaign_ids::varchar[]))
        and status <> 'cancelled'
        and ($started_by is null or start_date <= $started_by)
)

select
    a.campaign_id as campaign_a,
    a.name as name_a,
    b.campaign_id as campaign_b,
    b.name as name_b,
    coalesce(a.region, b.region) as region,
    coalesce(a.segment, b.segment) as segment,
    greatest(a.start_date, b.start_date) as overlap_from,
    least(a.end_date, b.end_date) as overlap_to
from scoped as a
join scoped as b
    on a.campaign_id < b.campaign_id
    and a.start_date <= b.end_date
    and b.start_date <= a.end_date
    and (a.region = b.region or a.region is null or b.region is null)
    and (a.segment = b.segment or a.segment is null or b.segment is null)
order by
    overlap_from,
    a.name,
    b.name
