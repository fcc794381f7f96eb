-- Rebuild the pipeline_deltas summary from its definition, ordered by close month and day.
delete from pipeline_deltas;
insert into pipeline_deltas
select * from pipeline_deltas_live
order by close_month, day;
