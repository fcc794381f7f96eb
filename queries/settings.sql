select
    key,
    value
from settings
