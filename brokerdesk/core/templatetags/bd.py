"""Display helpers: amounts and months as a Chinese user expects them."""

import datetime as dt

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from brokerdesk.core.money import format_rmb

register = template.Library()


@register.filter
def rmb(value):
    return format_rmb(value)


@register.filter
def yearmonth(value: dt.date | None) -> str:
    """2026年11月 in Chinese, 2026-11 otherwise."""
    if not value:
        return ""
    if (get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月"
    return f"{value.year}-{value.month:02d}"


@register.filter
def cndate(value: dt.date | None) -> str:
    """2026年11月29日 in Chinese, 2026-11-29 otherwise."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value)
        if (get_language() or "").startswith("zh"):
            return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
        return f"{value:%Y-%m-%d %H:%M}"
    if (get_language() or "").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


@register.filter
def yesno_cn(value) -> str:
    return _("Yes") if value else _("No")


@register.filter
def get_item(mapping, key):
    """``{{ row.metrics|get_item:m }}``: look a key up in a dict."""
    return mapping.get(key) if mapping else None
