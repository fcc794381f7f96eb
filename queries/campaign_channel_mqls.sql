-- The MQLs of each channel's campaigns in the quarter (in the region and segment chosen) by the
-- end of the as-of day ($produced_before): the mqls of campaign_performance.sql summed by
-- channel, without the deals and costs that query also reads (the planning meeting's channel
-- driver needs the MQLs alone). Both read the store's quarter_campaign_lead_counts;
-- tests/test_campaign_summaries.py holds the two equal.
select scoped.channel, coalesce(sum(counted.mqls), 0)::bigint as mqls
from quarter_campaigns($starts_on, $ends_before, $produced_before, $region, $segment) as scoped
left join quarter_campaign_lead_counts($starts_on, $ends_before, $produced_before, $region,
                                       $segment) as counted using (campaign_id)
group by scoped.channel
