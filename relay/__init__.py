"""Revenue Relay: one shared revenue plan for marketing, sales and executives."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
