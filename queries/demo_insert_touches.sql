-- The demo's campaign touches: believable journeys for the leads that came from a campaign
-- (the rest have none). Drawn from hashes of the lead or deal, a random stream of their own,
-- so every other demo figure stays what it was; set-based, so ten million leads take seconds.
--   first: the lead's own campaign when it arrived (its campaign_id: the first touch);
--   nurture: two to four email, content or social touches while it is nurtured (before
--     the event that makes it an MQL, or before its MQL date, or in its first 30 days);
--   MQL: for three in five leads scored after they arrived, the event or webinar they
--     attended just before (the last touch before the MQL date: W-shaped's MQL role);
--   opportunity: for three in five deals, a paid search click in the days before the deal
--     opened (the last touch before it: last touch's, and W-shaped's opportunity role);
--   after: for half the deals, one or two events, webinars or emails while the deal is open.
-- A touch goes to the latest campaign of its channel that had started by its day (not
-- cancelled; of two starting the same day, the later ID); an event or webinar touch after
-- the campaign's last day is its follow-up or replay (a demo campaign's leads keep arriving
-- for days after it ends, too). Which campaign that is, is looked up per channel and day
-- (a join on equal keys: matching tens of millions of touches by time took four times as
-- long).
with live_campaigns as (
    select
        campaign_id,
        channel,
        start_date,
        end_date::timestamp + interval 18 hour as last_moment
    from campaigns
    where status <> 'cancelled'
    qualify row_number() over (partition by channel, start_date order by campaign_id desc) = 1
),

days as (
    select unnest(generate_series(min(start_date)::timestamp, $as_of::timestamp,
                                  interval 1 day))::date as day
    from live_campaigns
),

channel_days as (
    select
        channels.channel,
        days.day
    from days, (select distinct channel from live_campaigns) as channels
),

latest_campaigns as (
    select
        channel_days.channel,
        channel_days.day,
        live_campaigns.campaign_id,
        live_campaigns.last_moment
    from channel_days
    asof join live_campaigns
        on live_campaigns.channel = channel_days.channel
        and live_campaigns.start_date <= channel_days.day
),

kinds (channel, kind) as (
    values
        ('Events', 'event attended'), ('Webinar', 'webinar attended'),
        ('Email Nurture', 'email click'), ('Content Syndication', 'form fill'),
        ('Partner', 'form fill'), ('Paid Search', 'ad click'), ('Paid Social', 'ad click'),
        ('ABM', 'ad click')
),

campaign_leads as (
    select
        lead_id,
        campaign_id,
        created_at,
        mql_at
    from leads
    where campaign_id is not null
),

mql_wanted as (
    select
        lead_id,
        created_at,
        mql_at - interval 1 minute as wanted_at,
        case when hash(lead_id, 'mql channel', $seed) % 100 < 75 then 'Events'
            else 'Webinar' end as channel
    from campaign_leads
    where mql_at > created_at + interval 1 hour
        and hash(lead_id, 'mql touch', $seed) % 100 < 85
),

mql_touches as (
    select
        mql_wanted.lead_id,
        latest_campaigns.campaign_id,
        latest_campaigns.channel,
        mql_wanted.wanted_at as touched_at,
        mql_wanted.wanted_at > latest_campaigns.last_moment as after_end,
        mql_wanted.created_at as arrived_at
    from mql_wanted
    join latest_campaigns
        on latest_campaigns.channel = mql_wanted.channel
        and latest_campaigns.day = mql_wanted.wanted_at::date
),

nurture_spans as (
    select
        campaign_leads.lead_id,
        campaign_leads.created_at as span_start,
        least(coalesce(mql_touches.touched_at, campaign_leads.mql_at,
                       campaign_leads.created_at + interval 30 day),
              $as_of) as span_end,
        (2 + hash(campaign_leads.lead_id, 'nurture count', $seed) % 3)::bigint as touch_count
    from campaign_leads
    left join mql_touches using (lead_id)
),

nurture_wanted as (
    select
        lead_id,
        span_start as arrived_at,
        number,
        span_start + to_seconds(
            (0.05 + 0.9 * (hash(lead_id, 'nurture at', number, $seed) % 1000000) / 1e6)
            * date_diff('second', span_start, span_end)) as wanted_at,
        case
            when hash(lead_id, 'nurture channel', number, $seed) % 100 < 50 then 'Email Nurture'
            when hash(lead_id, 'nurture channel', number, $seed) % 100 < 80
                then 'Content Syndication'
            else 'Paid Social'
        end as channel
    from nurture_spans, range(touch_count) as numbers(number)
    where span_end > span_start
),

