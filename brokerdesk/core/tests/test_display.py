import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def render(text, **ctx):
    return Template("{% load bd %}" + text).render(Context(ctx))


def test_month_and_date_in_chinese_and_english():
    day = dt.date(2026, 11, 29)
    with translation.override("zh-hans"):
        assert render("{{ d|yearmonth }}", d=day) == "2026年11月"
        assert render("{{ d|cndate }}", d=day) == "2026年11月29日"
    with translation.override("en"):
        assert render("{{ d|yearmonth }}", d=day) == "2026-11"
        assert render("{{ d|cndate }}", d=day) == "2026-11-29"


def test_amount_filter():
    assert render("{{ v|rmb }}", v=Decimal("1234.565")) == "¥1,234.57"
