-- The shared store on PostgreSQL: every table of the store contract (docs/design.md), the
-- same columns in the same order, and the change log the replicas follow. Idempotent: every
-- replica runs it at start (under the write lock, relay.replica).
--
-- Each row carries _seq, the change (change_log.seq) that last wrote it: a replica catching
-- up reads the rows of a table whose _seq is newer than the change it holds. Its default is
-- the change being written (set_config('relay.seq', …, true) in the writing transaction).
-- The value rules (checks) are the DuckDB copy's: every write runs there first.

create table if not exists change_log (
    seq bigserial primary key,
    written_at timestamptz not null default now(),
    -- {table: how the replicas take it}: "replace" (read the whole table again), "append"
    -- (the rows of this change are new), "keys" (the rows of this change replace the rows
    -- with their keys)
    tables jsonb not null
);

create table if not exists schema_version (
    version integer primary key,
    description text not null,
    applied_at timestamp not null
);

create table if not exists settings (
    key text primary key,
    value text not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists people (
    person_id text primary key,
    name text not null,
    email text,
    team text not null,
    title text,
    region text,
    segment text,
    manager_id text,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists campaigns (
    campaign_id text primary key,
    name text not null,
    channel text not null,
    region text,
    segment text,
    owner_id text,
    status text not null,
    start_date date not null,
    end_date date not null,
    budget numeric(18, 2),
    actual_cost numeric(18, 2),
    expected_leads integer,
    description text,
    version integer,
    updated_by text,
    updated_at timestamp,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists leads (
    lead_id text not null,
    campaign_id text,
    source text,
    region text,
    segment text,
    created_at timestamp not null,
    stage text not null,
    mql_at timestamp,
    sal_at timestamp,
    sql_at timestamp,
    first_touch_at timestamp,
    owner_id text,
    disqualify_reason text,
    name text,
    company text,
    title text,
    email text,
    phone text,
    _seq bigint not null default current_setting('relay.seq')::bigint
);
create index if not exists leads_lead_id on leads (lead_id);
create index if not exists leads_seq on leads (_seq);

create table if not exists deals (
    deal_id text not null,
    lead_id text,
    account text,
    owner_id text,
    region text,
    segment text,
    amount numeric(18, 2) not null,
    status text not null,
    forecast_category text not null,
    created_at timestamp not null,
    close_date date not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);
create index if not exists deals_deal_id on deals (deal_id);
create index if not exists deals_seq on deals (_seq);

create table if not exists deal_history (
    deal_id text not null,
    changed_at timestamp not null,
    amount numeric(18, 2) not null,
    status text not null,
    forecast_category text not null,
    close_date date not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);
create index if not exists deal_history_seq on deal_history (_seq);

create table if not exists goals (
    goal_id integer primary key,
    quarter text not null,
    metric text not null,
    region text,
    segment text,
    target double precision not null,
    owner_team text not null,
    updated_by text not null,
    updated_at timestamp not null,
    version integer not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists forecast_submissions (
    quarter text not null,
    person_id text not null,
    submitted_at timestamp not null,
    commit_amount numeric(18, 2) not null,
    best_case_amount numeric(18, 2) not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists audit_log (
    "at" timestamp not null,
    actor text not null,
    action text not null,
    entity text not null,
    entity_id text,
    before text,
    after text,
    _seq bigint not null default current_setting('relay.seq')::bigint
);
create index if not exists audit_log_seq on audit_log (_seq);

create table if not exists plan_signoffs (
    quarter text not null,
    side text not null,
    signed_by text not null,
    signed_at timestamp not null,
    revision integer,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists plan_revisions (
    quarter text primary key,
    revision integer not null,
    changed_at timestamp not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists signed_goals (
    quarter text not null,
    revision integer not null,
    metric text not null,
    region text,
    segment text,
    target double precision not null,
    owner_team text not null,
    kept_at timestamp not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists campaign_spend (
    channel text not null,
    month text not null,
    spend numeric(18, 2) not null,
    currency text,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

-- Every touch a lead had with a campaign (migration 0018); an import keys a touch by its
-- lead, campaign and moment.
create table if not exists touches (
    lead_id text not null,
    campaign_id text not null,
    touched_at timestamp not null,
    kind text not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists import_runs (
    import_id integer primary key,
    started_at timestamp not null,
    finished_at timestamp not null,
    actor text not null,
    file_name text not null,
    file_bytes bigint not null,
    table_name text not null,
    layout text not null,
    rows_in_file bigint not null,
    inserted bigint not null,
    updated bigint not null,
    unchanged bigint not null,
    new_people bigint not null,
    problems bigint not null,
    outcome text not null,
    message text,
    _seq bigint not null default current_setting('relay.seq')::bigint
);
create index if not exists import_runs_seq on import_runs (_seq);

create table if not exists import_mappings (
    name text primary key,
    table_name text not null,
    columns text not null,
    date_format text not null,
    saved_by text not null,
    saved_at timestamp not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists import_row_changes (
    import_id integer not null,
    table_name text not null,
    row_key text not null,
    change text not null,
    columns text,
    _seq bigint not null default current_setting('relay.seq')::bigint
);
create index if not exists import_row_changes_seq on import_row_changes (_seq);

create table if not exists stage_mappings (
    stage text primary key,
    label text not null,
    status text not null,
    forecast_category text not null,
    _seq bigint not null default current_setting('relay.seq')::bigint
);

create table if not exists people_placeholders (
    person_id text primary key,
    _seq bigint not null default current_setting('relay.seq')::bigint
);
