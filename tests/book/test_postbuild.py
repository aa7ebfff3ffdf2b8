"""tools/postbuild.py: widget state goes, source maps go, network loads are caught (a matplotlib
to_jshtml player's Font Awesome link among them: the book's players are bricks' own)."""
import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))  # postbuild imports tools/notebooks.py
spec = importlib.util.spec_from_file_location("postbuild", ROOT / "tools" / "postbuild.py")
postbuild = importlib.util.module_from_spec(spec)
spec.loader.exec_module(postbuild)

PLAYER = ('<div class="bricks-player"><img src="data:image/png;base64,AA=="></div>'
          '<script type="application/vnd.jupyter.widget-state+json">{"state": {}}\n</script><p>after</p>')


def _site(tmp_path, page):
    (tmp_path / "_static").mkdir()
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/intro.html" />')
    (tmp_path / "page.html").write_text(page)
    (tmp_path / "_static" / "theme.js").write_text("var a = 1;\n//# sourceMappingURL=theme.js.map\n")
    (tmp_path / "_static" / "theme.js.map").write_text("{}" * 1000)
    (tmp_path / "_static" / "theme.css").write_text("a{}\n/*# sourceMappingURL=theme.css.map*/\n")
    return tmp_path


def test_postbuild_makes_the_site_offline(tmp_path, capsys):
    site = _site(tmp_path, PLAYER)
    assert postbuild.main(str(site)) == 0
    assert 'class="bricks-player"' in (site / "page.html").read_text()
    assert "widget-state" not in (site / "page.html").read_text() and "<p>after</p>" in (site / "page.html").read_text()
    assert not (site / "_static" / "theme.js.map").exists()
    assert "sourceMappingURL" not in (site / "_static" / "theme.js").read_text()
    assert "sourceMappingURL" not in (site / "_static" / "theme.css").read_text()
    assert "removed 1 unused widget-state block" in capsys.readouterr().out


def test_postbuild_fails_on_a_network_load(tmp_path, capsys):
    site = _site(tmp_path, '<script src="https://cdn.example.org/x.js"></script><img src="//example.org/a.png">'
                 '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/x.css">')
    assert postbuild.main(str(site)) == 1
    err = capsys.readouterr().err
    assert "cdn.example.org/x.js" in err and "example.org/a.png" in err and "maxcdn" in err


def test_postbuild_needs_a_site(tmp_path):
    assert postbuild.main(str(tmp_path / "missing")) == 1


def test_postbuild_fails_on_a_heavy_page(tmp_path, capsys):
    site = _site(tmp_path, "<p>" + "x" * 4_100_000 + "</p>")
    assert postbuild.main(str(site)) == 1
    assert "over the 4.0 MB a page may weigh" in capsys.readouterr().err


GLOSSARY = ('<dl><dt id="term-epoch">epoch<a class="headerlink" href="#term-epoch" title="Link to this term">#</a></dt>'
            '<dd><p>轮次 · One pass over <em>every</em> sample &amp; no more.</p><p>More.</p></dd>'
            '<dt id="term-loss">loss</dt><dt id="term-cost">cost</dt><dd><p>What training lowers; see '
            '<a class="reference internal" href="#term-epoch"><span class="xref std std-term">epoch</span></a>.'
            '</p></dd></dl>')


def test_links_to_glossary_terms_carry_the_definition_as_their_title(tmp_path, capsys):
    site = _site(tmp_path, '<a class="reference internal" href="book/appendix/glossary.html#term-loss">'
                           '<span class="xref std std-term">loss</span></a>'
                           '<a class="reference internal" href="book/appendix/glossary.html#term-cost">cost</a>'
                           '<a class="reference internal" href="book/appendix/glossary.html#term-unknown">x</a>')
    (site / "book" / "appendix").mkdir(parents=True)
    (site / "book" / "appendix" / "glossary.html").write_text(GLOSSARY)
    assert postbuild.main(str(site)) == 0
    page = (site / "page.html").read_text()
    assert 'href="book/appendix/glossary.html#term-loss" title="What training lowers; see epoch.">' in page
    assert 'href="book/appendix/glossary.html#term-cost" title="What training lowers; see epoch.">' in page  # 2nd name
    assert 'href="book/appendix/glossary.html#term-unknown">' in page  # no entry: left as it was
    glossary = (site / "book" / "appendix" / "glossary.html").read_text()
    assert 'href="#term-epoch" title="轮次 · One pass over every sample &amp; no more.">' in glossary
    assert "3 links to glossary terms carry the definition" in capsys.readouterr().out
