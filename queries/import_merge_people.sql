-- A people import merges each placeholder it matched into the real person: every reference
-- to the placeholder follows (owners of deals and leads, managers, forecast submitters;
-- campaigns, which are versioned, in import_merge_campaigns first), a deal without its own
-- region or segment takes the real person's, and the placeholder goes. The people the file
-- names are no placeholders any more.
update deals
set
    owner_id = merges.person_id,
    region = coalesce(deals.region, person.region),
    segment = coalesce(deals.segment, person.segment)
from import_merges as merges
inner join people as person on person.person_id = merges.person_id
where deals.owner_id = merges.placeholder_id;

update leads set owner_id = merges.person_id
from import_merges as merges
where leads.owner_id = merges.placeholder_id;

update people set manager_id = merges.person_id
from import_merges as merges
where people.manager_id = merges.placeholder_id;

update forecast_submissions set person_id = merges.person_id
from import_merges as merges
where forecast_submissions.person_id = merges.placeholder_id;

delete from people where person_id in (select placeholder_id from import_merges);

delete from people_placeholders
where person_id in (select placeholder_id from import_merges)
    or person_id in (select person_id from import_people_in_file);
