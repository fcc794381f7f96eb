insert into forecast_submissions
select
    quarter,
    person_id,
    submitted_at,
    commit_amount,
    best_case_amount
from demo_forecast_submissions
