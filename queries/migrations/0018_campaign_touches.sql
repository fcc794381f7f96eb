-- Campaign influence: every touch a lead had with a campaign, and how each deal's amount is
-- shared among the campaigns that touched its lead (docs/design.md, "Campaign influence").

-- One row per touch. A lead's campaign_id stays its first touch; these are all its touches,
-- the first included. No key: a CRM may record the same touch twice, and the models treat
-- two rows as two touches (an import keys a touch by lead, campaign and moment).
create table touches (
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
create view deal_credits_live as
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
    join touches
        on touches.lead_id = journeys.lead_id
        and touches.touched_at < journeys.journey_end
    left join lead_facts on lead_facts.lead_id = journeys.lead_id
),

placed as (
    select
        *,
        row_number() over (partition by deal_id, journey_until
                           order by touched_at, campaign_id, kind) as position,
        count(*) over journey as touch_count,
        greatest(1, sum(case when touched_at <= mql_at then 1 else 0 end) over journey)
            as mql_position,
        greatest(1, sum(case when touched_at < created_at then 1 else 0 end) over journey)
            as opportunity_position,
        -- Relative to the journey's latest touch, so that old journeys do not underflow.
        pow(2.0, -(age_days - min(age_days) over journey) / (select days from half_life)) as decay
    from touched
    window journey as (partition by deal_id, journey_until)
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
        (position = 1)::int::double as first_weight,
        (position = touch_count)::int::double as last_weight,
        1.0 / touch_count as linear_weight,
        case
            when touch_count = 1 then 1.0
            when touch_count = 2 then 0.5
            when position = 1 or position = touch_count then 0.4
            else 0.2 / (touch_count - 2)
        end as u_weight,
        0.3 * roles_held + case
            when touches_without_role = 0 then 0.1 / touch_count
            when roles_held = 0 then 0.1 / touches_without_role
            else 0.0
        end as w_weight,
        decay / sum(decay) over (partition by deal_id, journey_until) as decay_weight
    from roles
)

select
    weighed.deal_id,
    weighed.journey_until,
    weighed.campaign_id,
    weighed.touched_at,
    weighed.kind,
    weighed.position,
    weighed.touch_count,
    weighed.region,
    weighed.segment,
    weighed.amount,
    weighed.status,
    weighed.forecast_category,
    weighed.created_at,
    weighed.close_date,
    weighed.amount::double * first_weight as first_touch,
    weighed.amount::double * last_weight as last_touch,
    weighed.amount::double * linear_weight as linear,
    weighed.amount::double * u_weight as u_shaped,
    weighed.amount::double * w_weight as w_shaped,
    weighed.amount::double * decay_weight as time_decay
from weighed
union all
select
    journeys.deal_id,
    journeys.journey_until,
    null as campaign_id,
    null as touched_at,
    null as kind,
    null as position,
    0 as touch_count,
    coalesce(lead_facts.region, journeys.deal_region) as region,
    coalesce(lead_facts.segment, journeys.deal_segment) as segment,
    journeys.amount,
    journeys.status,
    journeys.forecast_category,
    journeys.created_at,
    journeys.close_date,
    journeys.amount::double as first_touch,
    journeys.amount::double as last_touch,
    journeys.amount::double as linear,
    journeys.amount::double as u_shaped,
    journeys.amount::double as w_shaped,
    journeys.amount::double as time_decay
from journeys
left join lead_facts on lead_facts.lead_id = journeys.lead_id
where not exists (
    select 1
    from touches
    where touches.lead_id = journeys.lead_id
        and touches.touched_at < journeys.journey_end
);

create table deal_credits as
select * from deal_credits_live
order by journey_until, created_at, deal_id, position;
