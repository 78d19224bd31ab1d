from sharedpurpose.core.text import markdown_to_html


def test_markdown_is_rendered() -> None:
    html = markdown_to_html("**Bold** and a [link](https://example.org)")

    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "noopener" in html


def test_markdown_cannot_run_script_or_load_remote_content() -> None:
    html = markdown_to_html(
        "<script>alert(1)</script>\n\n![x](https://evil.example/t.png)\n\n"
        '<img src=x onerror="alert(1)">\n\n[click](javascript:alert(1))'
    )

    assert "<script" not in html
    assert "<img" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
