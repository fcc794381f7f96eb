-- The placeholder merge moves the campaigns a placeholder owned (see import_merge_people). A
-- campaign is versioned: the move is a new version, so a form opened before the merge cannot
-- write the placeholder back.
update campaigns
set
    owner_id = merges.person_id,
    version = campaigns.version + 1,
    updated_by = $actor,
    updated_at = $at
from import_merges as merges
where campaigns.owner_id = merges.placeholder_id
