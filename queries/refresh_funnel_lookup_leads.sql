-- Rebuild the funnel_lookup_leads summary from its definition.
delete from funnel_lookup_leads;
insert into funnel_lookup_leads
select * from funnel_lookup_leads_live
order by lead_id
