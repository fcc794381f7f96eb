"""Campaign influence: the attribution models that share a deal's amount among the campaigns
that touched its lead. The credits themselves are the deal_credits summary (migration 0018,
docs/design.md "Campaign influence"); this names the models and reads what they give."""

from __future__ import annotations

# model: what a reader calls it. The keys are deal_credits' columns.
MODELS = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "linear": "Linear",
    "u_shaped": "U-shaped (40/20/40)",
    "w_shaped": "W-shaped (30/30/30 + 10)",
    "time_decay": "Time decay",
}
DEFAULT_MODEL = "first_touch"  # what the campaign page measured before there were touches
DEFAULT_HALF_LIFE_DAYS = 7
# The credit of a deal whose lead had no campaign touch before it (or that has no lead).
NO_TOUCH = "No campaign touch"


def model_name(text: str) -> str:
    """The model a text names (its key or its label, any case); ValueError otherwise."""
    wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
    for key, label in MODELS.items():
        if wanted in (key, label.lower().replace("-", "_").replace(" ", "_")):
            return key
    raise ValueError(f"{text!r} is not an attribution model (models: {', '.join(MODELS)})")


def label(model: str, half_life_days: float | None = None) -> str:
    if model == "time_decay" and half_life_days is not None:
        return f"{MODELS[model]} (half-life {half_life_days:g} days)"
    return MODELS[model]
