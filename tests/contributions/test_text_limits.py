"""The public form takes a too long text whole and says so, instead of letting the browser cut it."""

from contributions.models import Contribution

SUBMIT_URL = "/en/contribute/"


def test_a_too_long_title_and_lesson_come_back_whole_with_a_message(client, form_data):
    title = " ".join(["Savings groups"] * 30)  # 449 characters
    lesson = " ".join(["Trust grows."] * 160)  # 2,079 characters
    form_data["title"] = title
    form_data["practices-0-lesson"] = lesson

    response = client.post(SUBMIT_URL, form_data)

    form, practice = response.context["form"], response.context["formset"].forms[0]
    assert response.status_code == 200
    assert form.errors == {"title": ["Ensure this value has at most 300 characters (it has 449)."]}
    assert practice.errors == {"lesson": ["Ensure this value has at most 2000 characters (it has 2079)."]}
    assert (form["title"].value(), practice["lesson"].value()) == (title, lesson)
    assert "maxlength" not in response.content.decode()
    assert Contribution.objects.count() == 0
