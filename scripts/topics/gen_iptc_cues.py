#!/usr/bin/env python3
"""Generate topic cues from the IPTC Media Topics vocabulary.

Reads the IPTC Media Topics TSV written by fetch_iptc_vocab.py (qcode, level,
broader, retired, label_en, label_en_us, label_fr, label_ar, label_de,
label_es, label_zh, definition_en) and writes config/topics/lexicon/iptc-generated.tsv with columns
`lang	topic	weight	term`.

Every non-retired concept's label in each of these six languages becomes a cue
for its top-level ancestor (found by walking `broader`). Why: the ~1,100 live
concepts name the things stories are about (cricket, inflation, earthquake) in
six of our seven languages (IPTC has no Russian labels), which is a large,
vetted cue list we do not have to write by hand. The curated lexicons
(ar/en/fr/es/ru/zh/de.tsv) add the wire-copy words that IPTC labels do not
contain (ceasefire, striker, Bundestag ...).

Rules (kept deterministic so the output only changes when the vocab does):
  * weight by depth: level 1 -> 2.0, level 2 -> 1.5, deeper -> 1.0; a term
    reached from several concepts of one topic keeps its highest weight;
  * labels are split into their parts on commas, "and"/"or" ("et"/"ou",
    "und"/"oder"/"sowie", "y"/"e"/"o"/"u"), "/", the Arabic list comma and
    conjunction "و", and the Chinese list comma and 和/与/及/或 (not inside
    和平 peace, 维和 peacekeeping, 共和 republic), so "economy, business and
    finance" gives "economy", "business", "finance"; a German part left
    dangling by an elided compound ("Bau- und Immobilienwirtschaft") is
    dropped; a Chinese part needs two characters, since it is matched as a
    substring;
  * parenthetical qualifiers such as "(court)" or "(rodéo)" are dropped: they
    disambiguate the label inside IPTC, they are not what copy says;
  * parts that are generic words ("other", "general", "affairs"...) are dropped;
  * Latin text is lowercased; Arabic loses tashkeel, tatweel and the article
    "ال" (the matcher strips it from the text too);
  * a term that points to N > 1 top-level topics is kept for each with its
    weight divided by N ("halved" for the usual two).

Usage: fetch_iptc_vocab.py VOCAB_TSV; gen_iptc_cues.py VOCAB_TSV [OUT_TSV]
"""

import csv
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "config" / "topics" / "lexicon" / "iptc-generated.tsv"

LANGS = ("en", "fr", "ar", "de", "es", "zh")
LEVEL_WEIGHT = {1: 2.0, 2: 1.5}
DEEP_WEIGHT = 1.0

