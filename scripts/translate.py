"""Fill in translations from the command line: `python scripts/translate.py uk "msgid" "msgstr" ...`.

For a handful of new strings; larger batches are easier in a .po editor.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"


def main(argv: list[str]) -> int:
    language, pairs = argv[0], argv[1:]
    if not pairs or len(pairs) % 2:
        print(__doc__)
        return 2
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    for msgid, msgstr in zip(pairs[::2], pairs[1::2], strict=True):
        message = catalog.get(msgid)
        if message is None:
            print(f"not in the catalogue: {msgid!r}")
            return 1
        message.string = msgstr
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=76, sort_output=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
