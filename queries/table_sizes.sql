-- Rows in each table the Data page offers for download.
select 'people' as table_name, count(*) as row_count from people
union all
select 'campaigns' as table_name, count(*) as row_count from campaigns
union all
select 'leads' as table_name, count(*) as row_count from leads
union all
select 'deals' as table_name, count(*) as row_count from deals
union all
select 'deal_history' as table_name, count(*) as row_count from deal_history
union all
select 'goals' as table_name, count(*) as row_count from goals
union all
select 'forecast_submissions' as table_name, count(*) as row_count from forecast_submissions
union all
select 'audit_log' as table_name, count(*) as row_count from audit_log
union all
select 'plan_signoffs' as table_name, count(*) as row_count from plan_signoffs
union all
select 'import_runs' as table_name, count(*) as row_count from import_runs
union all
select 'stage_mappings' as table_name, count(*) as row_count from stage_mappings
union all
select 'settings' as table_name, count(*) as row_count from settings
