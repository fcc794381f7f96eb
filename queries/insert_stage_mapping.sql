insert into stage_mappings (stage, label, status, forecast_category)
values ($stage, $label, $status, $forecast_category)
