"""QuickSelect writes the same <select> as Django's template-rendered one."""

import pytest
from django import forms
from django.test.html import parse_html

from brokerdesk.core.widgets import QuickSelect

CHOICES = [("", "---------"), (1, "a<b & c"), (2, "金融街一部"), ("组", [(3, "x"), (4, 'say "hi"')])]


class QuickSelectMultiple(QuickSelect):
    allow_multiple_selected = True


@pytest.mark.parametrize("value", [None, "", "2", 3, "99"])
def test_quick_select_matches_djangos_select(value):
    attrs = {"id": "id_team", "class": "wide", "required": True}
    ours = QuickSelect(choices=CHOICES, attrs=attrs).render("team", value)
    django = forms.Select(choices=CHOICES, attrs=attrs).render("team", value)
    assert parse_html(ours) == parse_html(django)


def test_quick_select_multiple_matches_djangos():
    ours = QuickSelectMultiple(choices=CHOICES).render("teams", ["1", "3"])
    assert parse_html(ours) == parse_html(forms.SelectMultiple(choices=CHOICES).render("teams", ["1", "3"]))
    assert "multiple" in ours
