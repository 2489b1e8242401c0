"""People and archives: the models live in one module per area and are gathered here."""

from brokerdesk.people.models_archive import *  # noqa: F401,F403
from brokerdesk.people.models_recruitment import *  # noqa: F401,F403
from brokerdesk.people.models_training import *  # noqa: F401,F403
