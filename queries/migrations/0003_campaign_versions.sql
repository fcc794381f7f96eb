-- Campaigns are planned in the app like goals: versioned, with who changed them last.
alter table campaigns add column version integer default 1;
alter table campaigns add column updated_by varchar;
alter table campaigns add column updated_at timestamp;
