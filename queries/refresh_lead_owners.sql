-- Count again the leads each person owns (the lead_owners summary): one pass over the
-- owner column of leads, 0.26-0.36 s at 10M leads on a busy 2-core machine.
delete from lead_owners;
insert into lead_owners
select * from lead_owners_live
