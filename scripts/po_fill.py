"""Fill English msgstrs from a Python dict file: `python scripts/po_fill.py translations.py`.

The dict file defines EN = {msgid: translation}. Existing translations are kept unless given again.
"""
import runpy
import sys

from babel.messages.pofile import read_po, write_po

PO = "kiosk/translations/en/LC_MESSAGES/messages.po"


def main(path):
    table = runpy.run_path(path)["EN"]
    with open(PO, "rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id and message.id in table:
            message.string = table[message.id]
            message.flags.discard("fuzzy")
    with open(PO, "wb") as f:
        write_po(f, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(missing)} untranslated", *missing[:20], sep="\n  ")


if __name__ == "__main__":
    main(sys.argv[1])
