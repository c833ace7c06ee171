"""Finding the facility's acknowledgement in a publication's text (seed 000, 附件3).

A publication that used the facility thanks it in a given wording (CN or EN). The fixed parts of
each wording (the center's name, e.g. "生物物理研究所蛋白质科学研究平台生物成像中心" or "Center for
Biological Imaging ... Institute of Biophysics ... Chinese Academy of Sciences") are the required
phrases of an editable template; the text comes pasted or extracted from the paper's PDF. The
text is normalised (the CJK radicals PDF extraction produces, whitespace, words hyphenated at line
ends), split into sentences, and the first sentence that holds every required phrase of a template
(compared regardless of full-width or half-width forms, case and dashes) is the acknowledgement,
shown as written. Nothing here imports Odoo.
"""

import re
import unicodedata
from dataclasses import dataclass

# A character of the CJK scripts (ideographs, their punctuation and full-width forms).
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WORD_BROKEN_AT_LINE_END = re.compile(r"(\w)[-\u00ad\u2010]\s*\n\s*(\w)")
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[-\u2010-\u2015\u2212]")
# The Kangxi and supplementary radicals and the CJK compatibility ideographs PDF text extraction
# gives for common ideographs.
_RADICALS = re.compile(r"[\u2e80-\u2fdf\uf900-\ufaff]")
# CN sentences end at 。；！？ (full-width or not); EN ones at ; ! ? or at a full stop followed by
# a space and a capital, a digit, a CJK character or a bracket, or at the end.
_SENTENCE_END = re.compile(
    rf"(?<=[。;；!！?？])|(?<=\.)(?=\s+[A-Z0-9\[({_CJK}])|(?<=\.)(?=\s*$)|(?<=[{_CJK}]\.)"
)
# A full stop after these does not end a sentence ("Dr. Li", "Fig. 2", "et al. 2020").
_ABBREVIATIONS = frozenset(
    "dr mr mrs ms prof fig figs no nos vs etc al e.g i.e inst univ dept st ref refs eq ph".split()
)
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
# Characters stripped from the ends of a sentence.
_STRIP = " \t\n\"'“”‘’"


@dataclass(frozen=True)
class Template:
    """An acknowledgement wording: its ``key`` and the phrases that must all appear, each with
    its accepted alternatives (e.g. ``("center for biological imaging", "centre for ...")``)."""

    key: object
    phrases: tuple


@dataclass(frozen=True)
class Match:
    """The acknowledgement found: the sentence (normalised, as written) and the template."""

    sentence: str
    template_key: object


def parse_phrases(text):
    """The required phrases of a template written one per line, alternatives separated by
    ``|``: a tuple of tuples, blank lines and alternatives ignored."""
    phrases = []
    for line in (text or "").splitlines():
        alternatives = tuple(alt.strip() for alt in line.split("|") if alt.strip())
        if alternatives:
            phrases.append(alternatives)
    return tuple(phrases)


def normalise(text):
    """``text`` in one canonical form, as written otherwise: the CJK radicals and compatibility
    ideographs of PDF extraction made the usual characters (⼯ → 工), a word hyphenated at a line
    end joined, line breaks and runs of spaces made one space, no space next to a CJK
    character."""
    text = _RADICALS.sub(lambda found: unicodedata.normalize("NFKC", found.group()), text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _WORD_BROKEN_AT_LINE_END.sub(r"\1\2", text)
    text = _CJK_SPACE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def match_key(text):
    """The form in which phrases are compared: :func:`normalise`d, compatibility forms folded
    (full-width letters and punctuation), case folded, dashes as spaces (``HPC-Service``
    matches ``HPC Service``)."""
    text = normalise(unicodedata.normalize("NFKC", text or ""))
    text = _DASHES.sub(" ", text.casefold())
    return _SPACES.sub(" ", _CJK_SPACE.sub("", text)).strip()


def split_sentences(text):
    """The sentences of ``text`` (:func:`normalise`d): CN ones end at 。 or ；, EN ones at a
    full stop before a new sentence, or at a semicolon."""
    text = normalise(text)
    parts, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        cut = end.start()
        word = _WORD_BEFORE.search(text[start:cut])
        if word and text[cut - 1] == "." and word.group(1).casefold() in _ABBREVIATIONS:
            continue
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return [part.strip(_STRIP) for part in parts if part.strip(_STRIP)]


def template_matches(sentence, template):
    """Whether ``sentence`` holds every required phrase of ``template`` (any alternative)."""
    if not template.phrases:
        return False
    key = match_key(sentence)
    return all(any(match_key(alt) in key for alt in phrase) for phrase in template.phrases)


def find_acknowledgement(text, templates):
    """The first sentence of ``text`` that holds all the required phrases of one of
    ``templates`` (tried in order), as a :class:`Match`; ``None`` when there is none."""
    for sentence in split_sentences(text):
        for template in templates:
            if template_matches(sentence, template):
                return Match(sentence=sentence, template_key=template.key)
    return None
