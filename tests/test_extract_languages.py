"""Pages in other scripts: their sentences are claims, split where the language ends them."""

import pytest

from provenance.claims import split_sentences
from provenance.extract import extract
from provenance.ingest import article_from_bytes

PAGES = {
    "ru": (
        "Мэрия утвердила план строительства моста.",
        [
            "Совет города проголосовал за новый мост в понедельник после долгих споров.",
            "Работы начнутся весной, сообщил мэр, и займут два года.",
            "Жители района выступили против плана и потребовали нового обсуждения.",
        ],
    ),
    "el": (
        "Το δημοτικό συμβούλιο ενέκρινε τη νέα γέφυρα.",
        [
            "Το συμβούλιο ψήφισε τη Δευτέρα υπέρ της νέας γέφυρας, σύμφωνα με το Reuters.",
            "Ποιος θα πληρώσει το κόστος;",
            "Οι εργασίες θα ξεκινήσουν την άνοιξη και θα διαρκέσουν δύο χρόνια.",
        ],
    ),
    "ja": (
        "市議会が新しい橋の計画を承認",
        [
            "市議会は月曜日、新しい橋の建設計画を賛成多数で可決した。",
            "市長は「工事は春に始まる。」と述べた。",
            "住民の一部は計画に反対しており、再検討を求めている！",
        ],
    ),
    "zh": (
        "市议会批准新桥建设计划",
        [
            "市议会周一以多数票通过了新桥的建设计划。",
            "市长表示，工程将于明年春天开始，预计持续两年。",
            "部分居民反对该计划，并要求重新讨论？",
        ],
    ),
}


def html_page(lang: str, title: str, sentences: list[str], link: str | None = None) -> bytes:
    first = sentences[0]
    if link:
        first = first.replace("Reuters", f"<a href='{link}'>Reuters</a>")
    paragraphs = f"<p>{first} {sentences[1]}</p><p>{sentences[2]}</p>"
    return (
        f"<html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


@pytest.mark.parametrize("lang", list(PAGES))
def test_every_sentence_of_the_page_is_a_claim(lang):
    title, sentences = PAGES[lang]
    link = "https://www.reuters.com/world/europe/bridge-vote-2024-05-01/" if lang == "el" else None
    ex = extract(article_from_bytes("page.html", html_page(lang, title, sentences, link)))
    claims = [c.text for c in ex.claims if c.kind.value == "sentence"]
    assert claims == sentences
    body = sum(len(s) for s in sentences)
    assert sum(len(c) for c in claims) / body == 1.0


def test_a_greek_sentence_cites_the_link_inside_it():
    title, sentences = PAGES["el"]
    link = "https://www.reuters.com/world/europe/bridge-vote-2024-05-01/"
    ex = extract(article_from_bytes("page.html", html_page("el", title, sentences, link)))
    cited = [c for c in ex.citations if c.url == link]
    assert len(cited) == 1
    first = next(c for c in ex.claims if c.text == sentences[0])
    assert [(link.citation, link.rule) for link in first.citations] == [(cited[0].id, "inline")]


def test_unicode_sentence_rules():
    def parts(text):
        return [text[s:e] for s, e in split_sentences(text)]

    # Greek's question mark is the semicolon; elsewhere a semicolon does not end a sentence
    assert parts("Ποιος πληρώνει; Κανείς δεν ξέρει.") == ["Ποιος πληρώνει;", "Κανείς δεν ξέρει."]
    assert parts("We waited; Then we left.") == ["We waited; Then we left."]
    # full-width terminals need no space; a closing bracket glued to more text is a quotation
    assert parts("橋を承認した。工事は春に始まる！本当？") == ["橋を承認した。", "工事は春に始まる！", "本当？"]
    assert parts("市長は「春に始まる。」と述べた。") == ["市長は「春に始まる。」と述べた。"]
    # capitals of any script, and quotation marks that open with „ or «
    assert parts("Он ушёл. Она осталась.") == ["Он ушёл.", "Она осталась."]
    assert parts("Er sagte nichts. „Falsch“, sagte sie.") == ["Er sagte nichts.", "„Falsch“, sagte sie."]
    assert parts("Il est parti. À midi, rien.") == ["Il est parti.", "À midi, rien."]
    # lower case after a full stop does not start a sentence, in any script
    assert parts("Он пришёл в 5 ч. утра, т.е. рано.") == ["Он пришёл в 5 ч. утра, т.е. рано."]
