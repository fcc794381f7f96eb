-- Bringing in data from a CRM: every import attempt, the column mappings people saved, and
-- how CRM stage names translate into the contract's status and forecast category.

create sequence import_ids start 1;

create table import_runs (
    import_id integer primary key default nextval('import_ids'),
    started_at timestamp not null,
    finished_at timestamp not null,
    actor varchar not null,
    file_name varchar not null,
    file_bytes bigint not null,
    table_name varchar not null,
    layout varchar not null,
    rows_in_file bigint not null,
    inserted bigint not null,
    updated bigint not null,
    unchanged bigint not null,
    new_people bigint not null,
    problems bigint not null,
    -- imported: written; refused: problems found, nothing written; failed: an error while
    -- writing, rolled back.
    outcome varchar not null check (outcome in ('imported', 'refused', 'failed')),
    message varchar
);

-- A column mapping saved by name: which header of the file feeds which column of the table.
create table import_mappings (
    name varchar primary key,
    table_name varchar not null,
    columns varchar not null,  -- JSON object: {"deal_id": "Opportunity Number", ...}
    date_format varchar not null,
    saved_by varchar not null,
    saved_at timestamp not null
);

-- Keyed by the stage name in lower case, so "Closed Won" and "closed won" are one stage.
create table stage_mappings (
    stage varchar primary key,
    label varchar not null,
    status varchar not null check (status in ('open', 'won', 'lost')),
    forecast_category varchar not null
        check (forecast_category in ('pipeline', 'best_case', 'commit', 'closed', 'omitted'))
);

-- The stages of HubSpot's default sales pipeline and Salesforce's standard opportunity
-- stages, with the forecast category each CRM gives them by default.
insert into stage_mappings values
    ('appointment scheduled', 'Appointment Scheduled', 'open', 'pipeline'),
    ('qualified to buy', 'Qualified To Buy', 'open', 'pipeline'),
    ('presentation scheduled', 'Presentation Scheduled', 'open', 'pipeline'),
    ('decision maker bought-in', 'Decision Maker Bought-In', 'open', 'best_case'),
    ('contract sent', 'Contract Sent', 'open', 'commit'),
    ('closed won', 'Closed Won', 'won', 'closed'),
    ('closed lost', 'Closed Lost', 'lost', 'omitted'),
    ('prospecting', 'Prospecting', 'open', 'pipeline'),
    ('qualification', 'Qualification', 'open', 'pipeline'),
    ('needs analysis', 'Needs Analysis', 'open', 'pipeline'),
    ('value proposition', 'Value Proposition', 'open', 'pipeline'),
    ('id. decision makers', 'Id. Decision Makers', 'open', 'pipeline'),
    ('perception analysis', 'Perception Analysis', 'open', 'best_case'),
    ('proposal/price quote', 'Proposal/Price Quote', 'open', 'best_case'),
    ('negotiation/review', 'Negotiation/Review', 'open', 'commit');
