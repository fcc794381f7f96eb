-- What each campaign running in the quarter is credited with under every attribution model
-- (deal_credits): its touches (of leads in the region and segment chosen) counted in the
-- quarter, held to the campaign's days like its leads (quarter_campaign_leads), and of those
-- the credits of deals created by the end of the as-of day ($produced_before: pipeline, open
-- deals marked omitted excluded) and won by then (revenue). To the cent: summed in any order
-- (the summary's or its definition's), a campaign's credit is the same.
with scoped as (
    select
        campaign_id,
        start_date,
        end_date
    from quarter_campaigns($starts_on, $ends_before, $produced_before, $region, $segment)
),

counted as (
    select deal_credits.*
    from deal_credits
    join scoped using (campaign_id)
    where greatest(scoped.start_date, least(scoped.end_date, deal_credits.touched_at::date))
        >= $starts_on
        and greatest(scoped.start_date, least(scoped.end_date, deal_credits.touched_at::date))
        < $ends_before
        and deal_credits.touched_at < $produced_before
        and ($region is null or deal_credits.region = $region)
        and ($segment is null or deal_credits.segment = $segment)
)

select
    campaign_id,
    round(sum(first_touch) filter (where journey_until = 'created' and created_at < $produced_before
        and not (status = 'open' and forecast_category = 'omitted')), 2) as pipeline_first_touch,
    round(sum(last_touch) filter (where journey_until = 'created' and created_at < $produced_before
        and not (status = 'open' and forecast_category = 'omitted')), 2) as pipeline_last_touch,
    round(sum(linear) filter (where journey_until = 'created' and created_at < $produced_before
        and not (status = 'open' and forecast_category = 'omitted')), 2) as pipeline_linear,
    round(sum(u_shaped) filter (where journey_until = 'created' and created_at < $produced_before
        and not (status = 'open' and forecast_category = 'omitted')), 2) as pipeline_u_shaped,
    round(sum(w_shaped) filter (where journey_until = 'created' and created_at < $produced_before
        and not (status = 'open' and forecast_category = 'omitted')), 2) as pipeline_w_shaped,
    round(sum(time_decay) filter (where journey_until = 'created' and created_at < $produced_before
        and not (status = 'open' and forecast_category = 'omitted')), 2) as pipeline_time_decay,
    round(sum(first_touch) filter (where journey_until = 'closed' and close_date < $produced_before),
          2) as revenue_first_touch,
    round(sum(last_touch) filter (where journey_until = 'closed' and close_date < $produced_before),
          2) as revenue_last_touch,
    round(sum(linear) filter (where journey_until = 'closed' and close_date < $produced_before),
          2) as revenue_linear,
    round(sum(u_shaped) filter (where journey_until = 'closed' and close_date < $produced_before),
          2) as revenue_u_shaped,
    round(sum(w_shaped) filter (where journey_until = 'closed' and close_date < $produced_before),
          2) as revenue_w_shaped,
    round(sum(time_decay) filter (where journey_until = 'closed' and close_date < $produced_before),
          2) as revenue_time_decay
from counted
group by campaign_id
