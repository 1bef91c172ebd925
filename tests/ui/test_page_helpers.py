from workspace.ui.components.formatting import format_time
from workspace.ui.pages.mailbox import MessageLink, framed_html, links_in


def test_links_are_found_with_their_labels():
    text = (
        "Join Acme\n\nAccept invitation: https://ws.test/accept-invite?token=abc\n"
        "See https://ws.test/help\nnot a link: javascript:alert(1)\n"
    )
    assert links_in(text) == [
        MessageLink("Accept invitation", "https://ws.test/accept-invite?token=abc"),
        MessageLink("https://ws.test/help", "https://ws.test/help"),
    ]


def test_framed_html_opens_links_outside_the_frame():
    document = framed_html("<p>Hi</p>")
    assert '<base target="_blank">' in document and document.endswith("<p>Hi</p></body></html>")


def test_format_time():
    assert format_time(None) == "—"
    assert format_time(None, "Never") == "Never"
    assert format_time(1_700_000_000_000) == "14 Nov 2023, 22:13 UTC"
