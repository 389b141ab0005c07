"""Outlet citations found by how they are written, on outlets the name table does not know.

Each sentence is read twice: with the full outlet table, and with the outlets it names left out
of the table (`exclude_outlets`, the seam bench/corpus.py --unseen uses), so the rules and not
the table must find them. Names here are made up or common, never copied from the corpus.
"""

from pathlib import Path

import pytest

from provenance.extract import extract, outlet_names
from provenance.ingest import article_from_bytes

from .conftest import needs

CORPUS_PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "pages"


def cited(paragraphs, exclude=frozenset(), site="The Example Times", url="https://example-times.com/a"):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f'<html><head><meta property="og:site_name" content="{site}"><link rel="canonical" href="{url}">'
        f"</head><body><article>{body}</article></body></html>"
    )
    ex = extract(article_from_bytes("page.html", html.encode()), exclude_outlets=frozenset(exclude))
    return [c.outlet for c in ex.citations if c.kind.value == "outlet"]


def test_excluded_outlets_leave_the_table():
    assert "Reuters" in outlet_names.table().names
    smaller = outlet_names.table(frozenset({"Reuters", "nytimes.com"}))
    assert "Reuters" not in smaller.names and "New York Times" not in smaller.names
    assert "Bloomberg" in smaller.names
    # a weak cue on a name the table no longer knows finds nothing; the table finds it otherwise
    sentence = "The plant will close in May, according to Reuters."
    assert cited([sentence]) == ["Reuters"]
    assert cited([sentence], exclude={"Reuters"}) == []


@pytest.mark.parametrize(
    "paragraphs,expected",
    [
        # newsroom-only cues: the verb or the construction says it is a news source
        (["The state declared an emergency, reported Coastline Tidings."], ["Coastline Tidings"]),
        (["Brightwater reports that the studio is planning a sequel."], ["Brightwater"]),
        (["The figures were first reported by Halyard on Friday."], ["Halyard"]),
        (["The tally, according to a report from Larkspur, has doubled."], ["Larkspur"]),
        (["The Marlow Ledger’s report today claims the deal is off."], ["Marlow Ledger"]),
        (["Quillfeather's Dana Whitfield reported that the vote was delayed."], ["Quillfeather"]),
        (["“We will appeal,” Smith said, via Tom Baker of the Ferrisburg Clarion."], ["Ferrisburg Clarion"]),
        (["“It was close,” said Ana Ruiz, a managing editor of Prairie Starting Gate."], ["Prairie Starting Gate"]),
        (["The actor's story is wonderful. (Via Snickersnee)"], ["Snickersnee"]),
        (["Sources: Glenhaven Post (2), KXYZ (1)"], ["Glenhaven Post", "KXYZ"]),
        (["Why it's so hard to build a bridge (Mia Lopez — Harbor Tech Review)"], ["Harbor Tech Review"]),
        # the text calls it an outlet, or names it with a newspaper word
        (["An official told the Lusatian newspaper Kurier Nord that the mine would close."], ["Kurier Nord"]),
        (["She told the Tom Rivers Hour podcast that she was retiring."], ["Tom Rivers Hour"]),
        (["She released a statement to Larkspur magazine on Monday."], ["Larkspur"]),
        (["The mayor spoke to the Eastvale Sentinel about the plan."], ["Eastvale Sentinel"]),
        # an acronym in a credit, a wire dateline
        (["“There are eight people,” the rescuer told KVRT."], ["KVRT"]),
        (["SPRINGFIELD (WNS) — The council passed the budget on Tuesday."], ["WNS"]),
        (["LONDON, Dec 5 (Wirenews) - The pound fell sharply on Monday."], ["Wirenews"]),
        (["Dana Fox of Quillfeather contributed to this report."], ["Quillfeather"]),
        (["Quillfeather was the first to report the merger."], ["Quillfeather"]),
        # a journalist of the outlet, an apposition that calls it an outlet
        (["“It is over,” the aide told a Quillfeather reporter."], ["Quillfeather"]),
        (["The mayor resigned, according to the Blorpville Bugle, a local newspaper."], ["Blorpville Bugle"]),
        (["The road was closed, according to KXTV."], ["KXTV"]),  # a broadcaster's call sign
        (["WRAL-TV reported that the road was closed."], ["WRAL-TV"]),
        # a link to the outlet's own site on its name
        (
            ['The lake froze early, according to <a href="https://www.pinecrestdaily.com/lake">Pinecrest</a>.'],
            ["Pinecrest"],
        ),
        # a weak cue before a name gives way to a strong one after it
        (["According to The Quillfeather’s review, the console runs at 30 frames."], ["Quillfeather"]),
        # an ordinary word the text calls an outlet names it elsewhere too
        (["Okafor told People that she had lost weight.", "She released a statement to People magazine."],
         ["People", "People"]),
        # once shown to be an outlet, a weaker cue later in the text counts too
        (["Dana Fox told Snickersnee about the tour.", "The tour is sold out. (Via Snickersnee)"],
         ["Snickersnee", "Snickersnee"]),
        (["The vote was delayed, according to ZBN.", "The count resumes Monday. (Via ZBN)"], ["ZBN", "ZBN"]),
    ],
)
def test_unknown_outlets_found_by_how_they_are_written(paragraphs, expected):
    assert cited(paragraphs) == expected
    assert cited(paragraphs, exclude=set(expected)) == expected  # the rules find them, not the table


