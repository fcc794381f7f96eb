update import_typed set lead_id = raw_lead_id
