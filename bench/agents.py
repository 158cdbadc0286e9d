"""Realistic, varied User-Agent strings for the load benchmarks, generated from tables.

Real traffic on a Japanese site is mostly iPhones, then Android phones, Windows and Mac
desktops, a few tablets, in-app browsers (LINE, Yahoo! JAPAN, Instagram, Facebook) and some
crawlers. :func:`generate` draws from those shares and from realistic version ranges and
formats, as the browsers send them today: Chrome's reduced UA on desktop and Android
(``Chrome/131.0.0.0``, ``Android 10; K``), full builds where they are still sent (Edge,
Chrome on iOS, Android WebView), iPadOS in desktop mode looking like a Mac, Safari 26 on a
frozen ``iPhone OS 18_6``. Every string is distinct; the same seed gives the same list.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

CHROME = range(118, 144)  # majors seen over the last ~18 months; newer ones weigh more
FIREFOX = [115, 128, *range(130, 147)]  # the two ESRs and the release train
SAFARI = ["16.6", "17.0", "17.4", "17.5", "17.6", "18.0", "18.1", "18.2", "18.3", "18.4"]
SAFARI += ["18.5", "18.6", "26.0", "26.1", "26.2"]
IOS = ["15_8_3", "16_6_1", "16_7_10", "17_0_3", "17_2_1", "17_4_1", "17_5_1", "17_6_1"]
IOS += ["18_0_1", "18_1_1", "18_2", "18_3_2", "18_4_1", "18_5", "18_6", "18_6_2"]
WINDOWS = ["Windows NT 10.0; Win64; x64"] * 8 + [
    "Windows NT 10.0; WOW64",
    "Windows NT 6.1; Win64; x64",
]
LINUX = ["X11; Linux x86_64", "X11; Ubuntu; Linux x86_64", "X11; CrOS x86_64 16093.68.0"]
PHONES = ["SO-51C", "SO-52D", "XQ-DQ44", "SH-51D", "SH-53D", "A302SH", "SC-51E", "SCG21",
          "SM-S921Q", "Pixel 7a", "Pixel 8", "Pixel 9 Pro", "SO-41B", "KYG02", "A201OP",
          "CPH2523", "23090RA98G", "moto g53j 5G", "SH-M26", "A401SO"]  # fmt: skip
TABLETS = ["SM-X710", "Lenovo TB-X606F", "Pixel Tablet", "d-51C", "23043RP34G", "SM-X210"]
IPHONES = ["iPhone14,7", "iPhone15,2", "iPhone15,4", "iPhone16,1", "iPhone17,3", "iPhone13,2"]
WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
BLINK = "AppleWebKit/537.36 (KHTML, like Gecko)"


def _recent(rng: random.Random, versions: range | list[int]) -> int:
    """A version, the newest ones most likely (browsers auto-update; a tail lags)."""
    items = list(versions)
    return rng.choices(items, weights=[1.3**i for i in range(len(items))])[0]


def _build(rng: random.Random, major: int, base: int, step: int) -> str:
    """A full Chromium-style build number ``major.0.build.patch`` near the real series."""
    return f"{major}.0.{base + (major - 120) * step + rng.randrange(4)}.{rng.randrange(1, 210)}"


def _ios(rng: random.Random) -> tuple[str, str]:
    """An iOS version as in the UA (``17_5_1``) and Safari's ``Version/``, kept consistent."""
    if rng.random() < 0.25:
        return "18_6", rng.choice(SAFARI[-3:])  # Safari 26 freezes the UA's OS at 18_6
    ios = rng.choice(IOS)
    return ios, ".".join(ios.split("_")[:2])


def _moz(platform: str, rest: str) -> str:
    return f"Mozilla/5.0 ({platform}) {rest}"


def _chrome(major: int | str, mobile: bool = False) -> str:
    """Blink's tail: ``AppleWebKit/537.36 … Chrome/<v> [Mobile ]Safari/537.36``."""
    version = f"{major}.0.0.0" if isinstance(major, int) else major
    return f"{BLINK} Chrome/{version} {'Mobile ' if mobile else ''}Safari/537.36"


def _iphone(ios: str) -> str:
    return f"iPhone; CPU iPhone OS {ios} like Mac OS X"


def _n(rng: random.Random, low: int, high: int) -> int:
    return rng.randrange(low, high)


def windows_chrome(rng: random.Random) -> str:
    return _moz(rng.choice(WINDOWS), _chrome(_recent(rng, CHROME)))


def windows_edge(rng: random.Random) -> str:
    major = _recent(rng, CHROME)
    return _moz(rng.choice(WINDOWS), f"{_chrome(major)} Edg/{_build(rng, major, 2210, 62)}")


