-- Sign-offs of a quarter's joint plan, one row per signature; the latest per side counts,
-- and it is current only while no goal of the quarter changed after it.
create table plan_signoffs (
    quarter varchar not null,
    side varchar not null check (side in ('marketing', 'sales')),
    signed_by varchar not null,
    signed_at timestamp not null
);
