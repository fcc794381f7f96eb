-- How CRM stage names map to the contract's status and forecast category.
select
    stage,
    label,
    status,
    forecast_category
from stage_mappings
order by status = 'open' desc, forecast_category, label
