"""Flags of the personnel archive for other areas' templates: a client manager on duty
without a valid practitioner registration or without a valid contract (第十九条), shown
wherever they are listed or assigned to sell or serve.

``{% archive_flags page as flags %}`` then ``{% include "people/_flags.html" with f=flags|get_item:s.pk %}``
(two queries for the whole page); ``{% archive_flag staff as f %}`` for one person;
``{% archive_flagged people as rows %}`` gives ``[(person, flags)]`` of the flagged only.
"""

from django import template

from brokerdesk.people.selectors_archive import flags_for

register = template.Library()


@register.simple_tag
def archive_flags(people) -> dict:
    return flags_for(list(people)) if people is not None else {}


@register.simple_tag
def archive_flag(person) -> dict | None:
    if person is None:
        return None
    return flags_for([person]).get(person.pk)


@register.simple_tag
def archive_flagged(people) -> list:
    people = list(people) if people is not None else []
    flags = flags_for(people)
    return [(p, flags[p.pk]) for p in people if p.pk in flags]


@register.simple_tag
def archive_file_visible(user, person) -> bool:
    """Whether ``user`` may open ``person``'s personnel file (for a link to it)."""
    from brokerdesk.access.scope import visible
    from brokerdesk.people.models_archive import PersonnelFile

    return visible(user, PersonnelFile.objects.filter(pk=person.pk)).exists()
