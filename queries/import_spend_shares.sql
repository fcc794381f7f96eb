-- Each month's spend of a channel (import_spend_source) spread over the channel's campaigns
-- running that month (not cancelled), by their days in the month; rounded to cents, the
-- campaign with the most days taking the rounding so that the shares add up to the spend.
create or replace temp table import_spend_shares as
with spend as (
    select
        channel,
        month,
        spend,
        strptime(month || '-01', '%Y-%m-%d')::date as first_day
    from import_spend_source
),

running as (
    select
        spend.channel,
        spend.month,
        spend.spend,
        campaigns.campaign_id,
        date_diff(
            'day',
            greatest(campaigns.start_date, spend.first_day),
            least(campaigns.end_date, last_day(spend.first_day))
        ) + 1 as days
    from spend
    inner join campaigns
        on lower(trim(campaigns.channel)) = lower(trim(spend.channel))
        and campaigns.status <> 'cancelled'
        and campaigns.start_date <= last_day(spend.first_day)
        and campaigns.end_date >= spend.first_day
),

rounded as (
    select
        *,
        sum(days) over month_of as total_days,
        round(spend * days / sum(days) over month_of, 2)::decimal(18, 2) as rounded,
        row_number() over (
            partition by channel, month order by days desc, campaign_id
        ) as takes_rounding
    from running
    window month_of as (partition by channel, month)
)

select
    channel,
    month,
    spend,
    campaign_id,
    days,
    total_days,
    case
        when takes_rounding = 1
            then spend - (sum(rounded) over (partition by channel, month) - rounded)
        else rounded
    end::decimal(18, 2) as share
from rounded
