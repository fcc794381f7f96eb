-- Rebuild the campaign_lead_months summary from its definition.
delete from campaign_lead_months;
insert into campaign_lead_months
select * from campaign_lead_months_live
order by created_month, campaign_id;
