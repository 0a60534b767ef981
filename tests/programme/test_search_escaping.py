"""The search results' own escaping (``programme.search_results.escaped``, ``formatted``) gives what Django's
``conditional_escape`` and ``format_html`` give, for every kind of value a result holds."""

from django.utils.functional import lazy
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from programme.search_results import escaped, formatted

_TEXT = st.text(alphabet=st.sampled_from(list("<>&\"'`= aé\ue000\n;#x0")), max_size=30)
_VALUES = st.one_of(
    _TEXT,
    _TEXT.map(mark_safe),
    _TEXT.map(lambda text: lazy(lambda: text, str)()),
    st.integers(),
    st.none(),
)


@settings(max_examples=500)
@given(_VALUES)
def test_escaped_is_conditional_escape(value):
    assert escaped(value) == conditional_escape(value)


@settings(max_examples=300)
@given(st.lists(_VALUES, min_size=1, max_size=3))
def test_formatted_is_format_html(values):
    template = " · ".join(["<b>{}</b>"] * len(values))

    result = formatted(template, *values)

    assert (result, isinstance(result, SafeString)) == (format_html(template, *values), True)
