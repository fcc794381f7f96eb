select
    coalesce(max(revision), 0) as revision
from plan_revisions
where quarter = $quarter
