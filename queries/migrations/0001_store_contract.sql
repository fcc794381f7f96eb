-- The store contract of docs/design.md. Other tools read these tables: rename nothing here
-- without a new migration and a note in docs/design.md.

create table schema_version (
    version integer primary key,
    description varchar not null,
    applied_at timestamp not null
);

create table settings (
    key varchar primary key,
    value varchar not null
);

create table people (
    person_id varchar primary key,
    name varchar not null,
    email varchar,
    team varchar not null check (team in ('marketing', 'sales', 'revops', 'exec')),
    title varchar,
    region varchar,
    segment varchar,
    manager_id varchar
);

create table campaigns (
    campaign_id varchar primary key,
    name varchar not null,
    channel varchar not null,
    region varchar,
    segment varchar,
    owner_id varchar,
    status varchar not null check (status in ('planned', 'live', 'completed', 'cancelled')),
    start_date date not null,
    end_date date not null,
    budget decimal(18, 2),
    actual_cost decimal(18, 2),
    expected_leads integer,
    description varchar,
    check (end_date >= start_date)
);

-- No primary key on the two large tables: an ART index over ten million keys costs more
-- memory and load time than the upsert paths that would use it save.
create table leads (
    lead_id varchar not null,
    campaign_id varchar,
    source varchar,
    region varchar,
    segment varchar,
    created_at timestamp not null,
    stage varchar not null
        check (stage in ('inquiry', 'mql', 'sal', 'sql', 'opportunity', 'disqualified')),
    mql_at timestamp,
    sal_at timestamp,
    sql_at timestamp,
    first_touch_at timestamp,
    owner_id varchar,
    disqualify_reason varchar
);

create table deals (
    deal_id varchar not null,
    lead_id varchar,
    account varchar,
    owner_id varchar,
    region varchar,
    segment varchar,
    amount decimal(18, 2) not null,
    status varchar not null check (status in ('open', 'won', 'lost')),
    forecast_category varchar not null
        check (forecast_category in ('pipeline', 'best_case', 'commit', 'closed', 'omitted')),
    created_at timestamp not null,
    close_date date not null
);

-- Every state a deal has been in, one row per change: the weighted pipeline needs the
-- category a deal was in before it closed, and the forecast needs what moved between dates.
create table deal_history (
    deal_id varchar not null,
    changed_at timestamp not null,
    amount decimal(18, 2) not null,
    status varchar not null check (status in ('open', 'won', 'lost')),
    forecast_category varchar not null
        check (forecast_category in ('pipeline', 'best_case', 'commit', 'closed', 'omitted')),
    close_date date not null
);

create sequence goal_ids start 1;

create table goals (
    goal_id integer primary key default nextval('goal_ids'),
    quarter varchar not null,
    metric varchar not null,
    region varchar,
    segment varchar,
    target double not null check (target >= 0),
    owner_team varchar not null check (owner_team in ('marketing', 'sales', 'shared')),
    updated_by varchar not null,
    updated_at timestamp not null,
    version integer not null default 1
);

create table forecast_submissions (
    quarter varchar not null,
    person_id varchar not null,
    submitted_at timestamp not null,
    commit_amount decimal(18, 2) not null check (commit_amount >= 0),
    best_case_amount decimal(18, 2) not null check (best_case_amount >= 0)
);

create table audit_log (
    "at" timestamp not null,  -- a keyword in DuckDB: always quoted
    actor varchar not null,
    action varchar not null,
    entity varchar not null,
    entity_id varchar,
    before varchar,
    after varchar
);
