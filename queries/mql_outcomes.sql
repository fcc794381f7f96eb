-- What became of the period's MQLs: accepted (SAL), and the rejected ones by reason.
select
    coalesce(disqualify_reason, case when sal_at is not null then 'accepted' else 'open' end)
        as outcome,
    sal_at is not null as accepted,
    count(*) as leads
from leads
where mql_at >= $starts_on
    and mql_at < $ends_before
    and ($region is null or region = $region)
    and ($segment is null or segment = $segment)
group by all
order by leads desc
