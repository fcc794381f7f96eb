-- How each channel's month of spend is spread: over how many campaigns, by which days.
select
    channel,
    month,
    any_value(spend),
    count(*),
    list(days order by campaign_id),
    any_value(total_days)
from import_spend_shares
group by channel, month
order by channel, month
