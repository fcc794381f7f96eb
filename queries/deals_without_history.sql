-- Deals of the breakdown with no recorded history: their past is assumed (deal_timeline).
-- Those are listed in the unrecorded_deals summary.
select
    (
        select count(*) from unrecorded_deals
        where ($region is null or region = $region)
            and ($segment is null or segment = $segment)
    ) as without_history,
    count(*) as deals
from deals
where ($region is null or region = $region)
    and ($segment is null or segment = $segment)
