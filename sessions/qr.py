"""QR codes of portal addresses, as SVG: an agenda's share link on My agenda, a session's page on its handout.

Made with segno (pure Python, no image library): the SVG goes inline into the page or the PDF, so
it needs no file, no request and no inline style (the pages' Content-Security-Policy allows none).
"""

import segno
from django.utils.safestring import mark_safe


def qr_svg(url, *, title, scale=4):
    """``url`` as an inline ``<svg role="img">`` QR code titled ``title`` (escaped), ``scale`` pixels a module.

    Error correction M (15 % of the code may be damaged) unless the address is too long for it; a
    quiet zone of two modules, black on white whatever the page's colours.
    """
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=scale, border=2, title=title, svgclass="qr-code", dark="#000", light="#fff")
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # segno escapes the title; the rest is numbers
