"""Sphinx extension: search that finds Chinese words, offline, without a dictionary.

Sphinx's Chinese search needs jieba (a 19 MB source package with no wheel) and, without it,
indexes Latin words only: a search for 梯度 finds nothing. Chinese has no spaces between
words, so this indexes every CJK run as its overlapping character pairs (the "bigram" method of
Lucene's CJKAnalyzer): 梯度消失 -> 梯度, 度消, 消失. The search box splits a query the same
way (the JavaScript below replaces Sphinx's splitQuery), and Sphinx keeps the pages that contain
every pair, so 梯度消失 finds the pages that say 梯度消失, and 梯度 finds every page with 梯度.
Latin words (LSTM, Dense, IC) are indexed as in English.
"""

from __future__ import annotations

import re

from sphinx import search
from sphinx.search.zh import SearchChinese

CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")


def cjk_terms(text: str) -> list[str]:
    """'梯度消失 and 门' -> ['梯度', '度消', '消失', '门']: each run's overlapping pairs."""
    terms = []
    for run in CJK_RUN.findall(text):
        terms += [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
    return terms


SPLIT_QUERY_JS = """
function splitQuery(query) {
  const cjk = /^[%(cjk)s]+$/u;
  const terms = [];
  for (const part of query.split(/[^\\p{Letter}\\p{Number}_]+/gu)) {
    for (const run of part.split(/([%(cjk)s]+)/u)) {
      if (!run) continue;
      if (!cjk.test(run)) { terms.push(run); continue; }
      if (run.length === 1) terms.push(run);
      for (let i = 0; i + 1 < run.length; i++) terms.push(run.slice(i, i + 2));
    }
  }
  return terms;
}
""" % {"cjk": CJK_CHARS}


class SearchChineseBigrams(SearchChinese):
    """Sphinx's Chinese search language, with character pairs instead of jieba's words."""

    js_splitter_code = SPLIT_QUERY_JS

    def init(self, options: dict) -> None:
        super().init({})   # only the English stemmer for the Latin words; no jieba dictionary
        # Sphinx keeps every Latin word ever split in a list and stem() searches it for every
        # word: quadratic, most of the Chinese build's writing time. A set answers at once.
        self.latin_terms = set()

    def split(self, input: str) -> list[str]:
        latin = [term.strip() for term in self.latin1_letters.findall(input)]
        self.latin_terms.update(latin)
        return cjk_terms(input) + latin

    def word_filter(self, stemmed_word: str) -> bool:
        return len(stemmed_word) > 1 or bool(CJK_RUN.fullmatch(stemmed_word))


def setup(app):
    search.languages["zh"] = SearchChineseBigrams
    return {"parallel_read_safe": True, "parallel_write_safe": True}
