-- What became of the period's MQLs (of one owner, $rep; null: everyone's) by $ends_before:
-- accepted by sales (SAL), rejected before acceptance (by reason), or still open. Leads dropped after acceptance count as
-- accepted: sales took them.
select
    case
        when sal_at < $ends_before then 'accepted'
        when stage = 'disqualified' then coalesce(disqualify_reason, '(no reason given)')
        else 'open'
    end as outcome,
    sal_at < $ends_before as accepted,
    count(*) as leads
from scoped_leads($region, $segment)
where mql_at >= $starts_on
    and mql_at < $ends_before
    and ($rep is null or owner_id = $rep)
group by all
order by leads desc
