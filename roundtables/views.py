"""What the pages of one forum share (the pages themselves are in ``programme`` and ``sessions``)."""

from . import selectors


class ForumPageMixin:
    """Fetches the forum named in the URL (published, or any for staff)."""

    def dispatch(self, request, *args, **kwargs):
        self.forum = selectors.forum_for_page(slug=kwargs["forum"], user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["forum"] = self.forum  # the forum record, in place of its slug from the URL
        return super().get_context_data(**kwargs)