def firefox_desktop(rng: random.Random) -> str:
    v = _recent(rng, FIREFOX)
    platform = rng.choice(
        [*WINDOWS[:3], "Macintosh; Intel Mac OS X 10.15", "X11; Ubuntu; Linux x86_64"]
    )
    return _moz(f"{platform}; rv:{v}.0", f"Gecko/20100101 Firefox/{v}.0")


def mac_chrome(rng: random.Random) -> str:
    mac = rng.choice(["10_15_7"] * 9 + ["10_14_6"])
    return _moz(f"Macintosh; Intel Mac OS X {mac}", _chrome(_recent(rng, CHROME)))


def mac_safari(rng: random.Random) -> str:
    """Safari on a Mac, and on an iPad in its default desktop mode (the same string)."""
    mac = rng.choice(["10_15_7"] * 9 + ["10_15_6"])
    safari = f"{WEBKIT} Version/{rng.choice(SAFARI)} Safari/605.1.15"
    return _moz(f"Macintosh; Intel Mac OS X {mac}", safari)


def linux_chrome(rng: random.Random) -> str:
    return _moz(rng.choice(LINUX), _chrome(_recent(rng, CHROME)))


def iphone_safari(rng: random.Random) -> str:
    ios, safari = _ios(rng)
    return _moz(_iphone(ios), f"{WEBKIT} Version/{safari} Mobile/15E148 Safari/604.1")


def ipad_safari(rng: random.Random) -> str:
    """An iPad that asks for the mobile site (or an app's web view on iPadOS)."""
    ios, safari = _ios(rng)
    rest = f"{WEBKIT} Version/{safari} Mobile/15E148 Safari/604.1"
    return _moz(f"iPad; CPU OS {ios} like Mac OS X", rest)


def iphone_chrome(rng: random.Random) -> str:
    ios, _ = _ios(rng)
    chrome = _build(rng, _recent(rng, CHROME), 6099, 62)
    return _moz(_iphone(ios), f"{WEBKIT} CriOS/{chrome} Mobile/15E148 Safari/604.1")


def iphone_other(rng: random.Random) -> str:
    """Firefox or Edge on an iPhone."""
    ios, _ = _ios(rng)
    if rng.random() < 0.5:
        app = f"FxiOS/{_recent(rng, FIREFOX)}.{rng.randrange(3)}"
    else:
        app = f"EdgiOS/{_build(rng, _recent(rng, CHROME), 2210, 62)}"
    return _moz(_iphone(ios), f"{WEBKIT} {app} Mobile/15E148 Safari/605.1.15")


def iphone_in_app(rng: random.Random) -> str:
    """LINE, Yahoo! JAPAN, Instagram or Facebook's in-app browser on an iPhone."""
    ios, _ = _ios(rng)
    head = _moz(_iphone(ios), f"{WEBKIT} Mobile/15E148")
    kind = rng.randrange(4)
    if kind == 0:
        return f"{head} Safari Line/{_n(rng, 13, 16)}.{_n(rng, 0, 25)}.{_n(rng, 0, 3)}"
    if kind == 1:
        return f"{head} YJApp-IOS jp.co.yahoo.ipn.appli/4.{_n(rng, 40, 80)}.{_n(rng, 0, 3)}"
    device, ver = rng.choice(IPHONES), ios.replace("_", ".")
    build = _n(rng, 10**8, 10**9)
    if kind == 2:
        size = rng.choice(["1179x2556", "1170x2532", "1290x2796"])
        app = f"{_n(rng, 300, 380)}.0.0.{_n(rng, 10, 40)}.{_n(rng, 60, 120)}"
        return (
            f"{head} Instagram {app} ({device}; iOS {ios}; ja_JP; ja; scale=3.00; {size}; {build})"
        )
    app = f"{_n(rng, 440, 520)}.0.0.{_n(rng, 20, 60)}.{_n(rng, 0, 100)}"
    return (
        f"{head} [FBAN/FBIOS;FBAV/{app};FBBV/{build};FBDV/{device};FBMD/iPhone;FBSN/iOS;"
        f"FBSV/{ver};FBSS/3;FBID/phone;FBLC/ja_JP;FBOP/5]"
    )


def android_chrome(rng: random.Random) -> str:
    """Chrome on an Android phone: the reduced UA, or a full one from a lagging version."""
    if rng.random() < 0.85:
        return _moz("Linux; Android 10; K", _chrome(_recent(rng, CHROME), mobile=True))
    android, model = rng.choice(["11", "12", "13"]), rng.choice(PHONES)
    chrome = _build(rng, _n(rng, 100, 110), 6099, 62)
    return _moz(f"Linux; Android {android}; {model}", _chrome(chrome, mobile=True))


def android_tablet(rng: random.Random) -> str:
    """Chrome (reduced UA, no ``Mobile``) or Firefox on an Android tablet."""
    if rng.random() < 0.2:
        v = _recent(rng, FIREFOX)
        return _moz(f"Android {_n(rng, 12, 16)}; Tablet; rv:{v}.0", f"Gecko/{v}.0 Firefox/{v}.0")
    model = "K" if rng.random() < 0.7 else rng.choice(TABLETS)
    android = "10" if model == "K" else str(_n(rng, 12, 16))
    return _moz(f"Linux; Android {android}; {model}", _chrome(_recent(rng, CHROME)))


