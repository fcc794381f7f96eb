-- The rows of {summary} whose counts {change} changes, with the change added (each count
-- times its sign): a key ($keys, every column but the counts) is matched as a whole (a
-- struct compares its nulls as equal), and one whose first count ({total}) comes to nothing
-- is left out, as a rebuild would not have it. summary_drop_changed and summary_add_rewritten
-- put them in place.
create or replace temp table summary_rewritten as
select columns($keys), sum(columns($counts) * sign)
from (
    select *, 1 as sign
    from {summary}
    where row(*columns($keys)) in (select row(*columns($keys)) from {change})
    union all
    select *
    from {change}
)
group by all
having sum({total} * sign) <> 0
