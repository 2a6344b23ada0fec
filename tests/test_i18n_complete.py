"""Every UI string goes through i18n, and the English catalogue is complete, clean and compiled.

Simplified Chinese is the source language (msgids are Chinese), English the one translation.  These
tests fail when

- a template shows Chinese text or full-width punctuation outside ``{% translate %}`` /
  ``{% blocktranslate %}`` (or a comment), except for the few glyphs in ``TEMPLATE_ALLOWLIST``;
- a string marked for translation in a template or in Python code has no English translation in
  ``locale/en/LC_MESSAGES/django.po`` (someone added a string and did not run ``makemessages``);
- an English entry is empty or fuzzy, or its msgstr holds Chinese characters or full-width
  punctuation (，。：；（） …);
- the compiled ``django.mo`` does not hold exactly the translations of the ``.po`` (not recompiled).

Fix: ``cd src/yiwang && uv run python ../../manage.py makemessages -l en --no-obsolete``, translate the
new entries, then ``uv run python ../../manage.py compilemessages`` and commit both files.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yiwang

SRC = Path(yiwang.__file__).resolve().parent
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# CJK punctuation, ideographs, compatibility ideographs and full-width forms (，：；（）！？ …).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")

# (template path relative to src/yiwang, text): glyphs that stay Chinese in every language.
TEMPLATE_ALLOWLIST = {
    ("templates/base.html", "政"),  # the portal's logo mark (aria-hidden)
    ("workbench/templates/workbench/base.html", "办"),  # the workbench's logo mark (aria-hidden)
}

# Chinese literals in view modules that are data, not UI text: search terms and label keywords that
# match Chinese item data (file relative to src/yiwang, literal).
VIEW_DATA_ALLOWLIST = {
    *(
        ("portal/views/catalog.py", word)
        for word in ("营业执照", "身份证", "社保卡", "公积金", "食品经营许可", "低保")
    ),
    *(("portal/forms.py", word) for word in ("地址", "住所", "住址", "所在地", "坐落", "场所")),
    ("workbench/synonym_views.py", "、"),  # the edit form's value, split again on save
    # 共享数据信息项: the separators an official may type between field names, and the one shown
    ("workbench/catalog_edit_views.py", r"[\s,，、;；]+"),
    ("workbench/catalog_edit_views.py", "、"),
}

# makemessages' keywords for Python (xgettext's defaults plus Django's): name -> (context index or
# None, msgid index, plural index or None).  Other aliases (``gettext_lazy as _l``) are not extracted.
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


# --- the catalogue ------------------------------------------------------------------------------
@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str) -> str:
    value = ast.literal_eval(text.strip())
    assert isinstance(value, str), text
    return value


@cache
def parse_po(path: Path = PO) -> tuple[Entry, ...]:
    """The active entries of a .po file (header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()

    def finish() -> None:
        nonlocal current
        if current is not None and current.msgid:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
                flags = set()
            continue
        if line.startswith("#,"):
            finish()
            flags = {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
            continue
        if (
            keyword in ("msgctxt", "msgid")
            and current is not None
            and (current.msgstr or keyword == "msgctxt")
        ):
            finish()
        if current is None:
            current = Entry(flags=flags, line=number)
            flags = set()
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            current.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, _unquote(rest))
            target = (keyword, 0)
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    finish()
    return tuple(entries)


@cache
def catalogue() -> dict[tuple[str | None, str], Entry]:
    return {(entry.msgctxt, entry.msgid): entry for entry in parse_po()}


def _translated(entry: Entry) -> bool:
    return "fuzzy" not in entry.flags and bool(entry.msgstr) and all(entry.msgstr.values())


# --- what the sources mark for translation --------------------------------------------------------
@dataclass(frozen=True)
class Marked:
    msgctxt: str | None
    msgid: str
    where: str


def template_files() -> list[Path]:
    return sorted(path for path in SRC.rglob("*.html") if "templates" in path.relative_to(SRC).parts)


_LITERAL = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL = re.compile(rf"\b(gettext|ngettext|pgettext|npgettext)\(((?:\s*{_LITERAL}\s*,?)+)")


def _calls(code: str, where: str) -> list[Marked]:
    """The gettext/pgettext/ngettext calls templatize writes for the template's translation tags."""
    found: list[Marked] = []
    for match in _TEMPLATE_CALL.finditer(code):
        args = [_unquote(literal) for literal in re.findall(_LITERAL, match.group(2))]
        ctx_index, id_index, _plural = KEYWORDS[match.group(1)]
        ctx = args[ctx_index] if ctx_index is not None else None
        line = code.count("\n", 0, match.start()) + 1
        found.append(Marked(ctx, args[id_index], f"{where}:{line}"))
    return found


def template_msgids(path: Path) -> list[Marked]:
    from django.utils.translation.template import templatize

    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    return _calls(code, str(path.relative_to(SRC)))


def python_files() -> list[Path]:
    skip = {"tests", "migrations"}
    return sorted(
        path
        for path in SRC.rglob("*.py")
        if not skip & set(path.relative_to(SRC).parts) and not path.name.startswith("test_")
    )


def python_msgids(path: Path) -> list[Marked]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Marked] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in KEYWORDS:
            continue
        ctx_index, id_index, _plural = KEYWORDS[name]
        args = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args
        ]
        if len(args) <= id_index or args[id_index] is None:
            continue
        ctx = args[ctx_index] if ctx_index is not None else None
        found.append(Marked(ctx, str(args[id_index]), f"{path.relative_to(SRC)}:{node.lineno}"))
    return found


def view_files() -> list[Path]:
    """The modules that build pages: what they show must go through gettext."""
    patterns = ("portal/views/*.py", "web/ui.py", "portal/forms.py", "workbench/*.py", "*/views.py")
    return sorted({path for pattern in patterns for path in SRC.glob(pattern) if path.name != "apps.py"})


