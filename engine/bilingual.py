"""A text in Chinese with its English beside it.

The engine and the declarations in `workflows/` speak Chinese: that is what is stored,
printed, e-mailed and returned by the API. A sentence that reaches a page (a guard's
reason, a refusal, a field error, a choice's label) is a `Bi`: a `str` whose value is the
Chinese, carrying `.en`. The web shows `.en` to a user who chose English and never has to
look a sentence up; everything else keeps using the Chinese string unchanged.

Composed texts keep both sides when they are built with `+`, `join()` or `Bi.format()`;
f-strings and `str.join` give Chinese only. A value that an English sentence quotes as it
is (a name, a user's words, an article of Chinese law) is wrapped in `embed()`, so a page
can show it as data rather than as an untranslated part of the sentence.
"""
from __future__ import annotations

from typing import Iterable


class Bi(str):
    """Chinese text (the string value) with its English counterpart in `.en`."""

    def __new__(cls, zh: str, en: str):
        obj = super().__new__(cls, zh)
        obj.en = en
        return obj

    def format(self, *args, **kwargs) -> "Bi":
        """Fill both sides; arguments that are themselves `Bi` give their own side
        (marshmallow formats its error messages this way)."""
        return Bi(str.format(str(self), *args, **kwargs),
                  self.en.format(*map(english, args),
                                 **{k: english(v) for k, v in kwargs.items()}))

    def __add__(self, other) -> "Bi":
        if not isinstance(other, str):
            return NotImplemented
        return Bi(str(self) + other, self.en + english(other))

    def __radd__(self, other) -> "Bi":
        if not isinstance(other, str):
            return NotImplemented
        return Bi(other + str(self), english(other) + self.en)

    # Immutable: copies (marshmallow deep-copies field metadata) are the object itself.
    def __copy__(self) -> "Bi":
        return self

    def __deepcopy__(self, memo) -> "Bi":
        return self

    def __reduce__(self):
        return (Bi, (str(self), self.en))


# Unicode's isolate marks (FSI … PDI): "this run is embedded text of its own".
EMBED_START, EMBED_END = "\u2068", "\u2069"


def embed(value) -> str:
    """A value quoted as it is inside an English sentence (see the module's docstring)."""
    return f"{EMBED_START}{value}{EMBED_END}"


def english(text) -> str:
    """The English side of a `Bi`; any other value as it is (a name, a number)."""
    return text.en if isinstance(text, Bi) else text


def join(items: Iterable, zh_sep: str = "；", en_sep: str = "; ") -> Bi:
    """Join texts, keeping the English side of each (plain strings appear on both)."""
    items = list(items)
    return Bi(zh_sep.join(map(str, items)), en_sep.join(str(english(i)) for i in items))


def labelled(decl, attr: str = "label") -> Bi:
    """A declaration's text with its English (`label` / `label_en`, `title` / `title_en`
    …); the Chinese stands in where no English is declared."""
    zh = getattr(decl, attr)
    return Bi(zh, getattr(decl, attr + "_en", "") or zh)
