"""Office assets: the models live in one module per area and are gathered here."""

from brokerdesk.assets.models_assets import *  # noqa: F401,F403
from brokerdesk.assets.models_handover import *  # noqa: F401,F403