@pytest.mark.parametrize(
    "sentence",
    [
        "The shop's owner told Jane Doe that the rent had doubled.",  # a person (a given name)
        "The rules are clear, according to Sen. Smith.",  # a title
        "“It will pass,” said Professor Maria Lindqvist, a scholar.",
        "“It will pass,” said Superintendent Paul Okafor.",
        "Officials reported that the bridge was closed.",  # a common word opening the sentence
        "Investigators reported that the fire was arson.",  # a plural opening the sentence, nowhere else
        "Turnout fell, according to data released by the Election Commission.",  # a public body
        "Short posts do better, according to a study by Quorvia.",  # a study, not a newsroom's report
        "The sensor works with Hearthlink via Bluetooth and is cheap.",  # "via" a technology
        "“I’m in charge,” he told an ABC executive.",  # the outlet only qualifies a person
        "“They are watched,” the ACLU's Mark Delaney says.",  # a body's spokesman
        "The road was closed, according to the IMF.",  # an agency's acronym
        "The NHS said waits were longer.",
        "Photo: Reuters",  # photo credits
        "A protester holds a sign in Paris. AP Photo/Jane Doe",
        "A protester holds a sign in Paris (AP)",
        "The president waves. (AP Photo/Evan Vucci)",
        "The president waves. (Photo by Jane Doe/Reuters)",
        "Police secure the area. (Reuters)",
        "Credit: Reuters",
        "Zentrix' Teodric Vell reports that the cameras are new.",  # someone of a named body, not an outlet
    ],
)
def test_not_outlets(sentence):
    assert cited([sentence]) == []


def test_dateline_wire_credit_is_a_citation_and_photo_credit_is_not():
    found = cited(["WASHINGTON (AP) — The Senate passed the bill.", "Senators leave the chamber. (AP Photo/Jane Doe)"])
    assert found == ["Associated Press"]


def test_person_named_before_is_not_an_outlet():
    found = cited(["Peter Quall ran the network for years.", "The board said Quall reported to them directly."])
    assert found == []


def test_name_written_whole_and_by_its_last_word_is_a_person():
    # no given name on the list, but "Teodric Quenby … Quenby" is how a text refers to a person
    found = cited(["Teodric Quenby gave a talk in Paris.", "Quenby reported that the models failed the test."])
    assert found == []
    found = cited(["Oswin Vell reports that the cameras are new.", "Vell spoke to students."])
    assert found == []


def test_own_outlet_by_site_name_is_not_cited_even_when_unknown():
    found = cited(
        ["The figures were first reported by Larkspur News on Friday.", "Larkspur News reported the rest."],
        site="Larkspur News",
        url="https://larkspur.example/a",
    )
    assert found == []


def test_pronoun_speaker_is_the_person_named_last():
    text = (
        "Bridge vote\n"
        "Senator Jane Roe spoke after the vote.\n"
        "“We will not give up on this bridge,” she said.\n"
        "“It is a sad day,” he said.\n"
    )
    ex = extract(article_from_bytes("note.txt", text.encode()))
    quotes = [(c.speaker, c.text) for c in ex.citations if c.kind.value == "quote"]
    assert quotes == [("Jane Roe", "We will not give up on this bridge"), ("Jane Roe", "It is a sad day")]


def test_pronoun_with_no_person_before_names_no_one():
    ex = extract(article_from_bytes("note.txt", "Flood\n“It is a sad day for everyone,” he said.\n".encode()))
    assert [c for c in ex.citations if c.kind.value == "quote"] == []


@needs(CORPUS_PAGES.is_dir(), f"evaluation corpus not found at {CORPUS_PAGES} (beside the repository)")
def test_a_cue_rule_skipped_for_lacking_its_words_could_not_have_matched():
    """`attribution._REQUIRED` skips a rule when none of its words is in the text before a name: on every
    capitalised word of the example and corpus pages, and on sentences the rules take, a rule that
    matches must hold one of them."""
    import gzip
    import re
    from pathlib import Path

    from lxml import html as lhtml

    from provenance.extract import attribution

    root_dir = Path(__file__).resolve().parents[1]
    pages = [(root_dir / "examples" / "council-bridge.html").read_text(encoding="utf-8")]
    pages += [gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
              for p in sorted((root_dir.parent / "shared" / "corpus" / "pages").glob("*.html.gz"))]
    texts = [p.text_content() for page in pages for p in lhtml.document_fromstring(page).iter("p", "li")]
    texts += ["He spoke to reporters at the Daily Ledger ", "said Jane Roe, an EDITOR at the ",
              "as a recent review by the ", "in a scoop for the Riverside-based news site ", "the Bureau Chief of "]
    types = outlet_names.table().types_pattern
    rules = {name: (rule, lower) for name, rule, lower, _, _ in attribution.before_rules(types)}
    matched = 0
    for text in texts:
        for m in re.finditer(r"[A-Z]", text):
            before = text[max(0, m.start() - 130) : m.start()]
            low = before.lower()
            for name, words in attribution._REQUIRED.items():
                rule, lower = rules[name]
                if rule.search(low if lower else before):
                    matched += 1
                    assert any(w in low for w in words), (name, before)
    assert matched >= 5


def test_typed_name_reads_the_character_after_a_name_as_its_patterns_do():
    """`typed_name` picks its pattern by the next character: str.isspace must be the patterns' \\s on every
    character, and a name followed by a type, by ", a … newspaper", or by neither must read as before."""
    import re
    import sys

    from provenance.extract import outlet_evidence
    from provenance.extract.document import Block

    space = re.compile(r"\s")
    assert all(chr(i).isspace() == bool(space.match(chr(i))) for i in range(sys.maxunicode + 1))
    t = outlet_names.table()
    for text, expected in [("Zorbly magazine said", True), ("Zorbly\u2003newspaper reported", True),
                           ("Zorbly, a local newspaper, said", True), ("Zorbly said", False), ("Zorbly", False),
                           ("Zorbly, who said", False)]:
        block = Block("paragraph", 0, len(text))
        assert outlet_evidence.typed_name(t, text, block, 0, 6) is expected, text