nurture_touches as (
    select
        nurture_wanted.lead_id,
        latest_campaigns.campaign_id,
        latest_campaigns.channel,
        nurture_wanted.wanted_at as touched_at,
        false as after_end,
        nurture_wanted.arrived_at
    from nurture_wanted
    join latest_campaigns
        on latest_campaigns.channel = nurture_wanted.channel
        and latest_campaigns.day = nurture_wanted.wanted_at::date
),

campaign_deals as (
    select
        deals.deal_id,
        deals.lead_id,
        deals.created_at,
        deals.close_date,
        campaign_leads.created_at as arrived_at,
        coalesce(mql_touches.touched_at, campaign_leads.mql_at, campaign_leads.created_at)
            as scored_at
    from deals
    join campaign_leads using (lead_id)
    left join mql_touches using (lead_id)
),

opportunity_wanted as (
    select
        lead_id,
        arrived_at,
        created_at - to_seconds(
            (0.1 + 0.8 * (hash(deal_id, 'opportunity at', $seed) % 1000000) / 1e6)
            * least(2 * 86400, date_diff('second', scored_at, created_at) / 2)) as wanted_at,
        scored_at
    from campaign_deals
    where created_at > scored_at
        and hash(deal_id, 'opportunity touch', $seed) % 100 < 60
),

opportunity_touches as (
    select
        opportunity_wanted.lead_id,
        latest_campaigns.campaign_id,
        latest_campaigns.channel,
        opportunity_wanted.wanted_at as touched_at,
        false as after_end,
        opportunity_wanted.arrived_at
    from opportunity_wanted
    join latest_campaigns
        on latest_campaigns.channel = 'Paid Search'
        and latest_campaigns.day = opportunity_wanted.wanted_at::date
),

after_wanted as (
    select
        lead_id,
        arrived_at,
        number,
        created_at + to_seconds(
            (hash(deal_id, 'after at', number, $seed) % 1000000) / 1e6
            * date_diff('second', created_at,
                        least(close_date::timestamp + interval 17 hour, $as_of)))
            as wanted_at,
        case
            when hash(deal_id, 'after channel', number, $seed) % 100 < 50 then 'Events'
            when hash(deal_id, 'after channel', number, $seed) % 100 < 70 then 'Webinar'
            else 'Email Nurture'
        end as channel
    from campaign_deals, range((1 + hash(deal_id, 'after count', $seed) % 2)::bigint) as numbers(number)
    where hash(deal_id, 'after touch', $seed) % 100 < 50
        and least(close_date::timestamp + interval 17 hour, $as_of) > created_at
),

after_touches as (
    select
        after_wanted.lead_id,
        latest_campaigns.campaign_id,
        latest_campaigns.channel,
        after_wanted.wanted_at as touched_at,
        after_wanted.wanted_at > latest_campaigns.last_moment as after_end,
        after_wanted.arrived_at
    from after_wanted
    join latest_campaigns
        on latest_campaigns.channel = after_wanted.channel
        and latest_campaigns.day = after_wanted.wanted_at::date
),

journeys as (
    select
        lead_id, campaign_id, channel, created_at as touched_at, false as after_end,
        created_at as arrived_at, 0 as step
    from campaign_leads
    join (select campaign_id, channel from campaigns) using (campaign_id)
    union all
    select *, 1 as step from nurture_touches
    union all
    select *, 2 as step from mql_touches
    union all
    select *, 3 as step from opportunity_touches
    union all
    select *, 4 as step from after_touches
)

insert into touches
select
    journeys.lead_id,
    journeys.campaign_id,
    date_trunc('second', journeys.touched_at) as touched_at,
    case
        when not journeys.after_end then kinds.kind
        when journeys.channel = 'Events' then 'event follow-up'
        else 'webinar replay'
    end as kind
from journeys
join kinds using (channel)
-- Nothing before the lead arrived (its campaign is its first touch) or after as_of.
where journeys.step = 0
    or (journeys.touched_at > journeys.arrived_at and journeys.touched_at <= $as_of)
