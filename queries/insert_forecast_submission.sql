insert into forecast_submissions (
    quarter,
    person_id,
    submitted_at,
    commit_amount,
    best_case_amount
)
values ($quarter, $person_id, $submitted_at, $commit_amount, $best_case_amount)