# Parts that carry no topic on their own once a label is split.
STOP_PARTS = {
    "en": {
        "a", "an", "the", "of", "in", "on", "for", "to", "and", "or", "with",
        "other", "others", "general", "generic", "misc", "miscellaneous",
        "news", "issue", "issues", "affairs", "matters", "matter", "aspects",
        "people", "activities", "activity", "thing", "things", "type", "types",
        "related", "various", "etc",
        # generic once split off their label ("online and remote learning",
        # "diseases and conditions", "market and exchange", ...)
        "online", "conditions", "exchange", "record", "values", "ownership",
        "holiday", "product", "products", "service", "services",
        # stems shared with commoner words (scripts/topics/stem_collisions.py)
        "accountancy", "boxing", "canonization", "collecting", "computing", "cooling", "housing", "importing", "influencers", "kiting", "motorcycling", "mountaineering", "orienteering", "parenting", "parks", "privatization", "publishing", "rowing", "unions", "volunteering",
    },
    "fr": {
        "le", "la", "les", "l", "un", "une", "de", "des", "du", "d", "et", "ou",
        "à", "au", "aux", "en", "pour", "avec",
        "autre", "autres", "général", "générale", "généralités", "divers",
        "diverses", "question", "questions", "affaires", "sujets", "activités",
        "gens", "produits", "produit", "services",
        # generic or misleading once split off ("Social" is IPTC's French
        # label for labour, but the word fires on "réseaux sociaux" etc.)
        "social", "record", "valeurs", "discipline", "transfert", "standards",
        # stems shared with commoner words (scripts/topics/stem_collisions.py)
        "animisme", "assurances", "croquet", "culturisme", "parlement", "peines", "voile", "voyagiste",
    },
    "de": {
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "und", "oder",
        "von", "im", "in", "für", "mit", "andere", "sonstige", "sonstiges",
        "allgemein", "allgemeines", "fragen", "angelegenheiten", "themen",
        "aktivitäten", "leute", "menschen", "dienstleistungen", "produkte",
        "online", "rekord", "werte",
        # stems shared with commoner words (scripts/topics/stem_collisions.py)
        "kiten",
    },
    "es": {
        "el", "la", "los", "las", "lo", "un", "una", "de", "del", "al", "a",
        "en", "y", "e", "o", "u", "para", "con", "por", "otro", "otra", "otros",
        "otras", "general", "generales", "asuntos", "cuestiones", "temas",
        "actividades", "gente", "personas", "servicios", "productos", "récord",
        "valores", "en línea",
        # stems shared with commoner words (scripts/topics/stem_collisions.py)
        "accionista", "animismo", "billar", "bolos", "clavado", "coleccionismo", "corán", "culturismo", "desarme", "gobernanza", "importaciones", "luge", "penas", "productividad", "protestante", "pulsear", "sambo", "seguros", "sida", "tora",
    },
    "zh": {"其他", "一般", "事务", "问题", "活动", "服务", "产品"},
    "ar": {
        "في", "من", "على", "الى", "إلى", "عن", "مع",
        "اخرى", "أخرى", "آخر", "اخر", "عام", "عامة", "شؤون", "قضايا", "قضية",
        "مسائل", "امور", "أمور", "متنوعة", "مختلفة",
        "خدمات", "خدمة", "انتاج", "صغيرة", "رياضية", "مدن", "منتجات",
        "ظروف", "قيم", "فحص", "حفظ", "مبادلة", "معايير", "انتقال", "اعياد",
        # stems shared with commoner words (scripts/topics/stem_collisions.py)
        "أضحى", "إلحاد", "ادمان", "البسة", "باليه", "تعرفة", "عاب", "قرآن", "كباريه", "محيطات", "واقعي",
    },
}

