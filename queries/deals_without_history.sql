-- Deals of the breakdown with no recorded history: their past is assumed (deal_timeline).
select
    count(*) filter (where deal_id not in (select deal_id from deal_history)) as without_history,
    count(*) as deals
from deals
where ($region is null or region = $region)
    and ($segment is null or segment = $segment)
