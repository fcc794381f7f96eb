-- Count again the leads each person owns (the lead_owners summary): one pass over the
-- owner column of leads, about 0.1 s at 10M leads.
delete from lead_owners;
insert into lead_owners
select * from lead_owners_live
