"""Chinese is the default language and its catalogue is complete; English is the source."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_default_language_is_simplified_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_chinese_catalogue_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_placeholders_survive_translation():
    import re

    po = polib.pofile(str(PO))
    pattern = re.compile(r"%\(\w+\)s|%s")
    for entry in po.translated_entries():
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(translated)), entry.msgid


def test_translations_are_active_at_run_time():
    with translation.override("zh-hans"):
        assert translation.gettext("Staff") == "人员"
    with translation.override("en"):
        assert translation.gettext("Staff") == "Staff"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext not installed (CI installs it)")
def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path):
    """makemessages over the code finds no msgid that the committed catalogue lacks."""
    base = Path(settings.BASE_DIR)
    shutil.copytree(
        base / "brokerdesk", tmp_path / "brokerdesk", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": ""},
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    missing = sorted(e.msgid for e in fresh if e.msgid not in committed)
    assert missing == [], "run makemessages -l zh_Hans and translate these"
