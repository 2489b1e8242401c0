"""The archive register's rules as pure functions (第十八、二十一、二十二、二十五条): serial-number
prefixes per kind, how a typed serial number is read, which months may be filed into or
closed, and how a title search is split into words. No database, no request."""

import datetime as dt
import re
import unicodedata

# One prefix per kind of document, so numbers of different kinds never look alike; none of
# them is "QR", which the confirmation forms (clients) use.
PREFIXES: dict[str, str] = {
    "pay_report": "XC",  # 薪酬月报
    "business_report": "YB",  # 业务月报
    "statistics": "TJ",  # 统计报表
    "work_plan": "JH",  # 工作计划
    "approval": "SP",  # 报批、报备材料
    "confirmation_batch": "QD",  # 客户确认单（月度批次）
    "minutes": "JY",  # 会议纪要
    "contract": "HT",  # 合同、协议
    "other": "QT",  # 其他
}

COUNTER_KIND = "register.{kind}"  # the kind under which core.serials counts (≤ 30 characters)

# XC-BJ01-202611-0001: prefix, branch code, year and month, four (or more) digits.
FULL_SERIAL = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-\d{6}-\d{4,}$")
SERIAL_CHARS = re.compile(r"^[A-Z0-9-]+$")
MAX_WORDS = 5
MAX_QUERY = 60


def counter_kind(kind: str) -> str:
    return COUNTER_KIND.format(kind=kind)


def prefix_for(kind: str) -> str:
    return PREFIXES[kind]


def normalise_serial(text: str) -> str:
    """What someone typed as a serial number, as stored: full-width characters folded,
    spaces dropped, upper case, any dash-like character as "-"."""
    text = unicodedata.normalize("NFKC", text or "").strip().upper()
    for dash in ("—", "–", "－", "_", "/"):
        text = text.replace(dash, "-")
    return "".join(text.split())[:40]


def serial_lookup(text: str) -> tuple[str, str] | None:
    """("exact" | "prefix", serial) for a typed serial number, or None when it cannot be one."""
    serial = normalise_serial(text)
    if not serial or not SERIAL_CHARS.match(serial):
        return None
    return ("exact" if FULL_SERIAL.match(serial) else "prefix", serial)


KIND_OF_PREFIX = {prefix: kind for kind, prefix in PREFIXES.items()}


def kind_of_serial(serial: str) -> str | None:
    """The kind a (partial) serial number belongs to, read from its two-letter prefix: "JH-BJ01"
    is a work plan. None when the prefix is shorter or unknown."""
    return KIND_OF_PREFIX.get(serial[:2]) if len(serial) >= 2 else None


def title_key(title: str) -> str:
    """The title as searched: full-width characters folded (ＰＰＴ → PPT) and case folded, so a
    search matches whatever width and case either side was typed in."""
    return unicodedata.normalize("NFKC", title or "").casefold()[:400]


def title_words(text: str) -> list[str]:
    """The words of a title search, folded like ``title_key``: split on spaces (full-width
    too), at most five, each word once; a Chinese title has no spaces, so a phrase stays one
    word."""
    text = title_key(text)[:MAX_QUERY]
    words: list[str] = []
    for word in text.split():
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def may_file_into(month: dt.date, today: dt.date) -> bool:
    """Documents are filed into the current month or an earlier one (still open): never into
    a month that has not begun."""
    return month_of(month) <= month_of(today)


def may_close(month: dt.date, today: dt.date) -> bool:
    """A month's batch is closed (每月整理归档) once the month is over: its late documents
    (a month's pay report is signed early the next month) are filed first."""
    return month_of(month) < month_of(today)


def safe_source_link(ref: str) -> str:
    """The source reference as a link target when it is one (a path inside BrokerDesk or an
    http(s) address), else "" (shown as text): never a ``javascript:`` link."""
    ref = (ref or "").strip()
    if ref.startswith("/") and not ref.startswith("//"):
        return ref
    if re.match(r"^https?://[^\s]+$", ref, re.IGNORECASE):
        return ref
    return ""
