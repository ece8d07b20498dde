"""Screenshot pages of a running kiosk at phone, tablet and desktop sizes, to look at them.

    .venv/bin/python scripts/screens.py http://127.0.0.1:5000/b/B07 [more URLs] --out screens/
"""
import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SIZES = {"phone": (390, 844), "tablet": (1024, 768), "desktop": (1440, 900)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--out", default="screens")
    parser.add_argument("--sizes", default="phone,tablet,desktop")
    parser.add_argument("--lang", default="zh-CN")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in args.sizes.split(","):
            width, height = SIZES[size]
            page = browser.new_page(viewport={"width": width, "height": height}, locale=args.lang)
            for url in args.urls:
                page.goto(url)
                name = re.sub(r"[^A-Za-z0-9]+", "_", url.split("//", 1)[-1].split("/", 1)[-1]).strip("_") or "home"
                path = out / f"{name}-{size}.png"
                page.screenshot(path=str(path), full_page=True)
                print(path)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
