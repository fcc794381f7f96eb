-- Whether a rep does not have touches recorded for their MQLs of [starts_on, ends_before)
-- (the untracked_owners macro, as on Speed to lead): then who of them is waiting can't be told.
select count(*) > 0 as untracked
from untracked_owners($starts_on, $ends_before)
where owner_id = $rep
