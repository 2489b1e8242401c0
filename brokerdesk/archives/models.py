"""Archive register: the models live in one module per area and are gathered here."""

from brokerdesk.archives.models_register import *  # noqa: F401,F403