def android_samsung(rng: random.Random) -> str:
    model = "K" if rng.random() < 0.5 else rng.choice(["SM-S921Q", "SC-51E", "SCG21", "SM-A546E"])
    android = "10" if model == "K" else str(_n(rng, 13, 16))
    tail = _chrome(_n(rng, 111, 133), mobile=True).replace(
        " Chrome/", " SamsungBrowser/%d.0 Chrome/"
    )
    return _moz(f"Linux; Android {android}; {model}", tail % _n(rng, 22, 29))


def android_in_app(rng: random.Random) -> str:
    """An Android app's WebView (``; wv``), plain or LINE's or Yahoo! JAPAN's."""
    model, android = rng.choice(PHONES), _n(rng, 11, 16)
    build = f"{rng.choice('TUAB')}P1A.{_n(rng, 230000, 250000)}.{_n(rng, 1, 30):03d}"
    chrome = _build(rng, _recent(rng, CHROME), 6099, 62)
    tail = _chrome(chrome, mobile=True).replace(" Chrome/", " Version/4.0 Chrome/")
    head = _moz(f"Linux; Android {android}; {model} Build/{build}; wv", tail)
    kind = rng.randrange(3)
    if kind == 0:
        return f"{head} Line/{_n(rng, 13, 16)}.{_n(rng, 0, 25)}.{_n(rng, 0, 3)}/IAB"
    if kind == 1:
        return f"{head} YJApp-ANDROID jp.co.yahoo.android.yjtop/3.{_n(rng, 120, 200)}.0"
    return head


def crawler(rng: random.Random) -> str:
    """Search crawlers and command-line clients (a small share of real decisions)."""
    chrome = _build(rng, _recent(rng, CHROME), 6099, 62)
    return rng.choice(
        [
            f"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
            f"+http://www.google.com/bot.html) Chrome/{chrome} Safari/537.36",
            f"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) {BLINK} Chrome/{chrome} "
            "Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            f"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
            f"+http://www.bing.com/bingbot.htm) Chrome/{chrome} Safari/537.36",
            f"curl/{rng.choice(['7.81.0', '7.88.1', '8.5.0', '8.7.1', '8.11.1', '8.14.1'])}",
            f"python-requests/2.{rng.randrange(25, 33)}.{rng.randrange(4)}",
        ]
    )


#: (kind, share of traffic in %, generator)
MIX: list[tuple[str, float, Callable[[random.Random], str]]] = [
    ("iPhone Safari", 30, iphone_safari),
    ("iPhone Chrome", 4, iphone_chrome),
    ("iPhone Firefox/Edge", 1, iphone_other),
    ("iPhone in-app", 9, iphone_in_app),
    ("iPad (mobile mode)", 2, ipad_safari),
    ("Android Chrome", 17, android_chrome),
    ("Android Samsung Internet", 2, android_samsung),
    ("Android in-app", 5, android_in_app),
    ("Android tablet", 2, android_tablet),
    ("Windows Chrome", 12, windows_chrome),
    ("Windows Edge", 5, windows_edge),
    ("Firefox desktop", 2, firefox_desktop),
    ("Mac Chrome", 3, mac_chrome),
    ("Mac / iPadOS Safari", 4, mac_safari),
    ("Linux / ChromeOS Chrome", 1, linux_chrome),
    ("crawler / client", 1, crawler),
]


def _draw(rng: random.Random) -> str:
    maker = rng.choices([m for _, _, m in MIX], [w for _, w, _ in MIX])[0]
    return maker(rng)


def generate(count: int, seed: int = 14) -> list[str]:
    """Return ``count`` distinct user agents drawn from :data:`MIX` (same seed, same list)."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    for _ in range(count * 200):
        seen.setdefault(_draw(rng), None)
        if len(seen) == count:
            return list(seen)
    raise ValueError(f"the tables cannot give {count} distinct agents")


def traffic(count: int, seed: int = 14) -> list[str]:
    """Return ``count`` requests' agents as traffic has them: popular ones repeat.

    Picking uniformly from this list reproduces :data:`MIX`'s shares and versions' weights;
    the tail (in-app builds, full version numbers) is mostly unique, as in real logs.
    """
    rng = random.Random(seed)
    return [_draw(rng) for _ in range(count)]


def write_file(path: Path, agents: list[str]) -> Path:
    """Write ``agents`` to ``path``, one a line (for wrk's Lua scripts); return the path."""
    path.write_text("\n".join(agents) + "\n")
    return path


if __name__ == "__main__":
    for agent in generate(20):
        print(agent)
