"""The gettext catalogues: extract every string in the code and update each language's ``.po``.

    .venv/bin/python tools/messages.py           # update src/wijkradar/locale/*/wijkradar.po
    .venv/bin/python tools/messages.py --check   # exit 1 when a catalogue is out of date

Source strings are Dutch (``w._("steeg")``); ``nl`` keeps them as they are, every other
language needs a ``msgstr`` for each (``make messages`` lists the ones still missing). Keywords:
``_`` (message), ``n_`` (singular, plural), ``p_`` (context, message), ``N_`` and ``Nn_``
(mark only; translated later), and the first argument of every exception class of
``wijkradar/errors.py`` (``WijkradarError("geen gegevens voor {level}", level=level)``).

    .venv/bin/python tools/messages.py --translate en FILE.json   # set msgstrs from {msgid: str}
"""

from __future__ import annotations

import argparse
import copy
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "wijkradar"
LOCALE = PACKAGE / "locale"
DOMAIN = "wijkradar"
KEYWORDS = {"_": None, "n_": (1, 2), "p_": ((1, "c"), 2), "N_": None, "Nn_": (1, 2)}


def _error_classes() -> dict[str, None]:
    """Every exception class in ``wijkradar/errors.py``: their first argument is a message."""
    import ast

    tree = ast.parse((PACKAGE / "errors.py").read_text(encoding="utf-8"))
    return {n.name: None for n in tree.body if isinstance(n, ast.ClassDef)}


LANGS = {"nl": "nl_NL", "en": "en_GB"}


def extract() -> Catalog:
    """Every marked string under ``src/wijkradar`` (Python files), with where it occurs."""
    template = Catalog(domain=DOMAIN, project="wijkradar", fuzzy=False)
    found = extract_from_dir(
        PACKAGE,
        method_map=[("**.py", "python")],
        keywords={**KEYWORDS, **_error_classes()},
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        template.add(
            message,
            locations=[(f"src/wijkradar/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def _po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, no_location=True)
    # Stable files: drop the header lines that change on every run or name nobody.
    keep = (b'"POT-Creation-Date', b'"PO-Revision-Date', b'"Last-Translator', b'"Report-Msgid')
    return b"".join(line for line in buf.getvalue().splitlines(True) if not line.startswith(keep))


def updated(lang: str, template: Catalog) -> tuple[bytes, list[str]]:
    """The new ``.po`` text of ``lang`` and the messages still without a translation."""
    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        with path.open("rb") as fp:
            catalog = read_po(fp, locale=LANGS[lang], domain=DOMAIN)
    else:
        catalog = Catalog(locale=LANGS[lang], domain=DOMAIN, project="wijkradar")
    catalog.update(copy.deepcopy(template), no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    catalog.header_comment = f"# wijkradar: {lang} messages (tools/messages.py keeps them in step)."
    missing = []
    for msg in catalog:
        if not msg.id:
            continue
        if lang == "nl" and not _complete(msg.string):
            msg.string = msg.id  # Dutch is the source language
        if msg.fuzzy or not _complete(msg.string):
            missing.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return _po_bytes(catalog), missing


def _complete(string: str | tuple | list) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


def translate(lang: str, json_path: str) -> None:
    """Set ``msgstr`` of ``lang`` from a JSON object ``{msgid: text}`` (plural: ``[one, many]``;
    a message with a context: key ``"context\x04msgid"``)."""
    import json

    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=LANGS[lang], domain=DOMAIN)
    for key, text in json.loads(Path(json_path).read_text(encoding="utf-8")).items():
        context, _, msgid = key.rpartition("\x04")
        msg = next(
            (
                m
                for m in catalog
                if m.context == (context or None)
                and (m.id == msgid or (isinstance(m.id, tuple) and m.id[0] == msgid))
            ),
            None,
        )
        if msg is None:
            print(f"{lang}: {msgid!r} is not in the catalogue (run without --translate first)")
            continue
        msg.string = tuple(text) if isinstance(text, list) else text
    path.write_bytes(_po_bytes(catalog))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report; exit 1 when stale")
    ap.add_argument("--translate", nargs=2, metavar=("LANG", "JSON"), help="set translations")
    args = ap.parse_args(argv)
    if args.translate:
        translate(*args.translate)
    template = extract()
    stale = False
    for lang in LANGS:
        text, missing = updated(lang, template)
        path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        current = path.read_bytes() if path.exists() else b""
        if args.check:
            stale |= current != text or bool(missing)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text)
        for m in missing:
            print(f"{lang}: no translation for {m!r}")
        print(f"{lang}: {len(template)} messages, {len(missing)} without translation ({path})")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
