insert into plan_signoffs (quarter, side, signed_by, signed_at, revision)
values ($quarter, $side, $signed_by, $signed_at, $revision)
