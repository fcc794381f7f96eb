-- Every forecast submitted for the given quarters, oldest first: the forecast picks each
-- person's last call before whatever cut-off it is looking at.
select
    quarter,
    person_id,
    submitted_at,
    commit_amount,
    best_case_amount
from forecast_submissions
where quarter in (select unnest($quarters::varchar[]))
order by submitted_at
