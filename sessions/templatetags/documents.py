"""``{% document_offer document as offer %}``: what a page offers of a document in its language (see
sessions.documents). Reads the document's prefetched files; never queries."""

from django import template

from sessions.documents import document_offer as offer_for

register = template.Library()


@register.simple_tag
def document_offer(document, for_roundtable=False):
    return offer_for(document, for_roundtable=for_roundtable)