def untranslated_view_literals(path: Path) -> list[str]:
    """Chinese string literals outside gettext calls (docstrings and f-string parts aside)."""
    rel = str(path.relative_to(SRC))
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    marked: set[int] = set()
    for node in ast.walk(tree):
        name = ""
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name in KEYWORDS or isinstance(node, ast.JoinedStr):
            marked.update(id(inner) for inner in ast.walk(node))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            marked.add(id(node.value))  # docstrings
    return [
        f"{rel}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CJK.search(node.value)
        and id(node) not in marked
        and (rel, node.value) not in VIEW_DATA_ALLOWLIST
    ]


# --- template text outside translation tags ---------------------------------------------------------
def untranslated_template_text(path: Path) -> list[str]:
    """Chinese text or full-width punctuation the template shows without a translation tag."""
    from django.template.base import Lexer, TokenType

    rel = str(path.relative_to(SRC))
    problems: list[str] = []
    in_blocktranslate = in_comment = in_verbatim = False
    for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
        words = token.contents.split()
        first = words[0] if words else ""
        if token.token_type == TokenType.BLOCK:
            if first in ("blocktranslate", "blocktrans"):
                in_blocktranslate = True
            elif first in ("endblocktranslate", "endblocktrans"):
                in_blocktranslate = False
            elif first == "comment":
                in_comment = True
            elif first == "endcomment":
                in_comment = False
            elif first.startswith("verbatim"):
                in_verbatim = True
            elif first.startswith("endverbatim"):
                in_verbatim = False
        if in_comment or token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.TEXT:
            if in_blocktranslate:
                continue
            for offset, line in enumerate(token.contents.splitlines()):
                for match in re.finditer(rf"{CJK.pattern}+", line):
                    if (rel, match.group()) not in TEMPLATE_ALLOWLIST:
                        problems.append(
                            f"{rel}:{token.lineno + offset}: {match.group()!r} in {line.strip()[:80]!r}"
                        )
        elif token.token_type in (TokenType.VAR, TokenType.BLOCK) and not in_verbatim:
            if first in ("translate", "trans", "blocktranslate", "blocktrans"):
                continue
            # _("…") inside a tag or variable is translated; any other Chinese literal is not.
            outside = re.sub(r"""_\((["']).*?\1\)""", "", token.contents)
            if CJK.search(outside):
                problems.append(f"{rel}:{token.lineno}: {token.contents[:80]!r}")
    return problems


# --- the tests --------------------------------------------------------------------------------------
def test_templates_show_no_text_outside_translation_tags() -> None:
    problems = [problem for path in template_files() for problem in untranslated_template_text(path)]
    assert not problems, "wrap in {% translate %} / {% blocktranslate %}:\n" + "\n".join(problems)


def test_views_show_no_chinese_outside_gettext() -> None:
    """UI strings in view modules are marked: gettext(), or gettext_noop() in tables translated later."""
    problems = [problem for path in view_files() for problem in untranslated_view_literals(path)]
    assert not problems, "wrap in gettext (or gettext_noop and gettext at use):\n" + "\n".join(problems)


def test_template_allowlist_is_still_needed() -> None:
    """Each allowlisted glyph is still in its template (a stale entry would hide a new one)."""
    for rel, text in TEMPLATE_ALLOWLIST:
        assert text in (SRC / rel).read_text(encoding="utf-8"), (rel, text)


def test_every_marked_template_string_has_an_english_translation() -> None:
    entries = catalogue()
    missing = sorted(
        {
            f"{marked.where}: {marked.msgid!r}"
            for path in template_files()
            for marked in template_msgids(path)
            if (marked.msgctxt, marked.msgid) not in entries
            or not _translated(entries[(marked.msgctxt, marked.msgid)])
        }
    )
    assert not missing, "not in the English catalogue (run makemessages, translate):\n" + "\n".join(missing)


def test_every_marked_python_string_has_an_english_translation() -> None:
    entries = catalogue()
    missing = sorted(
        {
            f"{marked.where}: {marked.msgid!r}"
            for path in python_files()
            for marked in python_msgids(path)
            if (marked.msgctxt, marked.msgid) not in entries
            or not _translated(entries[(marked.msgctxt, marked.msgid)])
        }
    )
    assert not missing, "not in the English catalogue (run makemessages, translate):\n" + "\n".join(missing)


def test_english_catalogue_is_complete_and_in_english() -> None:
    entries = parse_po()
    assert len(entries) > 1000, "the catalogue looks truncated"
    untranslated = [f"{PO.name}:{e.line}: {e.msgid!r}" for e in entries if not _translated(e)]
    assert not untranslated, "empty or fuzzy English msgstr:\n" + "\n".join(untranslated)
    chinese = [
        f"{PO.name}:{e.line}: {text!r}" for e in entries for text in e.msgstr.values() if CJK.search(text)
    ]
    assert not chinese, "Chinese characters or full-width punctuation in English text:\n" + "\n".join(chinese)


def test_compiled_catalogue_matches_the_po() -> None:
    with MO.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
    compiled.pop("", None)
    expected: dict[object, str] = {}
    for entry in parse_po():
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, n): text for n, text in entry.msgstr.items()})
    stale = sorted(str(k) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k))
    assert not stale, "django.mo is out of date (run compilemessages):\n" + "\n".join(stale[:50])


def test_po_passes_msgfmt_check() -> None:
    """Format strings (%(n)s) agree between msgid and msgstr; skipped without GNU gettext."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        import pytest

        pytest.skip("msgfmt is not installed (apt-get install gettext)")
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
