-- The campaigns behind the calendar's counts, read from the store's range_campaigns like the
-- calendar's own list (calendar_campaigns): $which 'all' every one of the range; 'live' those
-- not cancelled running on $today; 'starting' those not cancelled that start after it;
-- 'expected' those expected to bring leads in the range, with the leads they are expected to
-- bring in it (expected_lead_days summed by campaign, as the calendar sums them by week).
with expected as (
    select
        campaign_id,
        sum(leads_per_day) as expected_in_range
    from expected_lead_days($starts_on, $ends_on)
    group by campaign_id
),

chosen as (
    select
        campaigns.campaign_id,
        campaigns.name,
        campaigns.channel,
        campaigns.status,
        coalesce(people.name, campaigns.owner_id) as owner,
        campaigns.region,
        campaigns.segment,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.expected_leads,
        expected.expected_in_range
    from range_campaigns($starts_on, $ends_on, $region, $segment, $channels, $statuses,
                         $owners) as campaigns
    left join expected using (campaign_id)
    left join people on people.person_id = campaigns.owner_id
    where case $which
        when 'live' then campaigns.status <> 'cancelled'
            and campaigns.start_date <= $today and campaigns.end_date >= $today
        when 'starting' then campaigns.status <> 'cancelled' and campaigns.start_date > $today
        when 'expected' then expected.expected_in_range is not null
        else true
    end
)

select
    *,
    count(*) over () as record_count,
    sum(expected_in_range) over () as record_total
from chosen
order by start_date, name
limit $row_limit
