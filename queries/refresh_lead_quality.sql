-- Rebuild the lead_quality summary from its definition.
delete from lead_quality;
insert into lead_quality
select * from lead_quality_live
order by lead_id
