"""Pure rules of the organisation: no database, no request."""

from itertools import product

from pypinyin import Style, pinyin

MAX_SYLLABLES_EXPANDED = 4  # 2**4 = 16 keys; longer names only get full and initials forms


def name_syllables(name: str) -> list[list[str]]:
    """Each character's readings (a surname may have several: 单 shan/dan, 曾 zeng/ceng)."""
    readings = pinyin(name.strip(), style=Style.NORMAL, heteronym=True, errors="ignore")
    out = []
    for i, options in enumerate(readings):
        options = [o.lower() for o in options if o.isalpha()]
        if not options:
            continue
        # Only the surname keeps alternative readings; given-name heteronyms add noise.
        out.append(options[:3] if i == 0 else options[:1])
    return out


def name_pinyin(name: str) -> str:
    return "".join(s[0] for s in name_syllables(name))


def pinyin_search_keys(name: str) -> str:
    """Search keys for pinyin lookup, space-separated, with a leading space.

    Every syllable may be typed in full or as its initial letter, so 张三 gets
    " zhangsan zhangs zsan zs"; a search for a prefix of any key (" zsa") finds the person.
    """
    syllables = name_syllables(name)
    keys: list[str] = []
    for readings in product(*syllables):
        if len(readings) <= MAX_SYLLABLES_EXPANDED:
            choices = [(r, r[0]) for r in readings]
            combos = ["".join(parts) for parts in product(*choices)]
        else:
            combos = ["".join(readings), "".join(r[0] for r in readings)]
        for combo in combos:
            if combo not in keys:
                keys.append(combo)
    return " " + " ".join(keys) if keys else ""
