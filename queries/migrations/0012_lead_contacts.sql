-- Leads say who they are: a rep cannot call a lead id. All nullable: stores imported before
-- this, and CRMs that export no contact fields, keep working. "if not exists": a store
-- whose version was set back re-runs it unharmed.
alter table leads add column if not exists name varchar;
alter table leads add column if not exists company varchar;
alter table leads add column if not exists title varchar;
alter table leads add column if not exists email varchar;
alter table leads add column if not exists phone varchar;
