-- Campaign influence: every touch a lead had with a campaign, and how each deal's amount is
-- shared among the campaigns that touched its lead (docs/design.md, "Campaign influence").

-- Written to run again unharmed on a store whose version was set back (as 0013 is).

-- One row per touch. A lead's campaign_id stays its first touch; these are all its touches,
-- the first included. No key: a CRM may record the same touch twice, and the models treat
-- two rows as two touches (an import keys a touch by lead, campaign and moment).
create table if not exists touches (
    lead_id varchar not null,
    campaign_id varchar not null,
    touched_at timestamp not null,
    kind varchar not null  -- form fill, event attended, webinar attended, email click, ad click, …
);

-- Each deal's journey: its lead's touches before the deal was created (journey_until
-- 'created': what its pipeline is credited by) and, for a won deal, before the end of the
-- day it closed ('closed': what its revenue is credited by), each touch with its credit
-- under every model, in money; a journey without a touch is one row with no campaign ("no
-- campaign touch") holding the whole amount, so that under every model a deal's credits add
-- up to its amount. Touches are ordered by moment (then campaign and kind, so that ties
-- order alike every time).
--   first_touch, last_touch: all of it to the first (last) touch.
--   linear: the same share to every touch.
--   u_shaped: 40% to the first and 40% to the last, 20% spread evenly over the touches
--     between; one touch takes all, two take half each.
--   w_shaped: 30% to each of three roles, the first touch, the MQL touch (the last touch at
--     or before the lead's MQL date; a lead without one: its first touch, which created it)
--     and the opportunity touch (the last touch before the deal was created; none before it:
--     the first touch); a touch holding two roles takes 60%, all three 90%. The other 10% is
--     spread evenly over the touches holding no role, or over every touch when each holds
--     one (one touch: 100%; three touches in three roles: a third each).
--   time_decay: each touch weighs 2^(-days before the journey's end / half-life) (setting
--     attribution_half_life_days, 7 by default), shares in proportion to the weights.
create or replace view deal_credits_live as
with half_life as (
    select coalesce(max(try_cast(value as double)), 7.0) as days
    from settings
    where key = 'attribution_half_life_days'
),

journeys as (
    select
        deal_id, lead_id, region as deal_region, segment as deal_segment, amount, status,
        forecast_category, created_at, close_date,
        'created' as journey_until,
        created_at as journey_end
    from deals
    union all
    select
        deal_id, lead_id, region as deal_region, segment as deal_segment, amount, status,
        forecast_category, created_at, close_date,
        'closed' as journey_until,
        close_date + interval 1 day as journey_end
    from deals
    where status = 'won'
),

-- A lead listed twice counts once.
lead_facts as (
    select
        lead_id,
        any_value(mql_at) as mql_at,
        any_value(region) as region,
        any_value(segment) as segment
    from leads
    where lead_id in (select lead_id from deals)
    group by lead_id
),

-- A journey without a touch keeps one row, with no campaign: "no campaign touch".
touched as (
    select
        journeys.*,
        touches.campaign_id,
        touches.touched_at,
        touches.kind,
        lead_facts.mql_at,
        coalesce(lead_facts.region, journeys.deal_region) as region,
        coalesce(lead_facts.segment, journeys.deal_segment) as segment,
        date_diff('second', touches.touched_at, journeys.journey_end) / 86400.0 as age_days
    from journeys
    left join touches
        on touches.lead_id = journeys.lead_id
        and touches.touched_at < journeys.journey_end
    left join lead_facts on lead_facts.lead_id = journeys.lead_id
),

-- Positions from one ordering of every row (a window per journey sorts each one apart,
-- which took twice as long), each journey's counts by grouping.
ranked as (
    select
        *,
        row_number() over (order by deal_id, journey_until, touched_at, campaign_id, kind)
            as rank_all
    from touched
),

journey_facts as (
    select
        deal_id,
        journey_until,
        min(rank_all) as first_rank,
        count(campaign_id) as touch_count,
        greatest(1, count(*) filter (where touched_at <= mql_at)) as mql_position,
        greatest(1, count(*) filter (where touched_at < created_at)) as opportunity_position,
        min(age_days) as least_age
    from ranked
    group by deal_id, journey_until
),

placed as (
    select
        ranked.*,
        ranked.rank_all - journey_facts.first_rank + 1 as position,
        journey_facts.touch_count,
        journey_facts.mql_position,
        journey_facts.opportunity_position,
        -- Relative to the journey's latest touch, so that old journeys do not underflow.
        pow(2.0, -(ranked.age_days - journey_facts.least_age)
                 / (select days from half_life)) as decay
    from ranked
    join journey_facts using (deal_id, journey_until)
),

decay_totals as (
    select
        deal_id,
        journey_until,
        sum(decay) as total_decay
    from placed
    group by deal_id, journey_until
),

roles as (
    select
        *,
        (position = 1)::int + (position = mql_position)::int
        + (position = opportunity_position)::int as roles_held,
        touch_count - 1 - (mql_position <> 1)::int
        - (opportunity_position <> 1 and opportunity_position <> mql_position)::int
            as touches_without_role
    from placed
),

weighed as (
    select
        *,
        case when touch_count = 0 then 1.0 else (position = 1)::int end as first_weight,
        case when touch_count = 0 then 1.0 else (position = touch_count)::int end
            as last_weight,
        case when touch_count = 0 then 1.0 else 1.0 / touch_count end as linear_weight,
        case
            when touch_count <= 1 then 1.0
            when touch_count = 2 then 0.5
            when position = 1 or position = touch_count then 0.4
            else 0.2 / (touch_count - 2)
        end as u_weight,
        case
            when touch_count = 0 then 1.0
            else 0.3 * roles_held + case
                when touches_without_role = 0 then 0.1 / touch_count
                when roles_held = 0 then 0.1 / touches_without_role
                else 0.0
            end
        end as w_weight,
        case when touch_count = 0 then 1.0 else decay / total_decay end as decay_weight
    from roles
    join decay_totals using (deal_id, journey_until)
)

select
    deal_id,
    journey_until,
    campaign_id,
    touched_at,
    kind,
    case when touch_count > 0 then position end as position,
    touch_count,
    region,
    segment,
    amount,
    status,
    forecast_category,
    created_at,
    close_date,
    amount::double * first_weight as first_touch,
    amount::double * last_weight as last_touch,
    amount::double * linear_weight as linear,
    amount::double * u_weight as u_shaped,
    amount::double * w_weight as w_shaped,
    amount::double * decay_weight as time_decay
from weighed;

create or replace table deal_credits as
select * from deal_credits_live
order by journey_until, created_at, deal_id, position;
