-- A leads file without IDs: the columns its made IDs go in.
alter table import_typed add column raw_lead_id varchar;
alter table import_typed add column lead_id varchar