# Whole terms dropped after splitting: too general to point at one topic, or
# folded by the matcher's Snowball stemmer / diacritic stripping into a common
# word ("wellness" -> "well", "imports" -> "import" = "important",
# "marché"/"marche", "cour" = "cours", "traité" = "traiter"), or mistranslated
# in the vocabulary (Arabic "قدم" = "foot, presented" for "soccer"). Found by
# checking which generated cues fire on a large share of every class of the
# dev sets (scripts/topics/check_lexicon.py --diagnose).
DROP_TERMS = {
    "en": {
        "wellness", "home", "house", "national", "nationalization", "executive",
        "game", "gaming", "party", "periodical", "dying", "series", "customs",
        "history", "independent", "annual", "test", "men", "conservation",
        "management", "development", "authority", "securities", "imports",
        "productivity", "gold", "celebrity", "media",
        # Snowball gives these the stem of a commoner word: dating = date,
        # performance = perform(er), economics = economic (filed under
        # science), physics = physical; and BBC's "Labour" is the party
        "dating", "performance", "economics", "physics", "labour",
    },
    "fr": {
        "série", "importations", "cour", "appel", "nationale", "marche", "lutte",
        "or", "petites", "marais", "prêts", "traité", "maison", "clubs",
        "tendance", "résultats", "histoire", "développement", "gouvernance",
        "médias", "prix", "actions", "périodiques",
        "recherche", "consultants", "internet",
        # stems of commoner words: environnement = environ (about),
        # finale = finalement, opéra = opération
        "environnement", "finale", "opéra",
    },
    # German, Spanish and Chinese: the English list's words, and words that
    # are everyday words too (German "gehen" is race walking and "to go",
    # Spanish "lucha" wrestling and "struggle", Chinese "运动" sport and
    # "campaign", "精神" mental health and "spirit"), or that name no one
    # topic. Picked by reading the generated lists: there is no labelled
    # German or Spanish news here to diagnose them on.
    "de": {
        "wellness", "haus", "heim", "national", "spiel", "spiele", "serie",
        "geschichte", "unabhängig", "test", "männer", "management",
        "entwicklung", "behörde", "gold", "prominente", "medien", "zoll",
        "land", "gehen", "bar", "tod", "angst", "trend", "preis", "krise",
        "essen", "kind", "kleine",
        # stems of commoner words (10kGNAD sample): arbeit = arbeiten (to
        # work), gewinn = gewinnen (to win), fest = fest (firm, fixed)
        "arbeit", "gewinn", "fest",
    },
    "es": {
        "juego", "juegos", "serie", "historia", "casa", "hogar", "nacional",
        "partido", "partidos", "desarrollo", "gestión", "autoridad", "oro",
        "medios", "celebridades", "prueba", "hombres", "independiente",
        "anual", "aduanas", "campo", "tira", "tiro", "corte", "agua", "lucha",
        "hijos", "fiscal", "bebidas", "reales",
        # sport's "(transfer)", "(administration)", "(ownership)" and the
        # like lose their qualifier and become general words
        "transferencia", "administración", "propiedad", "lanzamiento",
        # found on Spanish headlines (a sample read from GitHub): the
        # stemmer makes "parto" (childbirth) of every "partido" and
        # "estudiantes" of every "estudio" (a study); folding makes "ópera"
        # of the verb "opera"; "inteligencia" is mostly artificial now
        "parto", "estudiantes", "estudiante", "ópera", "inteligencia",
    },
    "zh": {
        "游戏", "系列", "历史", "媒体", "管理", "发展", "黄金", "名人", "计算",
        "合成", "分配", "机构", "食品", "测试", "精神", "成绩", "纪录", "人性",
        "协会", "穿孔", "运动", "住所", "人类", "死亡", "审查", "工程", "攻击",
        "奖励", "误导", "传统", "自然",
        # substrings of common words: 受伤 in every attack report, 钓鱼岛,
        # 火箭队 and 火箭弹, 股价跳水, 业绩滑坡
        "受伤", "钓鱼", "火箭", "跳水", "滑坡",
        # inside common words of another topic (stem_collisions.py zh):
        # 土木工程, 人民大会堂, 大洋洲
        "木工", "会堂", "大洋",
    },
    "ar": {
        "قدم", "نادي", "عمل", "ادارة", "لعب", "اعلان", "تاريخ",
        # The matcher's light stemmer reduces these to a common word:
        # بيئة -> بي (بي بي سي), دورية -> دور (role), رياضيات -> رياض
        # (Riyadh), عادات -> عاد (returned), ملكية -> ملك (king), صادرات
        # -> صادر (issued), لعبة -> لعب, جمعية -> جمع, دين (debt = religion).
        "بيئة", "دورية", "رياضيات", "عادات", "ملكية", "صادرات", "لعبة",
        "جمعية", "دين", "فنون", "رسم", "نقل", "بحث", "امن", "تحقيق",
        "اجراءات", "اصابة",
        # ذكرى -> ذكر (mentioned), سنة (Sunni) -> سن, and it is also
        # "year"; غابات -> غاب (was absent: every player who missed a match)
        "ذكرى", "سنة", "غابات",
    },
}

# Arabic words that begin with a root letter waw: never split as "و" + word.
AR_WAW_ROOT_PREFIXES = (
    "وطن", "وزار", "وزير", "وزراء", "وقود", "وظيف", "وسائل", "وسيل", "وسائط",
    "وفا", "ولاد", "ولادة", "وثائق", "وثيق", "وحد", "وجه", "وضع", "وقت", "وصف",
    "ورث", "وراث", "وسط", "وكال", "وكيل", "ولاي", "وباء", "ودائع", "وديع",
    "وقف", "وقاي", "ورق", "وجب", "وزن", "وادي", "وحش", "ولي", "وصول", "وهم",
)

# Words whose initial "ال" is part of the word, not the article (written
# without hamza, as wire copy usually does).
AR_AL_ROOT = {"البسة", "الماس", "المانيا", "الغام", "البوم", "الفية"}

# A label about the relation between two things is one cue, not two:
# "relations between religion and government" must not make "government" a
# religion cue.
NO_SPLIT = re.compile(r"\b(between|entre|zwischen|beziehung|beziehungen)\b|بين|之间|关系")

TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
PAREN = re.compile(r"\s*[(（][^)）]*[)）]?")
LATIN_CONJUNCTIONS = {
    "en": r"and|or",
    "fr": r"et|ou",
    "de": r"und|oder|sowie",
    "es": r"y|e|o|u",
}
# 和 joins a list, except inside 和平 (peace), 和解, 和谈, 维和, 共和.
# 及 and 与 likewise, except inside 以及, 埃及 (Egypt), 普及, 涉及 and 参与.
ZH_SPLIT = re.compile(r"[、，,;；/]|(?<![维共])和(?![平解谈约])|(?<!参)与|(?<![以埃普涉])及|或")


def top_level_of(qcode, concepts):
    """Walk `broader` up to the level-1 ancestor."""
    seen = set()
    while concepts[qcode]["broader"]:
        if qcode in seen:
            raise ValueError(f"cycle in broader chain at {qcode}")
        seen.add(qcode)
        qcode = concepts[qcode]["broader"]
    return qcode


def normalise_arabic_word(word):
    word = TASHKEEL.sub("", word)
    if word.startswith("ال") and len(word) - 2 >= 3 and word not in AR_AL_ROOT:
        word = word[2:]
    return word


def split_label(label, lang, english_has_conjunction):
    """Split an IPTC label into cue parts (see module doc)."""
    label = unicodedata.normalize("NFC", label)
    label = PAREN.sub(" ", label).strip()
    if not label:
        return []
    if NO_SPLIT.search(label):
        english_has_conjunction = False
    if lang in LATIN_CONJUNCTIONS:
        label = label.lower().replace("&", " and ")
        conj = rf"\s+(?:{LATIN_CONJUNCTIONS[lang]})\s+"
        if NO_SPLIT.search(label):
            raw = [label]
        else:
            raw = re.split(rf"\s*[,;/]\s*|{conj}", label)
        if lang == "de":
            raw = [p for p in raw if not p.strip().endswith("-")]
    elif lang == "zh":
        parts = [label] if NO_SPLIT.search(label) else ZH_SPLIT.split(label)
        raw = [p for p in parts if len(p.strip()) >= 2]
    else:
        raw = []
        for chunk in re.split(r"\s*[،,;/]\s*", label):
            words = chunk.split()
            part = []
            for i, w in enumerate(words):
                is_conj = (
                    english_has_conjunction
                    and i > 0
                    and w.startswith("و")
                    and len(w) >= 4
                    and not w.startswith(AR_WAW_ROOT_PREFIXES)
                )
                if is_conj:
                    raw.append(" ".join(part))
                    part = [w[1:]]
                else:
                    part.append(w)
            raw.append(" ".join(part))
        raw = [" ".join(normalise_arabic_word(w) for w in p.split()) for p in raw]
    parts = []
    for p in raw:
        p = re.sub(r"\s+", " ", p).strip(" -'’.\"*")
        if len(p) < 2 or p in STOP_PARTS[lang] or p in DROP_TERMS[lang]:
            continue
        if p.isdigit():
            continue
        parts.append(p)
    return parts


def fmt_weight(w):
    s = f"{w:.2f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


def generate(vocab_path):
    with open(vocab_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    concepts = {r["qcode"]: r for r in rows}
    # (lang, term) -> {top: weight}
    cues = defaultdict(dict)
    for r in rows:
        if r["retired"].strip() == "1":
            continue
        level = int(r["level"])
        weight = LEVEL_WEIGHT.get(level, DEEP_WEIGHT)
        top = top_level_of(r["qcode"], concepts)
        english_conj = bool(re.search(r",| and | or |/", r["label_en"]))
        for lang in LANGS:
            # English from both spellings IPTC publishes: wires write
            # "labor" (US) and "labour" (UK).
            columns = ("label_en", "label_en_us") if lang == "en" else (f"label_{lang}",)
            for column in columns:
                label = (r.get(column) or "").strip()
                for term in split_label(label, lang, english_conj) if label else []:
                    prev = cues[(lang, term)].get(top, 0.0)
                    cues[(lang, term)][top] = max(prev, weight)
    out = []
    for (lang, term), tops in cues.items():
        n = len(tops)
        for top, w in tops.items():
            out.append((lang, top, fmt_weight(w / n if n > 1 else w), term))
    out.sort()
    return out


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: gen_iptc_cues.py VOCAB_TSV [OUT_TSV] "
                 "(VOCAB_TSV from scripts/topics/fetch_iptc_vocab.py)")
    vocab = Path(argv[1])
    out_path = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    rows = generate(vocab)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("lang\ttopic\tweight\tterm\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} cues to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
