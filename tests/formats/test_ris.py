"""RIS in and out: files shaped like what Web of Science, Scopus, IEEE Xplore and Zotero export, broken
records reported with their line, and the export read back by our reader and by rispy's."""

from __future__ import annotations

import pytest
import rispy

from papershelf.core.model import Annotation, Paper
from papershelf.formats import bibtex, bibtex_export, ris
from papershelf.formats.common import ParseResult
from papershelf.formats.ris import RisOptions
from tests.conftest import FIXTURES

RIS = FIXTURES / "ris"


def read(name: str) -> ParseResult:
    return ris.parse((RIS / name).read_text(encoding="utf-8"))


def by_title(result: ParseResult) -> dict[str, Paper]:
    return {p.title: p for p in result.papers}


def only_unread_tags(result: ParseResult) -> str:
    """The tags the one problem of ``result`` reports as not imported (a file with no other problem)."""
    [problem] = result.problems
    assert problem.severity == "warning"
    return problem.reason.split("were not imported: ", 1)[1]


def test_web_of_science_export() -> None:
    result = read("wos.ris")
    assert only_unread_tags(result) == (
        "AD (1 record), AN (2 records), CL (1 record), CP (1 record), J9 (2 records), JI (1 record), "
        "PA (1 record), PI (1 record), PU (1 record)")
    nature = by_title(result)["Deep learning"]
    assert nature.entry_type == "article"
    assert nature.authors == ["Yann Lecun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert (nature.year, nature.venue, nature.doi) == (2015, "NATURE", "10.1038/nature14539")
    assert nature.fields == {
        "journal": "NATURE", "volume": "521", "number": "7553", "language": "English", "month": "may",
        "pages": "436--444", "issn": "0028-0836", "keywords": "NEURAL-NETWORKS, RECOGNITION",
    }
    paper = by_title(result)["Attention Is All You Need"]
    assert paper.entry_type == "inproceedings"
    assert paper.fields["editor"] == "Guyon, I and Luxburg, UV"  # ED: Web of Science's editors
    assert paper.venue == "ADVANCES IN NEURAL INFORMATION PROCESSING SYSTEMS 30 (NIPS 2017)"
    assert result.lines == [1, 29]


def test_scopus_export() -> None:
    result = read("scopus.ris")
    # the "Scopus / EXPORT DATE" header before the first record is no record
    assert only_unread_tags(result) == "C2 (1 record), DB (2 records), M3 (2 records)"
    go, kernels = result.papers
    assert go.authors == ["D. Silver", "J. Schrittwieser", "K. Simonyan", "G. van den Driessche"]
    assert go.url.startswith("https://www.scopus.com/inward/record.uri?eid=2-s2.0-85031918331&doi=")
    assert go.fields["keywords"] == "reinforcement learning, game playing, Monte Carlo tree search"
    assert go.fields["annote"] == "Cited By :2894; Export Date: 3 May 2021"  # N1: never printed by a style
    assert go.fields["issn"] == "00280836"
    assert go.abstract.endswith("© 2017 Macmillan Publishers Limited, part of Springer Nature. All rights reserved.")
    assert kernels.entry_type == "inproceedings"
    assert kernels.title == "Kernel methods & their limits: a survey"
    assert kernels.fields["pages"] == "1--8"  # "SP  - 1-8": Scopus writes the range in SP
    # A two-word last name keeps its BibTeX source, so that BibTeX reads "García Márquez" as the last name.
    assert kernels.authors == ["K.-R. Müller", "L. García Márquez"]
    assert bibtex.name_parts(bibtex.split_names(kernels.fields["author"])[1])[2] == ["García", "Márquez"]


def test_ieee_xplore_export_with_crlf_and_first_last_names() -> None:
    result = read("ieee.ris")
    assert only_unread_tags(result) == "VO (2 records)"
    resnet, survey = result.papers
    assert resnet.authors == ["K. He", "X. Zhang", "S. Ren", "J. Sun"]
    assert (resnet.entry_type, resnet.year, resnet.fields["pages"]) == ("inproceedings", 2016, "770--778")
    assert resnet.fields["booktitle"] == "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    assert resnet.fields["month"] == "jun"  # Y1  - 27-30 June 2016
    assert resnet.fields["keywords"] == "Training, Degradation, Complexity theory, Image recognition"
    assert "volume" not in resnet.fields  # "VL  - " with nothing after it
    assert (survey.entry_type, survey.fields["volume"], survey.fields["number"]) == ("article", "22", "10")
    assert survey.fields["month"] == "oct"  # Y1  - Oct. 2010


def test_zotero_export_every_type() -> None:
    result = read("zotero.ris")
    assert only_unread_tags(result) == "M3 (1 record), ST (1 record), Y2 (1 record)"
    types = {p.title.split(":")[0]: p.entry_type for p in result.papers}
    assert types == {
        "BERT": "inproceedings", "Learning Deep Generative Models": "phdthesis",
        "Learning representations by back-propagating errors": "incollection", "Adam": "techreport",
        "Pattern Recognition and Machine Learning": "book", "The Annotated Transformer": "misc",
    }
    papers = by_title(result)
    bert = papers["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    assert bert.fields["editor"] == "Burstein, Jill and Doran, Christy"
    assert bert.fields["month"] == "jun"  # DA  - 2019/06//
    assert bert.fields["address"] == "Minneapolis, Minnesota"
    # Zotero writes notes as HTML over several lines: read as plain paragraphs.
    assert bert.fields["annote"] == "Read this for the masked LM objective.\n\nAnd the next-sentence task."
    thesis = papers["Learning Deep Generative Models"]
    assert thesis.fields["school"] == "University of Toronto"
    assert thesis.abstract == (
        "Building intelligent systems that are capable of extracting high-level representations from "
        "high-dimensional sensory data lies at the core of solving many AI related tasks.\n\n"
        "In this thesis we develop new learning algorithms."
    )
    chapter = papers["Learning representations by back-propagating errors"]
    assert chapter.fields["booktitle"] == "Neurocomputing: Foundations of Research"
    assert chapter.fields["isbn"] == "978-0-262-01097-9"
    book = papers["Pattern Recognition and Machine Learning"]
    assert (book.fields["series"], book.fields["publisher"]) == ("Information Science and Statistics", "Springer")
    adam = papers["Adam: A Method for Stochastic Optimization"]
    assert (adam.fields["institution"], adam.doi, adam.url) == (
        "arXiv", "10.48550/arXiv.1412.6980", "http://arxiv.org/abs/1412.6980")


def test_broken_records_are_reported_with_their_line() -> None:
    result = read("broken.ris")
    assert [(p.line, p.severity, p.reason) for p in result.problems] == [
        (7, "warning", "the record has no ER line; it ends before line 11"),
        (11, "error", "the record has no title (TI); skipped"),
        (16, "error", "AU line outside a record (no TY before it); the lines up to the next TY were ignored"),
        (20, "warning", "RIS type ZZZZ has no BibTeX equivalent; imported as misc"),
        (20, "warning", "the date 'circa' has no year; imported without one"),
        (25, "warning", "the file ends inside this record (no ER line); it was read as it is"),
    ]
    assert [p.title for p in result.papers] == [
        "A complete record", "A record whose ER line is missing", "An unknown type",
        "The file ends inside this record",
    ]
    assert result.lines == [1, 7, 20, 25]
    assert result.papers[1].year == 2020  # PY  - 2020///
    assert len(result.errors) == 2


def test_rispy_alone_loses_what_the_reader_keeps() -> None:
    """Why the reader is ours: rispy merges the record without ER into the next and drops the last one."""
    text = (RIS / "broken.ris").read_text(encoding="utf-8")
    titles = [entry.get("title") for entry in rispy.loads(text)]
    assert "The file ends inside this record" not in titles
    assert len(ris.parse(text).papers) > len(titles)


@pytest.mark.parametrize(("year", "month"), [("2020", None), ("2020///", None), ("2020/05/12/", 5),
                                             ("2020/11", 11), ("Spring 2019", None)])
def test_publication_year_forms(year: str, month: int | None) -> None:
    (paper,) = ris.parse(f"TY  - JOUR\nTI  - T\nPY  - {year}\nER  - \n").papers
    assert paper.year == int(year.split("/")[0].split()[-1])
    assert paper.fields.get("month") == (bibtex_export_month(month) if month else None)


def bibtex_export_month(month: int) -> str:
    return list(bibtex.MONTHS)[month - 1]


def test_authors_keep_their_order_a1_after_au_and_suffixes() -> None:
    text = "TY  - JOUR\nTI  - T\nAU  - Zeta, Zed\nAU  - Alpha, Al, Jr.\nA1  - Mid, Max\nER  - \n"
    (paper,) = ris.parse(text).papers
    assert paper.authors == ["Zed Zeta", "Al Alpha, Jr.", "Max Mid"]
    assert ris.render([paper], {}).text.count("AU  - ") == 3
    assert "AU  - Alpha, Al, Jr." in ris.render([paper], {}).text


def sample() -> Paper:
    return Paper(
        id="p1", key="smith2020deep", title="Deep   learning of $x$ & things",
        authors=["Jane Smith", "Ludwig van Beethoven"],
        year=2020, venue="Journal of Things", abstract="First paragraph.\n\nAB  - a line that looks like a tag.",
        doi="10.1/abc", url="https://x.org/a;b", entry_type="article",
        fields={"journal": "Journal of {T}hings", "volume": "3", "pages": "10--20", "month": "may",
                "publisher": "Caf{\\'e} Press", "keywords": "alpha, beta"},
    )


def test_export_writes_plain_text_from_the_latex_and_reads_back() -> None:
    paper = sample()
    text = ris.render([paper], {"p1": Annotation(tags=["gamma", "Alpha"], note="mine")},
                      RisOptions(notes=True)).text
    assert text.splitlines()[:2] == ["TY  - JOUR", "ID  - smith2020deep"]
    for line in ("AU  - Smith, Jane", "AU  - van Beethoven, Ludwig", "TI  - Deep learning of $x$ & things",
                 "T2  - Journal of Things", "PY  - 2020", "DA  - 2020/05/", "SP  - 10", "EP  - 20",
                 "PB  - Café Press", "DO  - 10.1/abc", "UR  - https://x.org/a;b", "KW  - alpha", "KW  - beta",
                 "KW  - gamma", "N1  - mine", "ER  - "):
        assert line in text.splitlines(), line
    assert "KW  - Alpha" not in text  # the tag is the keyword already there
    assert "\nAB - a line that looks like a tag.\n" in text  # spaces squeezed: no line reads as a tag
    (back,) = ris.parse(text).papers
    assert (back.key, back.title, back.authors, back.year, back.venue, back.doi, back.url, back.abstract) == (
        paper.key, "Deep learning of $x$ & things", paper.authors, 2020, "Journal of Things", paper.doi,
        paper.url, "First paragraph.\n\nAB - a line that looks like a tag.")
    assert back.fields["month"] == "may"
    # rispy reads it too (each record's tags; its reader is the common one)
    (entry,) = rispy.loads(text)
    assert entry["title"] == "Deep learning of $x$ & things"
    assert entry["authors"] == ["Smith, Jane", "van Beethoven, Ludwig"]


@pytest.mark.parametrize(("entry_type", "ris_type"), sorted(ris.TYPES_OUT.items()))
def test_each_entry_type_has_its_ris_type(entry_type: str, ris_type: str) -> None:
    paper = Paper(id="p", key="k", title="T", entry_type=entry_type)
    assert ris.render([paper], {}).text.startswith(f"TY  - {ris_type}\n")


@pytest.mark.parametrize("entry_type", ["article", "inproceedings", "book", "incollection", "phdthesis",
                                        "techreport", "unpublished", "misc"])
def test_types_map_both_ways(entry_type: str) -> None:
    paper = Paper(id="p", key="k", title="T", entry_type=entry_type)
    (back,) = ris.parse(ris.render([paper], {}).text).papers
    assert back.entry_type == entry_type


@pytest.mark.parametrize("ris_type", ["JOUR", "CONF", "CPAPER", "BOOK", "CHAP", "THES", "RPRT", "GEN"])
def test_the_usual_types_come_back_as_themselves(ris_type: str) -> None:
    (paper,) = ris.parse(f"TY  - {ris_type}\nTI  - T\nER  - \n").papers
    expected = "CPAPER" if ris_type == "CONF" else ris_type  # a conference paper is CPAPER on the way out
    assert ris.render([paper], {}).text.startswith(f"TY  - {expected}\n")


def test_fixtures_export_and_read_back_the_same() -> None:
    for path in sorted(RIS.glob("*.ris")):
        first = ris.parse(path.read_text(encoding="utf-8")).papers
        text = ris.render(first, {}).text
        again = ris.parse(text)
        assert again.problems == [], path.name
        for a, b in zip(first, again.papers, strict=True):
            assert (a.title, a.authors, a.year, a.venue, a.doi, a.url, a.abstract, a.entry_type) == (
                b.title, b.authors, b.year, b.venue, b.doi, b.url, b.abstract, b.entry_type), path.name
        assert ris.render(again.papers, {}).text == text  # a second trip changes nothing


def test_ris_imports_export_as_bibtex_that_reads_back() -> None:
    papers = [p for name in ("wos.ris", "scopus.ris", "ieee.ris", "zotero.ris") for p in read(name).papers]
    for number, paper in enumerate(papers):
        paper.key = paper.key or f"ris{number}"
    exported = bibtex_export.render(papers, {})
    back = bibtex.parse(exported.text)
    assert back.errors == []
    for a, b in zip(sorted(papers, key=lambda p: p.key), back.papers, strict=True):
        assert (a.title, a.authors, a.year, a.venue, a.doi, a.abstract) == (
            b.title, b.authors, b.year, b.venue, b.doi, b.abstract)


def test_empty_and_textless_input() -> None:
    assert ris.parse("").papers == []
    assert ris.render([], {}).text == ""
    result = ris.parse("\ufeffTY  - JOUR\r\nTI  - Bom and CRLF\r\nER  - \r\n")
    assert [p.title for p in result.papers] == ["Bom and CRLF"]
    assert result.problems == []


def test_no_abstract_or_keywords_when_asked() -> None:
    paper = sample()
    text = ris.render([paper], {"p1": Annotation(tags=["gamma"])},
                      RisOptions(abstract=False, tags_as_keywords=False)).text
    assert "AB  -" not in text
    assert "KW  - gamma" not in text
    assert "KW  - alpha" in text  # the paper's own keywords are part of the record



def test_web_of_science_plain_text() -> None:
    """Web of Science's field-tagged "Plain text file": full names (AF), wrapped abstracts, DT for the type."""
    result = ris.parse_wos((RIS / "savedrecs.txt").read_text(encoding="utf-8"))
    # What no field keeps (addresses, cited references, counts, accession numbers) is named, not dropped unsaid.
    assert [(p.line, p.severity, p.reason) for p in result.problems] == [(3, "warning", (
        "Web of Science tags Papershelf keeps no field for were not imported: C1 (1 record), CL (1 record), "
        "CR (1 record), CY (1 record), EI (1 record), ID (1 record), J9 (1 record), JI (1 record), NR (1 record), "
        "PI (1 record), TC (1 record), UT (2 records)"))]
    assert result.lines == [3, 40]
    review, paper = result.papers
    assert review.authors == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert (review.entry_type, review.year, review.venue, review.doi) == ("article", 2015, "NATURE",
                                                                         "10.1038/nature14539")
    assert review.abstract == ("Deep learning allows computational models that are composed of multiple processing "
                               "layers to learn representations of data with multiple levels of abstraction.")
    assert review.fields == {"month": "may", "journal": "NATURE", "volume": "521", "number": "7553",
                             "language": "English", "publisher": "NATURE PORTFOLIO", "pages": "436--444",
                             "issn": "0028-0836", "keywords": "deep learning, representation learning"}
    assert paper.entry_type == "inproceedings"  # PT S, DT Proceedings Paper
    assert paper.fields["editor"] == "Guyon, I and Luxburg, UV"
    assert (paper.fields["series"], paper.fields["pages"]) == ("Advances in Neural Information Processing Systems",
                                                               "6000")


def test_web_of_science_problems_have_lines() -> None:
    text = "FN Web of Science\nVR 1.0\nAU Stray, S\nPT J\nTI One\nPT J\nTI Two\nER\nPT J\nAU No, Title\nER\nEF\n"
    result = ris.parse_wos(text)
    assert [p.title for p in result.papers] == ["One", "Two"]
    assert [(p.line, p.severity) for p in result.problems] == [(3, "error"), (4, "warning"), (9, "error")]


def test_tags_with_no_field_are_reported_not_dropped_unsaid() -> None:
    text = (
        "TY  - JOUR\nTI  - First\nAU  - Doe, Jane\nPY  - 2020\nAN  - WOS:000123\nDB  - Scopus\nER  - \n\n"
        "TY  - JOUR\nTI  - Second\nAU  - Roe, Rick\nPY  - 2021\nAN  - WOS:000456\nER  - \n"
    )
    result = ris.parse(text)
    assert [p.title for p in result.papers] == ["First", "Second"]
    [problem] = [p for p in result.problems if "not imported" in p.reason]
    assert problem.severity == "warning"
    assert problem.line == 1
    assert "AN (2 records)" in problem.reason
    assert "DB (1 record)" in problem.reason


def test_a_file_whose_tags_are_all_read_has_no_such_report() -> None:
    result = ris.parse("TY  - JOUR\nTI  - Only\nAU  - Doe, Jane\nPY  - 2020\nDO  - 10.1/x\nER  - \n")
    assert not [p for p in result.problems if "not imported" in p.reason]


LEFT_OUT_SOURCE = r"""@inproceedings{k1, title={A {DNA} Study}, author={Doe, Jane}, booktitle={Proc. X}, year={2020},
 month=mar, series={LNCS}, pages={1--10}, isbn={978-3}, note={a note}, customfield={mine}, chapter={3}}
@article{k2, title={Plain}, author={Roe, Ann}, journal={J}, year={2021}, customfield={also mine}}
@article{k3, title={Only what RIS has}, author={Poe, Edgar}, journal={J}, year={2019}, volume={2}}
"""


def test_fields_ris_has_no_tag_for_are_named_in_a_note() -> None:
    papers = bibtex.parse(LEFT_OUT_SOURCE).papers
    result = ris.render(papers, {})
    assert result.notes == ["fields RIS has no place for were left out: chapter (1 paper), customfield (2 papers)"]
    assert "mine" not in result.text
    assert ris.render(papers[2:], {}).notes == []
    # Papershelf's own bookkeeping (a record without a title keeps its shown title in "@untitled") is not named.
    untitled = bibtex.parse("@misc{k4, author={Doe, Jane}, year={2020}}").papers
    assert any(name.startswith("@") for name in untitled[0].fields)
    assert ris.render(untitled, {}).notes == []


@pytest.mark.parametrize("text", ["garbage\n", "Provider: nobody\nContent: text/plain\n\n"])
def test_a_file_with_no_record_says_so(text: str) -> None:
    result = ris.parse(text)
    assert result.papers == []
    assert [(p.line, p.severity) for p in result.problems] == [(1, "error")]
    assert "no RIS record" in result.problems[0].reason
    assert ris.parse("").problems == []
    assert ris.parse("\n  \n").problems == []


PUBLISHERS_SOURCE = (FIXTURES / "publishers.bib").read_text(encoding="utf-8")  # one of each, two in one


def test_one_publisher_is_written_and_the_others_are_named_in_the_note() -> None:
    papers = bibtex.parse(PUBLISHERS_SOURCE).papers
    result = ris.render(papers, {})
    records = {r["id"]: r for r in rispy.loads(result.text)}
    assert {key: r["publisher"] for key, r in records.items()} == {
        "both": "IEEE Press", "thesis": "MIT", "report": "CMU", "manual": "W3C"}
    assert result.notes == [
        "fields RIS has no place for were left out: organization (1 paper), publisher (1 paper)"]
    # One of them alone is written, with nothing to say.
    assert ris.render(papers[2:], {}).notes == []
    # Read back, the thesis's PB is its school again.
    assert ris.parse(result.text).papers[1].fields["school"] == "MIT"


def test_a_name_with_nothing_before_its_comma_is_kept_as_written() -> None:
    """``AU  - ,`` (the ASCII BibTeX form of ‚ read back is a comma) and ``AU  - , John`` are names as
    written, not empty ones left out."""
    text = "TY  - JOUR\nTI  - T\nAU  - ,\nAU  - , John\nAU  - Smith, Jane\nER  - \n"
    (paper,) = ris.parse(text).papers
    assert paper.authors == [",", ", John", "Jane Smith"]
    (again,) = bibtex.parse(bibtex_export.render([paper], {}).text).papers
    assert again.authors == paper.authors


def test_a_bibtex_name_without_a_last_name_is_written_without_a_comma() -> None:
    """``author = { , Ann}`` (an ASCII export of a last name that had no ASCII form) is the name "Ann": RIS
    gets ``AU  - Ann``, not ``AU  - , Ann``, and it comes back as the library shows it."""
    (paper,) = bibtex.parse("@misc{k, author = { , Ann}, title = {T}}").papers
    assert paper.authors == ["Ann"]
    text = ris.render([paper], {}).text
    assert "AU  - Ann\n" in text.replace("\r\n", "\n")
    (back,) = ris.parse(text).papers
    assert back.authors == ["Ann"]


def test_a_name_with_a_comma_inside_a_part_is_named_in_the_note() -> None:
    """``{Barnes, Inc.}`` and ``O{,}Brien`` cannot be written in RIS's "Last, First" (the comma would end the
    last name): the export says which entries, and names without such a comma are not named."""
    text = (
        "@misc{corp, author = {{Barnes, Inc.} and Jane Smith}, title = {T}}\n"
        "@misc{braced, author = {O{,}Brien, Pat}, title = {T}}\n"
        "@misc{plain, author = {Smith, Jane and von Neumann, Jr., John}, title = {T}}\n"
    )
    papers = bibtex.parse(text).papers
    notes = ris.render(papers, {}).notes
    (note,) = [n for n in notes if "comma" in n]
    assert note.startswith("2 entries have names with a comma inside a part")
    assert note.endswith(": corp, braced")
    assert not [n for n in ris.render(papers[2:], {}).notes if "comma" in n]
