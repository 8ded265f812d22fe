#!/usr/bin/env python3
"""List lexicon cues whose stem is also the stem of a commoner word (or,
for Chinese, that sit inside a common word of another meaning).

wiredesk folds (lowercase, no diacritics) and stems every word before it
looks a cue up, so a cue fires on every word with its stem: French
`environnement` on `environ` (about), Russian `сво` on `свой` (one's own),
Arabic `سنة` (Sunni) on `سنة` (year). This script finds such cues for a
person to judge: for each one-word cue of en, fr, es, de, ru and ar, the
words among the language's most frequent that share its stem and are
clearly commoner than the cue itself (word frequencies from the `wordfreq`
package: `pip install wordfreq snowballstemmer`). Inflections of the cue
share its stem too and are fine; the list is for reading, not a test.
Chinese cues match as substrings, so for zh it lists the frequent words
that contain a cue (主教, bishop, in 主教练, head coach; needs `jieba`
too).

    python3 scripts/topics/stem_collisions.py [--top 40000] [--margin 0.7] [LANG...]
"""

import argparse
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_lexicon  # noqa: E402  (its folding and stemmers, mirrors of the Rust ones)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LEXICONS = os.path.join(ROOT, "config", "topics", "lexicon")
fold = check_lexicon.strip_marks


def stemmer_for(lang):
    """Stems a word as the Rust tokenizer does: folded, then Snowball (or
    the Arabic light stemmer, which strips the clitics itself)."""
    if lang == "ar":
        return lambda w: check_lexicon.arabic_light_stem(fold(w))
    stemmer = check_lexicon.load_stemmers(True).get(lang)
    if stemmer is None:
        sys.exit("stem_collisions.py needs snowballstemmer: pip install wordfreq snowballstemmer")
    return lambda w: stemmer.stemWord(fold(w))


def cues(lang):
    """(term, topic, weight, file) of the one-word cues of a language."""
    out = []
    for name in (f"{lang}.tsv", "iptc-generated.tsv"):
        # check_lexicon.py reports malformed files; here they are only read.
        path = os.path.join(LEXICONS, name)
        for _, (l, topic, weight, term) in check_lexicon.read_tsv(
                path, check_lexicon.Problems(), check_lexicon.HEADER):
            bare = term.strip("*")
            if l == lang and " " not in bare and "-" not in bare:
                out.append((bare, topic, weight, name))
    return out


def containing(top, margin):
    """Chinese cues inside frequent words that are not the cue, and about
    as common as it or commoner."""
    import wordfreq
    words = [(w, wordfreq.zipf_frequency(w, "zh")) for w in wordfreq.top_n_list("zh", top)]
    found = []
    for term, topic, weight, name in cues("zh"):
        own = wordfreq.zipf_frequency(term, "zh")
        hosts = sorted(((z, w) for w, z in words if term in w and w != term and z >= own - margin),
                       reverse=True)
        if hosts:
            found.append((hosts[0][0] - own, term, topic[7:9], weight, name, own, hosts[:5]))
    print(f"== zh: {len(found)} cues sit inside a word about as common or commoner")
    for gap, term, topic, weight, name, own, hosts in sorted(found, reverse=True):
        print(f"  {term} ({topic}, {weight}, {name}, zipf {own:.1f}): "
              + ", ".join(f"{w} {z:.1f}" for z, w in hosts))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("langs", nargs="*", default=["en", "fr", "es", "de", "ru", "ar", "zh"])
    ap.add_argument("--top", type=int, default=40000, help="frequent words to compare with")
    ap.add_argument("--margin", type=float, default=0.7,
                    help="how much commoner (Zipf units) another word must be to be listed")
    args = ap.parse_args()
    import wordfreq
    for lang in args.langs:
        if lang == "zh":
            containing(args.top, args.margin)
            continue
        stem = stemmer_for(lang)
        by_stem = defaultdict(list)
        for word in wordfreq.top_n_list(lang, args.top):
            by_stem[stem(word)].append(word)
        found = []
        for term, topic, weight, name in cues(lang):
            own = wordfreq.zipf_frequency(term, lang)
            folded = fold(term)
            others = [(wordfreq.zipf_frequency(w, lang), w) for w in by_stem.get(stem(term), [])
                      if fold(w) != folded]
            commoner = sorted(((z, w) for z, w in others if z >= own + args.margin), reverse=True)
            if commoner:
                found.append((commoner[0][0] - own, term, topic[7:9], weight, name, own, commoner[:4]))
        print(f"== {lang}: {len(found)} cues share a stem with a commoner word")
        for gap, term, topic, weight, name, own, commoner in sorted(found, reverse=True):
            words = ", ".join(f"{w} {z:.1f}" for z, w in commoner)
            print(f"  {term} ({topic}, {weight}, {name}, zipf {own:.1f}): {words}")


if __name__ == "__main__":
    main()
