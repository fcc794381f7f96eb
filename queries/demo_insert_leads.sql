insert into leads
select
    'L' || lpad(lead_no::varchar, 8, '0') as lead_id,
    case when campaign_no > 0 then 'C' || lpad(campaign_no::varchar, 6, '0') end as campaign_id,
    source,
    region,
    segment,
    created_at,
    stage,
    mql_at,
    sal_at,
    sql_at,
    first_touch_at,
    owner_id,
    disqualify_reason,
    list_extract($first_names::varchar[], first_name_no) || ' ' || list_extract($last_names::varchar[], last_name_no) as name,
    list_extract($company_prefixes::varchar[], company_prefix_no) || ' '
        || list_extract($company_suffixes::varchar[], company_suffix_no) as company,
    list_extract($titles::varchar[], title_no) as title,
    lower(list_extract($first_names::varchar[], first_name_no) || '.'
        || replace(list_extract($last_names::varchar[], last_name_no), '''', '') || '@'
        || list_extract($company_prefixes::varchar[], company_prefix_no)
        || list_extract($company_suffixes::varchar[], company_suffix_no) || '.example') as email,
    -- 555-0100 to 555-0199 are reserved for fiction; the area code varies.
    '+1 ' || (200 + phone_no // 100)::varchar || ' 555 01' || lpad((phone_no % 100)::varchar, 2, '0')
        as phone
from demo_leads
order by lead_no
