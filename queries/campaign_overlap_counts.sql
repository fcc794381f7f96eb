-- For each of the given campaigns (not cancelled): how many of the others it overlaps, as
-- campaign_overlaps.sql pairs them (same region and segment, a campaign for all regions
-- (segments) aimed at every one of them, dates overlapping), counted by sort and sweep
-- instead of listing every pair (hundreds of thousands at scale); and how many of the others
-- had started by its first day and still ran then (running_at_start): every pair is counted
-- there by its later-starting campaign, a pair starting on the same day by both, so the
-- calendar can tell by which day the first pairs by date have all started.
--
-- The campaigns fall into groups by their own region and segment. Within a group, sorted by
-- start and by end, the campaigns overlapping [start, end] are those that started by its end
-- less those that ended before its start (every campaign ends on or after its start); a
-- campaign sums that over the groups it may collide with, less itself; the same at its
-- first day gives those running then.
with scoped as (
    select
        campaign_id,
        region,
        segment,
        start_date,
        end_date,
        dense_rank() over (order by region, segment) as aim
    from campaigns
    where campaign_id in (select unnest($campaign_ids::varchar[]))
        and status <> 'cancelled'
),

aims as (
    select distinct aim, region, segment
    from scoped
),

started as (
    -- Per group and start day: the campaigns started by the end of that day.
    select
        aim,
        start_date as day,
        sum(count(*)) over (partition by aim order by start_date) as campaigns
    from scoped
    group by aim, start_date
),

ended as (
    -- Per group and end day: the campaigns ended by the end of that day.
    select
        aim,
        end_date as day,
        sum(count(*)) over (partition by aim order by end_date) as campaigns
    from scoped
    group by aim, end_date
),

colliding as (
    -- Each campaign with each group it may collide with.
    select
        scoped.campaign_id,
        scoped.start_date,
        scoped.end_date,
        aims.aim
    from scoped
    join aims
        on (scoped.region = aims.region or scoped.region is null or aims.region is null)
        and (scoped.segment = aims.segment or scoped.segment is null or aims.segment is null)
),

per_group as (
    select
        colliding.campaign_id,
        colliding.start_date,
        coalesce(started_by_end.campaigns, 0) - coalesce(ended.campaigns, 0) as overlapping,
        coalesce(started_by_start.campaigns, 0) - coalesce(ended.campaigns, 0)
            as running_at_start
    from colliding
    asof left join started as started_by_end
        on started_by_end.aim = colliding.aim
        and started_by_end.day <= colliding.end_date
    asof left join started as started_by_start
        on started_by_start.aim = colliding.aim
        and started_by_start.day <= colliding.start_date
    asof left join ended
        on ended.aim = colliding.aim
        and ended.day < colliding.start_date
)

select
    campaign_id,
    start_date,
    (sum(overlapping) - 1)::bigint as overlaps,
    (sum(running_at_start) - 1)::bigint as running_at_start
from per_group
group by campaign_id, start_date
order by start_date, campaign_id
