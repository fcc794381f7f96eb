-- Leads say who they are: a rep cannot call a lead id. All nullable: stores imported before
-- this, and CRMs that export no contact fields, keep working.
alter table leads add column name varchar;
alter table leads add column company varchar;
alter table leads add column title varchar;
alter table leads add column email varchar;
alter table leads add column phone varchar;
