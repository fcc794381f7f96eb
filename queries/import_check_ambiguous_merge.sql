-- A placeholder person (an owner an earlier import did not know) that more than one person
-- of this people file matches (import_merges), by name with no email to tell them apart.
insert into import_problems
select
    line,
    $column_name,
    raw_name,
    'one of ' || len(merges.candidates) || ' people in this file with the name of '
    || merges.placeholder_id || $way_out || merges.placeholder_id || $after
from import_typed
inner join import_merges as merges
    on list_contains(merges.candidates, import_typed.person_id)
where merges.matches > 1
