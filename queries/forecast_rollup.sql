-- Each rep's last submission for the quarter made by the cut-off, summed. Managers' own
-- calls are left out so that a team is not counted twice (their reps' calls are in).
with latest as (
    select
        person_id,
        commit_amount,
        best_case_amount,
        submitted_at
    from forecast_submissions
    where quarter = $quarter
        and submitted_at < $cutoff
    qualify row_number() over (partition by person_id order by submitted_at desc) = 1
)

select
    count(*) as submitters,
    sum(latest.commit_amount) as commit_amount,
    sum(latest.best_case_amount) as best_case_amount,
    max(latest.submitted_at) as last_submitted_at
from latest
join people on people.person_id = latest.person_id
where people.person_id not in (select manager_id from people where manager_id is not null)
    and ($region is null or people.region = $region)
    and ($segment is null or people.segment = $segment)
