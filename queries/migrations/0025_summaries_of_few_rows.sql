-- The two summaries a write of few deals (or leads) refreshed by reading every deal or every
-- lead, made to derive the rows of given deals or leads alone (at 10M leads, an import of 40
-- deals: deal_credits 4.3 s -> 0.3 s, funnel_months 3.4 s rebuilt -> a few hundred ms).
-- Each definition is now a table macro of the deals (leads) to derive, null for all of them,
-- and its _live view that macro of all: the same rows as before (0018, 0019).
--
-- deal_credits: the filter on deals could not reach below the view's one ordering of every
-- row, so the credits of 40 deals were those of every deal, filtered. A deal's journey reads
-- its own lead's facts and touches alone.
create or replace macro deal_credits_of(deal_ids) as table
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
    where deal_ids is null or deal_id in (select unnest(deal_ids))
    union all
    select
        deal_id, lead_id, region as deal_region, segment as deal_segment, amount, status,
        forecast_category, created_at, close_date,
        'closed' as journey_until,
        close_date + interval 1 day as journey_end
    from deals
    where status = 'won' and (deal_ids is null or deal_id in (select unnest(deal_ids)))
),

-- A lead listed twice counts once.
lead_facts as (
    select
        lead_id,
        any_value(mql_at) as mql_at,
        any_value(region) as region,
        any_value(segment) as segment
    from leads
    where lead_id in (select lead_id from journeys)
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

create or replace view deal_credits_live as
select * from deal_credits_of(null::varchar[]);

-- funnel_months: what each lead counts is a sum of its own events (its rows and its deals'),
-- so a write of few leads or deals takes out what those leads counted before it and adds
-- what they count after it (relay.summaries.take_out, refresh): the rows of other leads'
-- counts are not read.
create or replace macro funnel_months_of(lead_ids) as table
with once as (
    select *
    from leads
    where lead_id not in (select lead_id from funnel_listed_twice)
        and (lead_ids is null or lead_id in (select unnest(lead_ids)))
),

won_closes as (
    select lead_id, close_date, min(greatest(created_at::date, close_date)) as counts_on
    from deals
    where lead_id is not null and status = 'won'
        and (lead_ids is null or lead_id in (select unnest(lead_ids)))
    group by lead_id, close_date
),

lead_deals as (
    select
        deals.lead_id,
        date_trunc('month', min(deals.created_at))::date as opportunity_month,
        date_trunc('month', min(won_closes.counts_on))::date as won_month
    from deals
    left join won_closes on won_closes.lead_id = deals.lead_id
    where deals.lead_id is not null
        and (lead_ids is null or deals.lead_id in (select unnest(lead_ids)))
    group by deals.lead_id
),

leads_and_deals as (
    select
        once.source,
        once.region,
        once.segment,
        date_trunc('month', once.created_at)::date as created_month,
        date_trunc('month', once.mql_at)::date as mql_month,
        date_trunc('month', once.sal_at)::date as sal_month,
        date_trunc('month', once.sql_at)::date as sql_month,
        lead_deals.opportunity_month,
        lead_deals.won_month
    from once
    left join lead_deals using (lead_id)
),

-- Each won close date counts until the first month a later one of the same lead counts.
wins as (
    select
        once.source,
        once.region,
        once.segment,
        date_trunc('month', won_closes.close_date)::date as reached_month,
        date_trunc('month', won_closes.counts_on)::date as counts_from,
        date_trunc('month', (
            select min(later.counts_on)
            from won_closes as later
            where later.lead_id = won_closes.lead_id and later.close_date > won_closes.close_date
        ))::date as counts_until
    from won_closes
    join once using (lead_id)
),

events as (
    select
        'inquiries' as stage, created_month as reached_month, created_month as counts_from,
        null::date as counts_until, mql_month as next_month, null::date as sql_month,
        null::date as opportunity_month, null::date as won_month, source, region, segment
    from leads_and_deals
    union all
    select
        'mqls', mql_month, mql_month, null, sal_month, sql_month, opportunity_month, won_month,
        source, region, segment
    from leads_and_deals
    where mql_month is not null
    union all
    select 'sals', sal_month, sal_month, null, sql_month, null, null, null, source, region, segment
    from leads_and_deals
    where sal_month is not null
    union all
    select
        'sqls', sql_month, sql_month, null, opportunity_month, null, null, null,
        source, region, segment
    from leads_and_deals
    where sql_month is not null
    union all
    select
        'opportunities', opportunity_month, opportunity_month, null, won_month, null, null, null,
        source, region, segment
    from leads_and_deals
    where opportunity_month is not null
    union all
    select 'won', reached_month, counts_from, counts_until, null, null, null, null,
        source, region, segment
    from wins
)

select
    stage, reached_month, counts_from, counts_until, next_month, sql_month, opportunity_month,
    won_month, source, region, segment, count(*)::integer as events
from events
group by all;

create or replace view funnel_months_live as
select * from funnel_months_of(null::varchar[]);

-- deal_states (and deal_timeline, which it and an import's history of a deal without one
-- read): a filter on deals reached only some of the timeline's parts, so the states of 40
-- deals read every deal's last change and every deal's history (0.4-0.8 s at 10M leads).
create or replace macro deal_timeline_of(deal_ids) as table
with recorded as (
    select
        deal_id,
        changed_at,
        amount,
        status,
        forecast_category,
        close_date,
        0 as source
    from deal_history
    where deal_ids is null or deal_id in (select unnest(deal_ids))
),

last_recorded as (
    select
        deal_id,
        max(changed_at) as last_changed_at
    from deal_history
    where deal_ids is null or deal_id in (select unnest(deal_ids))
    group by deal_id
),

-- The deal as it is now is its latest state, whatever the history says: from its last
-- recorded change, or from its close date when it closed after that.
current_state as (
    select
        deals.deal_id,
        greatest(
            deals.created_at,
            last_recorded.last_changed_at,
            case when deals.status <> 'open' then deals.close_date::timestamp end
        ) as changed_at,
        deals.amount,
        deals.status,
        deals.forecast_category,
        deals.close_date,
        2 as source
    from deals
    left join last_recorded using (deal_id)
    where deal_ids is null or deals.deal_id in (select unnest(deal_ids))
),

-- A closed deal with no recorded history (e.g. loaded from a CRM export that has none) is
-- taken to have been open pipeline from its creation until it closed.
assumed_open as (
    select
        deal_id,
        created_at as changed_at,
        amount,
        'open' as status,
        'pipeline' as forecast_category,
        close_date,
        1 as source
    from deals
    where status <> 'open'
        and deal_id not in (select deal_id from deal_history)
        and (deal_ids is null or deal_id in (select unnest(deal_ids)))
),

changes as (
    select * from recorded
    union all
    select * from assumed_open
    union all
    select * from current_state
)

select
    deal_id,
    changed_at as valid_from,
    -- Null: still the deal's state. Of changes at the same moment, the one ordered last
    -- holds (the deal's current row, then a close over an open state); the others hold for
    -- no time at all.
    lead(changed_at) over (
        partition by deal_id
        order by changed_at, source, status <> 'open', forecast_category, amount
    ) as valid_until,
    amount,
    status,
    forecast_category,
    close_date,
    source = 1 as assumed
from changes;

create or replace view deal_timeline as
select * from deal_timeline_of(null::varchar[]);

create or replace macro deal_states_of(deal_ids) as table
select
    deal_timeline.deal_id,
    deal_timeline.valid_from,
    coalesce(deal_timeline.valid_until, 'infinity'::timestamp) as valid_until,
    deal_timeline.amount,
    deal_timeline.status,
    deal_timeline.forecast_category,
    deal_timeline.close_date,
    deal_timeline.assumed,
    deals.owner_id,
    deals.region,
    deals.segment,
    case when deals.status = 'won' then deals.close_date end as won_on,
    case when deals.status = 'won' then deals.amount end as won_amount
from deal_timeline_of(deal_ids) as deal_timeline
join deals using (deal_id);

create or replace view deal_states_live as
select * from deal_states_of(null::varchar[]);

-- campaign_lead_months: counts over leads too (each lead in one row), kept the same way as
-- funnel_months by an import of few leads (a group-by of every lead: 0.5-0.9 s at 10M).
create or replace macro campaign_lead_months_of(lead_ids) as table
select
    campaign_id,
    region,
    segment,
    date_trunc('month', created_at)::date as created_month,
    date_trunc('month', mql_at)::date as mql_month,
    count(*)::integer as leads,
    count(mql_at)::integer as mqls,
    count(*) filter (where sal_at is not null and mql_at is not null)::integer as sals,
    count(sql_at)::integer as sqls
from leads
where campaign_id is not null
    and (lead_ids is null or lead_id in (select unnest(lead_ids)))
group by all;

create or replace view campaign_lead_months_live as
select * from campaign_lead_months_of(null::varchar[]);
